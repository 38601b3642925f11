package org.postalfunds.client.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.hyperledger.fabric.client.Checkpoint;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postalfunds.client.MeterClient;
import org.postalfunds.client.RequestId;
import org.postalfunds.client.faults.LiveNetwork;
import org.postalfunds.client.ledger.BlockFeed;
import org.postalfunds.client.ledger.EventFeed;
import org.postalfunds.client.ledger.FailureKind;
import org.postalfunds.client.ledger.Ledger;
import org.postalfunds.client.ledger.LedgerCall;
import org.postalfunds.client.ledger.LedgerException;
import org.postalfunds.client.model.Postage;
import org.postalfunds.api.model.PsdRegisters;
import org.postalfunds.api.model.Transfer;
import org.postalfunds.api.model.TransferState;
import org.postalfunds.testnetwork.ClientIdentities.ClientIdentity;
import org.postalfunds.testnetwork.NetworkDescription;
import org.postalfunds.testnetwork.PostalNetwork;
import org.postalfunds.api.ErrorCode;

/**
 * 64 concurrent clients on the real network, one per meter, each with its own gateway connection, for a bounded time
 * ({@code -Dconcurrency.seconds}, default 20): 16 recipients request from one distributor at once (the distributor's
 * client grants what it finds from per-recipient allotments of 8,000, request ids derived from the transfer, and denies
 * once an allotment is spent: INSUFFICIENT_FUNDS, never an overdraft), 23 pairs of
 * meters push funds to each other and acknowledge what they are offered (small balances, so offers meet
 * INSUFFICIENT_FUNDS), one meter prints postage. Then every open transfer is settled (accepted, acknowledged or
 * cancelled), and the ledger alone must show: no register below zero, every control sum, conservation, no escrow open.
 * The figures (operations, refusals, MVCC conflicts and every retry by kind) are printed.
 */
@PostalNetwork
class SixtyFourClientsOnRealPeersTest {
    private static final int RECIPIENTS = 16;
    private static final int PAIRS = 23;
    private static LiveNetwork net;

    @BeforeAll
    static void start(final NetworkDescription network) {
        net = new LiveNetwork(network);
    }

    @AfterAll
    static void close() {
        net.close();
    }

    private final AtomicLong submits = new AtomicLong();
    private final Map<String, AtomicLong> figures = new ConcurrentHashMap<>();
    private volatile boolean stopping;

    private void count(final String what) {
        figures.computeIfAbsent(what, k -> new AtomicLong()).incrementAndGet();
    }

    private MeterClient client(final ClientIdentity meter) throws Exception {
        final Ledger ledger = net.connect(net.organisationOf(meter), meter);
        return LiveNetwork.meter(counted(ledger), meter);
    }

    @Test
    void sixty_four_clients_for_a_bounded_time_no_overdraft_conservation_every_escrow_settled() throws Exception {
        final int seconds = Integer.getInteger("concurrency.seconds", 20);
        final ExecutorService setUp = Executors.newFixedThreadPool(8);
        final long setUpStarted = System.nanoTime();
        final ClientIdentity distributor = net.registeredMeter("MailerB", "cc-dist", 2_000_000);
        final List<Future<ClientIdentity>> recipientsF = new ArrayList<>();
        for (int i = 0; i < RECIPIENTS; i++) {
            final int n = i;
            recipientsF.add(setUp.submit(() -> net.registeredMeter("MailerA", "cc-r" + n, 0)));
        }
        final List<Future<ClientIdentity>> pairF = new ArrayList<>();
        for (int i = 0; i < 2 * PAIRS; i++) {
            final int n = i;
            pairF.add(setUp.submit(() -> net.registeredMeter(n % 2 == 0 ? "MailerA" : "MailerB", "cc-p" + n, 5_000)));
        }
        final Future<ClientIdentity> printerF = setUp.submit(() -> net.registeredMeter("MailerA", "cc-print", 50_000));
        final List<ClientIdentity> recipients = new ArrayList<>();
        for (final Future<ClientIdentity> f : recipientsF) {
            recipients.add(f.get(5, TimeUnit.MINUTES));
        }
        final List<ClientIdentity> pairMeters = new ArrayList<>();
        for (final Future<ClientIdentity> f : pairF) {
            pairMeters.add(f.get(5, TimeUnit.MINUTES));
        }
        final ClientIdentity printer = printerF.get(5, TimeUnit.MINUTES);
        setUp.shutdown();

        final MeterClient dist = client(distributor);
        for (final ClientIdentity r : recipients) {
            dist.authoriseRequester(RequestId.random(), r.name());
            dist.fundAllotment(RequestId.random(), r.name(), 8_000);
        }
        final List<ClientIdentity> all = new ArrayList<>(List.of(distributor, printer));
        all.addAll(recipients);
        all.addAll(pairMeters);
        assertThat(all).hasSize(64);
        final Map<String, MeterClient> clients = new ConcurrentHashMap<>();
        clients.put(distributor.name(), dist);
        for (final ClientIdentity m : all) {
            if (!clients.containsKey(m.name())) {
                clients.put(m.name(), client(m));
            }
        }
        System.out.printf("[concurrency] 64 meters registered, funded, 16 allotments in %.0f s%n",
                (System.nanoTime() - setUpStarted) / 1e9);
        net.retries.clear();
        submits.set(0);

        // ---- the bounded window: 64 clients at once ----------------------------------------------------------------
        final ExecutorService workers = Executors.newFixedThreadPool(64);
        final ExecutorService grants = Executors.newFixedThreadPool(8);
        final long windowStarted = System.nanoTime();
        final long windowEnds = windowStarted + Duration.ofSeconds(seconds).toNanos();
        final List<Future<?>> running = new ArrayList<>();
        // The distributor's client: grants every request it finds (derived request ids: a grant seen twice acts once).
        running.add(workers.submit(() -> loop(windowEnds, () -> {
            final List<Future<?>> batch = new ArrayList<>();
            for (final Transfer t : dist.transfers(TransferState.REQUESTED, 100)) {
                if (t.donorMeterId().equals(distributor.name())) {
                    batch.add(grants.submit(() -> {
                        try {
                            dist.grant(RequestId.derived("cc-grant", t.transferId()), t.transferId(),
                                    Instant.ofEpochSecond(t.createdAtEpochSeconds() + 120));
                            count("grant ok");
                        } catch (LedgerException e) {
                            count("grant " + e.errorCode().map(Enum::name).orElse(e.kind().name()));
                            if (e.errorCode().filter(ErrorCode.INSUFFICIENT_FUNDS::equals).isPresent()) {
                                // The recipient's allotment is spent: say so on the ledger, never overdraw.
                                op("deny", () -> dist.deny(RequestId.derived("cc-deny", t.transferId()), t.transferId(),
                                        "INSUFFICIENT_FUNDS: allotment spent"));
                            }
                        }
                        return null;
                    }));
                }
            }
            for (final Future<?> f : batch) {
                f.get(2, TimeUnit.MINUTES);
            }
            Thread.sleep(200);
        })));
        // 16 recipients at once: request, wait for the grant, accept (or cancel).
        for (final ClientIdentity r : recipients) {
            final MeterClient me = clients.get(r.name());
            running.add(workers.submit(() -> loop(windowEnds, () -> {
                final long amount = ThreadLocalRandom.current().nextLong(1, 2_001);
                final String id = op("request", () -> me.request(RequestId.random(), distributor.name(), amount,
                        Instant.now().plusSeconds(120)).transferId());
                if (id == null) {
                    return;
                }
                final long until = System.nanoTime() + Duration.ofSeconds(15).toNanos();
                TransferState state = TransferState.REQUESTED;
                while (state == TransferState.REQUESTED && System.nanoTime() < until) {
                    Thread.sleep(250);
                    state = me.transfer(id).transfer().state();
                }
                if (state == TransferState.GRANTED) {
                    op("accept", () -> me.accept(RequestId.random(), id));
                } else if (state == TransferState.REQUESTED) {
                    op("cancel", () -> me.cancel(RequestId.random(), id));
                }
            })));
        }
        // 23 pairs: each meter offers to its partner and acknowledges what it is offered.
        for (int i = 0; i < pairMeters.size(); i++) {
            final MeterClient me = clients.get(pairMeters.get(i).name());
            final String partner = pairMeters.get(i % 2 == 0 ? i + 1 : i - 1).name();
            running.add(workers.submit(() -> loop(windowEnds, () -> {
                op("offer", () -> me.offer(RequestId.random(), partner, ThreadLocalRandom.current().nextLong(1, 1_501),
                        Instant.now().plusSeconds(120)));
                acknowledgeOffers(me);
            })));
        }
        final MeterClient printing = clients.get(printer.name());
        running.add(workers.submit(() -> loop(windowEnds, () -> op("print", () -> printing.printPostage(RequestId.random(),
                new Postage(ThreadLocalRandom.current().nextLong(1, 51), "10115", "DE", "LETTER-STD"))))));
        for (final Future<?> f : running) {
            f.get(seconds + 180L, TimeUnit.SECONDS);
        }
        final double windowSeconds = (System.nanoTime() - windowStarted) / 1e9;
        final long windowSubmits = submits.get();
        final Map<String, Long> windowRetries = net.retriesSnapshot();
        grants.shutdown();
        workers.shutdown();

        // ---- settle everything still open, bounded -----------------------------------------------------------------
        stopping = true;
        final long settleUntil = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        int open;
        do {
            open = 0;
            // The distributor's peer can still list a transfer the recipient's peer already has settled (by the last
            // pass or the recipient's own loop): ids derived from the transfer make a repeat answer its first outcome,
            // and a refusal (ILLEGAL_TRANSITION: settled otherwise) is counted, not thrown; the ledger checks below
            // then show nothing left open.
            for (final Transfer t : dist.transfers(TransferState.REQUESTED, 1_000)) {
                final MeterClient recipient = clients.get(t.recipientMeterId());
                op("settle cancel", () -> recipient.cancel(RequestId.derived("cc-settle-cancel", t.transferId()),
                        t.transferId()));
                open++;
            }
            for (final Transfer t : dist.transfers(TransferState.GRANTED, 1_000)) {
                final MeterClient recipient = clients.get(t.recipientMeterId());
                op("settle accept", () -> recipient.accept(RequestId.derived("cc-settle-accept", t.transferId()),
                        t.transferId()));
                open++;
            }
            for (final ClientIdentity m : pairMeters) {
                open += acknowledgeOffers(clients.get(m.name()));
            }
        } while (open > 0 && System.nanoTime() < settleUntil);

        // ---- the ledger alone ----------------------------------------------------------------------------------------
        net.awaitPeersInStep(Duration.ofSeconds(15));
        long openTransfers = 0;
        for (final ClientIdentity m : all) {
            final PsdRegisters registers = net.auditor().meter(m.name()).registers();
            assertThat(registers.availableMinorUnits()).as("no overdraft of %s", m.name()).isNotNegative();
            assertThat(registers.controlSumHolds()).as("control sum of %s", m.name()).isTrue();
            for (final TransferState state : TransferState.OPEN) {
                openTransfers += net.auditor().transfers(m.name(), state, 1_000).size();
            }
        }
        assertThat(openTransfers).as("transfers still open (escrows not settled)").isZero();
        net.auditPasses();

        final long conflicts = windowRetries.entrySet().stream().filter(e -> e.getKey().startsWith(FailureKind.READ_CONFLICT.name()))
                .mapToLong(Map.Entry::getValue).sum();
        final long retries = windowRetries.values().stream().mapToLong(Long::longValue).sum();
        final Map<String, Long> ops = new TreeMap<>();
        figures.forEach((k, v) -> ops.put(k, v.get()));
        System.out.printf("[concurrency] 64 clients for %.1f s: %d submits (%.1f/s), operations %s%n", windowSeconds,
                windowSubmits, windowSubmits / windowSeconds, ops);
        System.out.printf("[concurrency] MVCC conflicts retried: %d (%.2f%% of submits); all retries %d (%.2f%%): %s%n",
                conflicts, 100.0 * conflicts / Math.max(1, windowSubmits), retries, 100.0 * retries / Math.max(1, windowSubmits),
                windowRetries);
        System.out.printf("[concurrency] settled afterwards; open transfers %d; no register below zero; audit passed%n",
                openTransfers);
        assertThat(figures.getOrDefault("grant ok", new AtomicLong()).get()).as("grants by the distributor").isPositive();
    }

    private int acknowledgeOffers(final MeterClient me) throws Exception {
        int n = 0;
        for (final Transfer t : me.transfers(TransferState.OFFERED, 100)) {
            if (t.recipientMeterId().equals(me.meterId())) {
                op("acknowledge", () -> me.acknowledge(RequestId.derived("cc-ack", t.transferId()), t.transferId()));
                n++;
            }
        }
        return n;
    }

    @FunctionalInterface
    private interface Step {
        void run() throws Exception;
    }

    private Object loop(final long until, final Step step) throws Exception {
        while (System.nanoTime() < until) {
            step.run();
        }
        return null;
    }

    /** Runs one operation; counts it as ok, or refused with its code, or failed with its kind. Returns its result. */
    private <T> T op(final String name, final Callable<T> call) throws Exception {
        try {
            final T result = call.call();
            count(name + " ok");
            return result;
        } catch (LedgerException e) {
            count(name + " " + (e.kind() == FailureKind.REFUSED ? e.errorCode().map(Enum::name).orElse("REFUSED") : e.kind().name()));
            if (stopping && e.kind() != FailureKind.REFUSED) {
                throw e;
            }
            return null;
        }
    }

    private Ledger counted(final Ledger ledger) {
        return new org.postalfunds.client.ledger.ForwardingLedger(ledger) {
            @Override
            public byte[] submit(final LedgerCall call) throws LedgerException {
                submits.incrementAndGet();
                return super.submit(call);
            }
        };
    }
}
