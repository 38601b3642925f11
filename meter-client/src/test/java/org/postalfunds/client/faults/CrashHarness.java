package org.postalfunds.client.faults;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.postalfunds.client.RequestId;
import org.postalfunds.client.journal.Flows;
import org.postalfunds.client.ledger.LedgerException;
import org.postalfunds.client.ledger.RetryPolicy;
import org.postalfunds.api.model.AuditTotals;
import org.postalfunds.api.model.PsdRegisters;
import org.postalfunds.api.model.Transfer;
import org.postalfunds.api.model.TransferState;
import org.postalfunds.testnetwork.ClientIdentities.ClientIdentity;

/**
 * Protocol rounds on the real network with one component SIGKILLed at a random point of each run: a peer, an orderer,
 * the chaincode service, the HSM bridge's process (the meters of the first pairs sign through it), or a client process
 * (one pair's meters driven in a JVM of its own, killed mid-submit or between grant and accept; a new process resumes
 * from their journal files alone). The component is restarted (network scripts, a new bridge or client process), every
 * client resumes its journal with the same request ids, and after every run the ledger alone must show: conservation
 * (the contract's zero-sum proof), every register's control sum, balances equal to what the settled transfers moved (so
 * nothing applied twice), every first step repeated with its request id answering its first result, and no transfer
 * of the harness still open (one expiry pass for any past its deadline).
 */
public final class CrashHarness {
    public static final String BRIDGE = "hsm-bridge";
    public static final String CLIENT = "client-process";

    /**
     * What gets killed, one at a time: each peer, each orderer of the network (one node of three with
     * {@code up.sh --orderers 3}), the chaincode service, the HSM bridge (when the harness has one) and a client process.
     */
    public static List<String> components(final org.postalfunds.testnetwork.NetworkDescription network,
            final boolean bridge) {
        final List<String> all = new ArrayList<>(Components.PEERS);
        network.orderers().forEach(orderer -> all.add(orderer.name()));
        all.add("chaincode");
        if (bridge) {
            all.add(BRIDGE);
        }
        all.add(CLIENT);
        return all;
    }
    /**
     * Clients give up a contended or timed-out step after 5 attempts (backoff up to 2 s): the journal, not patience,
     * carries such a flow over a crash. An outage (orderer, peer, endorsers, chaincode or bridge down) is retried for
     * 40 s, longer than a restart plus a Raft election on a loaded 2-core machine, which a count of attempts did not
     * always outlast.
     */
    static final RetryPolicy POLICY = new RetryPolicy(5, Duration.ofMillis(100), Duration.ofSeconds(2))
            .withOutageBudget(Duration.ofSeconds(40));
    static final Duration COMMIT_WAIT = Duration.ofSeconds(5);
    static final long FUNDS = 1_000_000;

    /** One line of the table. */
    public record Row(int run, String component, long killAtMillis, String detail, long restartMillis, int flows,
            int completedInRound, int resumedSteps, int completedOnResume, int cancelledOnResume, int expired,
            int openAfter, String retries, String outcome, boolean recoveredFromTornWal) {
    }

    /** A meter's client in the test's JVM: it can be stopped and opened again from its journal file. */
    final class Client {
        final CrashMeter meter;
        volatile CrashMeter.Session session;

        Client(final CrashMeter meter) throws Exception {
            this.meter = meter;
            start();
        }

        void start() throws Exception {
            session = meter.open(net, POLICY, COMMIT_WAIT, net.counting());
        }

        void stop() {
            session.close();
        }

        Flows flows() {
            return session.flows();
        }

        String name() {
            return meter.name();
        }
    }

    /**
     * A client process (see {@link ClientProcess}) and what it says: its lines are logged, its retries counted with
     * the harness's, its flows' starts, ends and stops recorded, and the rest queued for whoever waits on it.
     */
    final class ChildClient {
        final Process process;
        final java.util.concurrent.BlockingQueue<String> lines = new java.util.concurrent.LinkedBlockingQueue<>();
        final Thread reader;
        volatile String last = "";
        /** Flows the process started. */
        final Set<String> started = java.util.concurrent.ConcurrentHashMap.newKeySet();
        /**
         * Flows that may have reached the ledger: done, or found in a journal with a step begun (a step is journalled
         * before it is submitted, so a flow the process died before journalling never reached the ledger).
         */
        final Set<String> reached = java.util.concurrent.ConcurrentHashMap.newKeySet();

        ChildClient(final Properties order, final String label, final AtomicInteger done, final List<String> stops)
                throws IOException {
            final Path orderFile = ClientProcess.writeOrder(journals.resolve(label + ".properties"), order);
            final Path log = journals.resolve("client-processes.log");
            process = new ProcessBuilder(ClientProcess.command(orderFile)).redirectErrorStream(true).start();
            reader = new Thread(() -> {
                try (java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(
                        process.getInputStream(), java.nio.charset.StandardCharsets.UTF_8))) {
                    for (String line = in.readLine(); line != null; line = in.readLine()) {
                        java.nio.file.Files.writeString(log, label + " " + line + "\n", java.nio.charset.StandardCharsets.UTF_8,
                                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
                        final String[] words = line.split(" ", 3);
                        switch (words[0]) {
                            case "RETRY" -> net.retries.computeIfAbsent(line.substring(6), k -> new java.util.concurrent.atomic.AtomicLong())
                                    .incrementAndGet();
                            case "START" -> started.add(words[1]);
                            case "DONE" -> {
                                done.incrementAndGet();
                                reached.add(words[1]);
                            }
                            case "JOURNAL" -> {
                                if (Integer.parseInt(words[2]) > 0) {
                                    reached.add(words[1]);
                                }
                            }
                            case "STOPPED" -> stops.add(words[1] + " (client process): " + (words.length > 2 ? words[2] : ""));
                            default -> { }
                        }
                        if (!words[0].equals("RETRY")) {
                            last = line;
                        }
                        lines.add(line);
                    }
                } catch (IOException e) {
                    // The process was killed: its output ends.
                }
            }, "client-process-" + label);
            reader.setDaemon(true);
            reader.start();
        }

        /** The next line starting with {@code word} within {@code limit}, or null (timed out, or the process ended). */
        String await(final String word, final Duration limit) throws InterruptedException {
            final long until = System.nanoTime() + limit.toNanos();
            while (System.nanoTime() < until) {
                final String line = lines.poll(100, java.util.concurrent.TimeUnit.MILLISECONDS);
                if (line != null && line.startsWith(word + " ")) {
                    return line;
                }
                if (line == null && !process.isAlive() && lines.isEmpty()) {
                    return null;
                }
            }
            return null;
        }

        long kill() throws Exception {
            process.destroyForcibly();
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                throw new IllegalStateException("client process " + process.pid() + " did not die on SIGKILL");
            }
            return process.pid();
        }
    }

    private final LiveNetwork net;
    private final Components components;
    private final BridgeProcess bridge;
    private final Path journals;
    private final Random random;
    private final int pairs;
    private final int bridgedPairs;
    private final List<Client> donors = new ArrayList<>();
    private final List<Client> recipients = new ArrayList<>();
    private final List<Row> rows = new ArrayList<>();
    /** Every flow started: flow id -> (pull?, pair, amount, deadline). */
    private final Map<String, FlowSpec> flowsStarted = new java.util.concurrent.ConcurrentHashMap<>();

    record FlowSpec(boolean pull, int pair, long amount, Instant deadline) {
    }

    /**
     * @param bridge the HSM bridge's process the first {@code bridgedPairs} pairs sign through (null: none, every meter
     *     signs with a key file)
     */
    public CrashHarness(final LiveNetwork net, final Components components, final BridgeProcess bridge, final Path journals,
            final long seed, final int pairs, final int bridgedPairs) {
        this.net = net;
        this.components = components;
        this.bridge = bridge;
        this.journals = journals;
        this.random = new Random(seed);
        this.pairs = pairs;
        this.bridgedPairs = bridge == null ? 0 : bridgedPairs;
    }

    public List<Row> rows() {
        return rows;
    }

    /**
     * Donors at MailerA, recipients at MailerB: every flow needs DataCenter, MailerA and MailerB endorsements. The
     * first pairs' meters have their keys in the bridge's token (enrolled at their owner's CA with a CSR signed there).
     */
    public void setUp() throws Exception {
        try (org.postalfunds.hsm.client.PsdBridgeClient operator = bridge == null ? null : bridge.operator()) {
            for (int p = 0; p < pairs; p++) {
                final CrashMeter donor = meter(p < bridgedPairs ? operator : null, "MailerA", "crash-d" + p, FUNDS);
                final CrashMeter recipient = meter(p < bridgedPairs ? operator : null, "MailerB", "crash-r" + p, 0);
                donors.add(new Client(donor));
                recipients.add(new Client(recipient));
                donors.get(p).flows().meter().authoriseRequester(RequestId.random(), recipient.name());
            }
        }
    }

    private CrashMeter meter(final org.postalfunds.hsm.client.PsdBridgeClient operator, final String organisation,
            final String name, final long funds) throws Exception {
        if (operator == null) {
            final ClientIdentity identity = net.registeredMeter(organisation, name, funds);
            return new CrashMeter(identity.name(), organisation, identity.mspId(), identity.certificate(),
                    identity.privateKey(), null, journals.resolve(identity.name() + ".json"));
        }
        final org.postalfunds.hsm.enrol.EnrolledMeter enrolled = net.bridgedMeter(organisation, name, funds, operator);
        final Path certificate = java.nio.file.Files.writeString(journals.resolve(enrolled.meterId() + ".pem"),
                org.hyperledger.fabric.client.identity.Identities.toPemString(enrolled.certificate()));
        return new CrashMeter(enrolled.meterId(), organisation, net.network.organisation(organisation).mspId(), certificate,
                null, bridge.access(enrolled.meterId()), journals.resolve(enrolled.meterId() + ".json"));
    }

    /** One run: a round of flows, one kill at a random moment, restart, resume, checks. */
    public Row run(final int run, final String component) throws Exception {
        final Map<String, Long> retriesBefore = net.retriesSnapshot();
        final long killAt = 100 + random.nextInt(2_400);
        final boolean clientRun = component.equals(CLIENT);
        final boolean betweenGrantAndAccept = clientRun && random.nextBoolean();
        final int victimPair = random.nextInt(pairs);
        final AtomicInteger completed = new AtomicInteger();
        final List<Thread> threads = new ArrayList<>();
        final List<String> runFlows = java.util.Collections.synchronizedList(new ArrayList<>());
        final List<String> stops = java.util.Collections.synchronizedList(new ArrayList<>());
        ChildClient child = null;
        final Map<String, FlowSpec> childFlows = new LinkedHashMap<>();
        for (int p = 0; p < pairs; p++) {
            final int pair = p;
            final boolean pull = (run + p) % 2 == 0;
            final String flowId = net.run + "-r" + run + "-p" + p;
            final FlowSpec spec = new FlowSpec(pull, p, 100 + random.nextInt(400), Instant.now().plusSeconds(120));
            final FlowSpec second = new FlowSpec(!spec.pull(), pair, spec.amount() + 1, spec.deadline());
            if (!(clientRun && p == victimPair)) {
                flowsStarted.put(flowId, spec);
                runFlows.add(flowId);
            }
            if (clientRun && p == victimPair) {
                // This pair's two flows run in a client process; between grant and accept means in whichever is a pull.
                donors.get(p).stop();
                recipients.get(p).stop();
                final Properties order = order(p, "round");
                order.setProperty("flows", new ClientProcess.FlowOrder(flowId, spec.pull(), spec.amount(), spec.deadline(),
                        betweenGrantAndAccept && spec.pull()).encode() + "," + new ClientProcess.FlowOrder(flowId + "b",
                        second.pull(), second.amount(), second.deadline(), betweenGrantAndAccept && second.pull()).encode());
                child = new ChildClient(order, "r" + run + "-round", completed, stops);
                childFlows.put(flowId, spec);
                childFlows.put(flowId + "b", second);
                continue;
            }
            final Thread thread = new Thread(() -> {
                try {
                    round(flowId, spec);
                    completed.incrementAndGet();
                    flowsStarted.put(flowId + "b", second);
                    round(flowId + "b", second);
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
        long restartMillis = 0;
        int resumedSteps = 0;
        int completedOnResume = 0;
        int cancelledOnResume = 0;
        int expired = 0;
        boolean recovered = false;
        if (clientRun) {
            // SIGKILL the process as it starts a submit (or as it holds a grant it has not accepted), then a new
            // process resumes from the two journal files alone.
            final String at = betweenGrantAndAccept ? child.await("HOLD", Duration.ofSeconds(150))
                    : child.await("STEP", Duration.ofSeconds(30));
            if (at != null && !betweenGrantAndAccept) {
                // Somewhere in the submit: before the proposal leaves, while it is endorsed or ordered, or in the commit wait.
                Thread.sleep(random.nextInt(1_500));
            }
            final long pid = child.kill();
            detail = "pid " + pid + (at != null ? (betweenGrantAndAccept ? " granted, not accepted " : " mid-submit ")
                    + at.substring(at.indexOf(' ') + 1).replace(net.run + "-", "") : " after: " + child.last);
            final long started = System.nanoTime();
            final ChildClient resumer = new ChildClient(order(victimPair, "resume"), "r" + run + "-resume",
                    new AtomicInteger(), stops);
            final String resumed = resumer.await("RESUMED", Duration.ofSeconds(240));
            resumer.process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
            if (resumed == null) {
                resumer.kill();
                stops.add("the resuming client process ended without resuming: " + resumer.last);
            } else {
                final String[] n = resumed.split(" ");
                resumedSteps += Integer.parseInt(n[1]);
                completedOnResume += Integer.parseInt(n[2]);
                cancelledOnResume += Integer.parseInt(n[3]);
                expired += Integer.parseInt(n[4]);
            }
            restartMillis = (System.nanoTime() - started) / 1_000_000;
            donors.get(victimPair).start();
            recipients.get(victimPair).start();
            // The checks cover the process's flows that may have reached the ledger (their first step repeated must
            // answer its first result); one it died before journalling never existed, and repeating it would open it.
            final ChildClient round = child;
            childFlows.forEach((flowId, spec) -> {
                if (round.reached.contains(flowId) || resumer.reached.contains(flowId)) {
                    flowsStarted.put(flowId, spec);
                    if (!flowId.endsWith("b")) {
                        runFlows.add(flowId);
                    }
                }
            });
        } else if (component.equals(BRIDGE)) {
            detail = "pid " + bridge.kill();
            restartMillis = bridge.launch().toMillis();
        } else {
            detail = "pid " + components.kill(component);
            // The network's component comes back while the clients are still retrying (they may finish on their own).
            final Components.Restart restart = components.restart(component);
            restartMillis = restart.took().toMillis();
            if (restart.recoveredFromTornWal()) {
                recovered = true;
                detail += ", torn WAL: rejoined";
            }
        }
        for (final Thread thread : threads) {
            thread.join(150_000);
        }
        stops.forEach(stop -> System.out.println("[crash]      stopped " + stop));
        for (final String flowId : new ArrayList<>(runFlows)) {
            if (flowsStarted.containsKey(flowId + "b")) {
                runFlows.add(flowId + "b");
            }
        }

        // Resume every journal (donors first, so a begun grant lands before its recipient decides), then recipients
        // acknowledge offers addressed to them that they never heard of (what their watcher would do).
        final List<String> notes = new ArrayList<>();
        for (int pass = 0; pass < 4; pass++) {
            int open = 0;
            for (final Client donor : donors) {
                final Flows.Resumed r = donor.flows().resume(Duration.ZERO);
                resumedSteps += r.stepsRepeated();
                expired += r.expired();
                open += r.stillOpen();
                notes.addAll(r.notes());
            }
            for (int p = 0; p < pairs; p++) {
                final Client recipient = recipients.get(p);
                final Flows.Resumed r = recipient.flows().resume(Duration.ofSeconds(2));
                resumedSteps += r.stepsRepeated();
                completedOnResume += r.completed();
                cancelledOnResume += r.cancelled();
                expired += r.expired();
                open += r.stillOpen();
                notes.addAll(r.notes());
                try {
                    for (final Transfer offered : recipient.flows().meter().transfers(TransferState.OFFERED, 100)) {
                        recipient.flows().acknowledge("ack-" + offered.transferId(), offered.transferId(),
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
                completedOnResume, cancelledOnResume, expired, openAfter, summary(retries), outcome, recovered);
        rows.add(row);
        System.out.println("[crash] " + format(row));
        return row;
    }

    private void round(final String flowId, final FlowSpec spec) throws LedgerException {
        final Client donor = donors.get(spec.pair());
        final Client recipient = recipients.get(spec.pair());
        if (spec.pull()) {
            final String transfer = recipient.flows().request(flowId, donor.name(), spec.amount(), spec.deadline());
            donor.flows().grant(flowId, transfer, recipient.name(), spec.amount(), spec.deadline());
            recipient.flows().accept(flowId);
        } else {
            final String transfer = donor.flows().offer(flowId, recipient.name(), spec.amount(), spec.deadline());
            recipient.flows().acknowledge("ack-" + flowId, transfer, donor.name(), spec.amount());
            donor.flows().settled(flowId);
        }
    }

    /** The order for a client process driving pair {@code p}'s two meters with their journal files. */
    private Properties order(final int p, final String mode) {
        final Properties order = new Properties();
        order.setProperty("network", components.networkJson().toString());
        order.setProperty("mode", mode);
        donors.get(p).meter.write(order, "donor.");
        recipients.get(p).meter.write(order, "recipient.");
        return order;
    }

    /** Transfers of the harness's meters still open: those past their deadline are expired (one pass); returns the rest. */
    private int expiryPass() throws Exception {
        net.awaitPeersInStep(Duration.ofSeconds(15));
        int open = 0;
        for (int p = 0; p < pairs; p++) {
            for (final TransferState state : TransferState.OPEN) {
                for (final Transfer t : net.auditor().transfers(donors.get(p).name(), state, 1_000)) {
                    if (Instant.now().getEpochSecond() >= t.deadlineEpochSeconds()) {
                        donors.get(p).flows().meter().expire(RequestId.random(), t.transferId());
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
                    ? recipient.flows().meter().request(Flows.requestId(flowId, "request"), donor.name(), spec.amount(),
                            spec.deadline()).transferId()
                    : donor.flows().meter().offer(Flows.requestId(flowId, "offer"), recipient.name(), spec.amount(),
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
        // A run whose orderer had to be removed from the channel and joined again is counted apart: that restart took an
        // operator's recovery (recover-orderer.sh), not just a start.
        out.append("\ncomponent               kills  pass  fail  restart ms (mean)  flows done before resume  resumed steps"
                + "  orderer recovered from torn WAL\n");
        final Map<String, List<Row>> by = new TreeMap<>();
        rows.forEach(r -> by.computeIfAbsent(r.component(), c -> new ArrayList<>()).add(r));
        by.forEach((c, list) -> {
            if (!list.isEmpty()) {
                out.append(String.format("%-22s %6d %5d %5d %18.0f %17d/%-8d %12d  %31d%n", c, list.size(),
                        list.stream().filter(r -> r.outcome().equals("PASS")).count(),
                        list.stream().filter(r -> !r.outcome().equals("PASS")).count(),
                        list.stream().mapToLong(Row::restartMillis).average().orElse(0),
                        list.stream().mapToInt(Row::completedInRound).sum(), list.stream().mapToInt(Row::flows).sum(),
                        list.stream().mapToInt(Row::resumedSteps).sum(),
                        list.stream().filter(Row::recoveredFromTornWal).count()));
            }
        });
        out.append(String.format("total                  %6d %5d %5d %91d%n", rows.size(),
                rows.stream().filter(r -> r.outcome().equals("PASS")).count(),
                rows.stream().filter(r -> !r.outcome().equals("PASS")).count(),
                rows.stream().filter(Row::recoveredFromTornWal).count()));
        return out.toString();
    }
}
