package org.postalfunds.client.faults;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.hyperledger.fabric.client.Checkpoint;
import org.postalfunds.client.MeterClient;
import org.postalfunds.client.RequestId;
import org.postalfunds.client.journal.FlowJournal;
import org.postalfunds.client.journal.Flows;
import org.postalfunds.client.ledger.BlockFeed;
import org.postalfunds.client.ledger.EventFeed;
import org.postalfunds.client.ledger.Ledger;
import org.postalfunds.client.ledger.LedgerCall;
import org.postalfunds.client.ledger.LedgerConnection;
import org.postalfunds.client.ledger.LedgerException;
import org.postalfunds.client.ledger.RetryPolicy;
import org.postalfunds.client.model.AuditTotals;
import org.postalfunds.client.model.PsdRegisters;
import org.postalfunds.client.model.Transfer;
import org.postalfunds.client.model.TransferState;
import org.postalfunds.testnetwork.ClientIdentities.ClientIdentity;

/**
 * Protocol rounds on the real network with one component SIGKILLed at a random point of each run: a peer, the orderer,
 * the chaincode service, or a client (its connection torn down mid-submit, or the client gone between grant and
 * accept; its in-memory state is thrown away and a new client is built from its journal file alone). The component is
 * restarted with the network scripts, every client resumes its journal with the same request ids, and after every run
 * the ledger alone must show: conservation (the contract's zero-sum proof), every register's control sum, balances
 * equal to what the settled transfers moved (so nothing applied twice), every first step repeated with its request
 * id answering its first result, and no transfer of the harness still open (one expiry pass for any past its deadline).
 */
public final class CrashHarness {
    /**
     * What gets killed, one at a time: each peer, each orderer of the network (one node of three with
     * {@code up.sh --orderers 3}), the chaincode service, and a client.
     */
    public static List<String> components(final org.postalfunds.testnetwork.NetworkDescription network) {
        final List<String> all = new ArrayList<>(Components.PEERS);
        network.orderers().forEach(orderer -> all.add(orderer.name()));
        all.add("chaincode");
        all.add("client");
        return all;
    }
    /**
     * Clients give up after a few seconds (5 attempts, backoff up to 2 s): the journal, not patience, carries a flow over
     * a crash; but the checks after a run must outlast a restarted orderer's Raft election.
     */
    static final RetryPolicy POLICY = new RetryPolicy(5, Duration.ofMillis(100), Duration.ofSeconds(2));
    static final Duration COMMIT_WAIT = Duration.ofSeconds(5);
    static final long FUNDS = 1_000_000;

    /** One line of the table. */
    public record Row(int run, String component, long killAtMillis, String detail, long restartMillis, int flows,
            int completedInRound, int resumedSteps, int completedOnResume, int cancelledOnResume, int expired,
            int openAfter, String retries, String outcome) {
    }

    /** A meter's client process: identity, journal file, and a connection that can die. */
    final class Client {
        final ClientIdentity identity;
        final String organisation;
        final Path journalFile;
        volatile LedgerConnection connection;
        volatile Flows flows;
        volatile boolean dead;

        Client(final ClientIdentity identity, final Path journalFile) throws IOException {
            this.identity = identity;
            this.organisation = net.organisationOf(identity);
            this.journalFile = journalFile;
            start();
        }

        void start() throws IOException {
            connection = net.open(organisation, identity, POLICY, COMMIT_WAIT);
            dead = false;
            final MeterClient meter = LiveNetwork.meter(guarded(connection, this), identity);
            flows = new Flows(meter, FlowJournal.open(journalFile, identity.name()), Clock.systemUTC());
        }

        /** The process dies: its connection is torn down (an in-flight call fails), its memory is gone. */
        void kill() {
            dead = true;
            connection.close();
        }

        String name() {
            return identity.name();
        }
    }

    static final class ClientKilled extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ClientKilled() {
            super("client killed");
        }
    }

    private final LiveNetwork net;
    private final Components components;
    private final Path journals;
    private final Random random;
    private final int pairs;
    private final List<Client> donors = new ArrayList<>();
    private final List<Client> recipients = new ArrayList<>();
    private final List<Row> rows = new ArrayList<>();
    private final Map<String, Long> initial = new LinkedHashMap<>();
    /** Every flow started: flow id -> (pull?, pair, amount, deadline). */
    private final Map<String, FlowSpec> flowsStarted = new java.util.concurrent.ConcurrentHashMap<>();

    record FlowSpec(boolean pull, int pair, long amount, Instant deadline) {
    }

    public CrashHarness(final LiveNetwork net, final Components components, final Path journals, final long seed,
            final int pairs) {
        this.net = net;
        this.components = components;
        this.journals = journals;
        this.random = new Random(seed);
        this.pairs = pairs;
    }

    public List<Row> rows() {
        return rows;
    }

    /** Donors at MailerA, recipients at MailerB: every flow needs DataCenter, MailerA and MailerB endorsements. */
    public void setUp() throws Exception {
        for (int p = 0; p < pairs; p++) {
            final ClientIdentity donor = net.registeredMeter("MailerA", "crash-d" + p, FUNDS);
            final ClientIdentity recipient = net.registeredMeter("MailerB", "crash-r" + p, 0);
            net.meter(donor).authoriseRequester(RequestId.random(), recipient.name());
            initial.put(donor.name(), FUNDS);
            initial.put(recipient.name(), 0L);
            donors.add(new Client(donor, journals.resolve(donor.name() + ".json")));
            recipients.add(new Client(recipient, journals.resolve(recipient.name() + ".json")));
        }
    }

    /** One run: a round of flows, one kill at a random moment, restart, resume, checks. */
    public Row run(final int run, final String component) throws Exception {
        final Map<String, Long> retriesBefore = net.retriesSnapshot();
        final long killAt = 100 + random.nextInt(2_400);
        final boolean betweenGrantAndAccept = component.equals("client") && random.nextBoolean();
        final int victimPair = random.nextInt(pairs);
        final boolean victimIsRecipient = betweenGrantAndAccept || random.nextBoolean();
        final AtomicInteger completed = new AtomicInteger();
        final List<Thread> threads = new ArrayList<>();
        final List<String> runFlows = java.util.Collections.synchronizedList(new ArrayList<>());
        final List<String> stops = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int p = 0; p < pairs; p++) {
            final int pair = p;
            final boolean pull = (run + p) % 2 == 0;
            final String flowId = net.run + "-r" + run + "-p" + p;
            final FlowSpec spec = new FlowSpec(pull, p, 100 + random.nextInt(400), Instant.now().plusSeconds(120));
            flowsStarted.put(flowId, spec);
            runFlows.add(flowId);
            final Thread thread = new Thread(() -> {
                try {
                    round(flowId, spec, betweenGrantAndAccept && pair == victimPair);
                    completed.incrementAndGet();
                    final FlowSpec second = new FlowSpec(!spec.pull(), pair, spec.amount() + 1, spec.deadline());
                    flowsStarted.put(flowId + "b", second);
                    round(flowId + "b", second, false);
                    completed.incrementAndGet();
                } catch (LedgerException | RuntimeException e) {
                    // The flow stops here; its journal carries it over.
                    stops.add(flowId + ": " + (e instanceof LedgerException le ? le.kind() + " " : "")
                            + e.getClass().getSimpleName() + ": " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
                }
            }, "flow-" + flowId);
            threads.add(thread);
        }
        threads.forEach(Thread::start);
        Thread.sleep(killAt);
        String detail;
        final Client victim = victimIsRecipient ? recipients.get(victimPair) : donors.get(victimPair);
        if (component.equals("client")) {
            if (betweenGrantAndAccept) {
                detail = "recipient " + victimPair + " between grant and accept";
            } else {
                victim.kill();
                detail = (victimIsRecipient ? "recipient " : "donor ") + victimPair + " mid-flow";
            }
        } else {
            detail = "pid " + components.kill(component);
        }
        // The network's component comes back while the clients are still retrying (they may finish on their own).
        long restartMillis = 0;
        if (!component.equals("client")) {
            restartMillis = components.restart(component).toMillis();
        }
        for (final Thread thread : threads) {
            thread.join(90_000);
        }
        stops.forEach(stop -> System.out.println("[crash]      stopped " + stop));
        for (final String flowId : new ArrayList<>(runFlows)) {
            if (flowsStarted.containsKey(flowId + "b")) {
                runFlows.add(flowId + "b");
            }
        }
        if (component.equals("client")) {
            final long started = System.nanoTime();
            if (!victim.dead) {
                victim.kill();
            }
            victim.start();
            restartMillis = (System.nanoTime() - started) / 1_000_000;
        }

        // Resume every journal (donors first, so a begun grant lands before its recipient decides), then recipients
        // acknowledge offers addressed to them that they never heard of (what their watcher would do).
        int resumedSteps = 0;
        int completedOnResume = 0;
        int cancelledOnResume = 0;
        int expired = 0;
        final List<String> notes = new ArrayList<>();
        for (int pass = 0; pass < 4; pass++) {
            int open = 0;
            for (final Client donor : donors) {
                final Flows.Resumed r = donor.flows.resume(Duration.ZERO);
                resumedSteps += r.stepsRepeated();
                expired += r.expired();
                open += r.stillOpen();
                notes.addAll(r.notes());
            }
            for (int p = 0; p < pairs; p++) {
                final Client recipient = recipients.get(p);
                final Flows.Resumed r = recipient.flows.resume(Duration.ofSeconds(2));
                resumedSteps += r.stepsRepeated();
                completedOnResume += r.completed();
                cancelledOnResume += r.cancelled();
                expired += r.expired();
                open += r.stillOpen();
                notes.addAll(r.notes());
                try {
                    for (final Transfer offered : recipient.flows.meter().transfers(TransferState.OFFERED, 100)) {
                        recipient.flows.acknowledge("ack-" + offered.transferId(), offered.transferId(),
                                offered.donorMeterId(), offered.amountMinorUnits());
                        completedOnResume++;
                    }
                } catch (LedgerException e) {
                    open++;
                    notes.add("acknowledging offers to " + recipient.name() + ": " + e.kind());
                }
            }
            if (open == 0) {
                break;
            }
            Thread.sleep(2_000);
        }
        final Map<String, Long> retries = delta(retriesBefore, net.retriesSnapshot());
        String outcome;
        int openAfter = 0;
        try {
            openAfter = expiryPass();
            check(runFlows);
            outcome = openAfter == 0 ? "PASS" : "FAIL: " + openAfter + " transfer(s) open after resume and expiry";
        } catch (AssertionError | Exception e) {
            outcome = "FAIL: " + e.getMessage() + (notes.isEmpty() ? "" : " " + notes);
        }
        final Row row = new Row(run, component, killAt, detail, restartMillis, runFlows.size(), completed.get(), resumedSteps,
                completedOnResume, cancelledOnResume, expired, openAfter, summary(retries), outcome);
        rows.add(row);
        System.out.println("[crash] " + format(row));
        return row;
    }

    private void round(final String flowId, final FlowSpec spec, final boolean crashAfterGrant) throws LedgerException {
        final Client donor = donors.get(spec.pair());
        final Client recipient = recipients.get(spec.pair());
        if (spec.pull()) {
            final String transfer = recipient.flows.request(flowId, donor.name(), spec.amount(), spec.deadline());
            donor.flows.grant(flowId, transfer, recipient.name(), spec.amount(), spec.deadline());
            if (crashAfterGrant) {
                recipient.kill();
                throw new ClientKilled();
            }
            recipient.flows.accept(flowId);
        } else {
            final String transfer = donor.flows.offer(flowId, recipient.name(), spec.amount(), spec.deadline());
            recipient.flows.acknowledge("ack-" + flowId, transfer, donor.name(), spec.amount());
            donor.flows.settled(flowId);
        }
    }

    /** Transfers of the harness's meters still open: those past their deadline are expired (one pass); returns the rest. */
    private int expiryPass() throws Exception {
        net.awaitPeersInStep(Duration.ofSeconds(15));
        int open = 0;
        for (int p = 0; p < pairs; p++) {
            for (final TransferState state : TransferState.OPEN) {
                for (final Transfer t : net.auditor().transfers(donors.get(p).name(), state, 1_000)) {
                    if (Instant.now().getEpochSecond() >= t.deadlineEpochSeconds()) {
                        donors.get(p).flows.meter().expire(RequestId.random(), t.transferId());
                    } else {
                        open++;
                    }
                }
            }
        }
        return open;
    }

    /** The checks from the ledger alone, after every run. */
    private void check(final List<String> runFlows) throws Exception {
        net.awaitPeersInStep(Duration.ofSeconds(15));
        final AuditTotals totals = net.auditor().totals();
        if (!totals.proof().balanced() || totals.proof().sumMinorUnits() != 0) {
            throw new AssertionError("conservation: the accounts sum to " + totals.proof().sumMinorUnits());
        }
        // Every first step again with its request id: the first result (same transfer), nothing moves.
        final Set<String> transferIds = new java.util.HashSet<>();
        for (final String flowId : runFlows) {
            final FlowSpec spec = flowsStarted.get(flowId);
            final Client donor = donors.get(spec.pair());
            final Client recipient = recipients.get(spec.pair());
            final String transfer = spec.pull()
                    ? recipient.flows.meter().request(Flows.requestId(flowId, "request"), donor.name(), spec.amount(),
                            spec.deadline()).transferId()
                    : donor.flows.meter().offer(Flows.requestId(flowId, "offer"), recipient.name(), spec.amount(),
                            spec.deadline()).transferId();
            if (!transferIds.add(transfer)) {
                throw new AssertionError("two flows answered with transfer " + transfer);
            }
            final TransferState state = net.auditor().transfer(transfer).transfer().state();
            if (TransferState.OPEN.contains(state)) {
                throw new AssertionError("flow " + flowId + " left transfer " + transfer + " " + state);
            }
        }
        net.awaitPeersInStep(Duration.ofSeconds(15));
        for (int p = 0; p < pairs; p++) {
            for (final Client client : List.of(donors.get(p), recipients.get(p))) {
                final PsdRegisters registers = net.auditor().meter(client.name()).registers();
                if (!registers.controlSumHolds() || registers.availableMinorUnits() < 0) {
                    throw new AssertionError("registers of " + client.name() + ": " + registers);
                }
            }
            // The settled transfers alone explain both balances: nothing applied twice, nothing lost.
            long moved = 0;
            for (final TransferState settled : EnumSet.of(TransferState.ACCEPTED, TransferState.ACKNOWLEDGED)) {
                for (final Transfer t : net.auditor().transfers(donors.get(p).name(), settled, 10_000)) {
                    moved += t.amountMinorUnits();
                }
            }
            final long donorHas = net.auditor().meter(donors.get(p).name()).registers().availableMinorUnits();
            final long recipientHas = net.auditor().meter(recipients.get(p).name()).registers().availableMinorUnits();
            if (donorHas != FUNDS - moved || recipientHas != moved) {
                throw new AssertionError("pair " + p + ": settled transfers moved " + moved + " but the donor has "
                        + donorHas + " and the recipient " + recipientHas);
            }
        }
    }

    private static Map<String, Long> delta(final Map<String, Long> before, final Map<String, Long> after) {
        final Map<String, Long> d = new TreeMap<>();
        after.forEach((k, v) -> {
            final long n = v - before.getOrDefault(k, 0L);
            if (n > 0) {
                d.put(k.split(" ")[0], d.getOrDefault(k.split(" ")[0], 0L) + n);
            }
        });
        return d;
    }

    private static String summary(final Map<String, Long> retries) {
        final StringBuilder s = new StringBuilder();
        retries.forEach((k, v) -> s.append(s.length() == 0 ? "" : " ").append(k).append('=').append(v));
        return s.length() == 0 ? "-" : s.toString();
    }

    public static String format(final Row r) {
        return String.format("%4d %-22s %5d %-38s %7d %2d/%d %3d %3d %3d %3d %3d  %-60s %s", r.run(), r.component(),
                r.killAtMillis(), r.detail(), r.restartMillis(), r.completedInRound(), r.flows(), r.resumedSteps(),
                r.completedOnResume(), r.cancelledOnResume(), r.expired(), r.openAfter(), r.retries(), r.outcome());
    }

    public static String header() {
        return String.format("%4s %-22s %5s %-38s %7s %4s %3s %3s %3s %3s %3s  %-60s %s", "run", "killed", "at ms", "detail",
                "restart", "done", "rep", "cmp", "cnl", "exp", "opn", "retries during the run (kind=count)", "outcome");
    }

    /** The table, then kills and outcomes per component. */
    public String table() {
        final StringBuilder out = new StringBuilder(header()).append('\n');
        rows.forEach(r -> out.append(format(r)).append('\n'));
        out.append("\ncomponent               kills  pass  fail  restart ms (mean)  flows done before resume  resumed steps\n");
        final Map<String, List<Row>> by = new TreeMap<>();
        rows.forEach(r -> by.computeIfAbsent(r.component(), c -> new ArrayList<>()).add(r));
        by.forEach((c, list) -> {
            if (!list.isEmpty()) {
                out.append(String.format("%-22s %6d %5d %5d %18.0f %17d/%-8d %12d%n", c, list.size(),
                        list.stream().filter(r -> r.outcome().equals("PASS")).count(),
                        list.stream().filter(r -> !r.outcome().equals("PASS")).count(),
                        list.stream().mapToLong(Row::restartMillis).average().orElse(0),
                        list.stream().mapToInt(Row::completedInRound).sum(), list.stream().mapToInt(Row::flows).sum(),
                        list.stream().mapToInt(Row::resumedSteps).sum()));
            }
        });
        out.append(String.format("total                  %6d %5d %5d%n", rows.size(),
                rows.stream().filter(r -> r.outcome().equals("PASS")).count(),
                rows.stream().filter(r -> !r.outcome().equals("PASS")).count()));
        return out.toString();
    }

    /** A ledger that throws once its client is dead, so a killed client's threads stop at their next call. */
    private static Ledger guarded(final Ledger ledger, final Client client) {
        return new org.postalfunds.client.ledger.ForwardingLedger(ledger) {
            private void alive() {
                if (client.dead) {
                    throw new ClientKilled();
                }
            }

            @Override
            public byte[] submit(final LedgerCall call) throws LedgerException {
                alive();
                return super.submit(call);
            }

            @Override
            public byte[] evaluate(final LedgerCall call) throws LedgerException {
                alive();
                return super.evaluate(call);
            }
        };
    }

}
