package org.postalfunds.client.faults;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.postalfunds.client.journal.Flows;
import org.postalfunds.client.ledger.LedgerException;
import org.postalfunds.client.ledger.RetryListener;
import org.postalfunds.testnetwork.NetworkDescription;

/**
 * A client process of the crash harness: one donor and one recipient meter of a pair, driven in a JVM of its own
 * with their journal files, so that the harness can SIGKILL a real client process (mid-submit, or between grant and
 * accept) and start a new one that resumes from the journals alone.
 *
 * <p>{@code ClientProcess FILE}: the properties file names the network ({@code network}: network.json), the two meters
 * ({@code donor.*}, {@code recipient.*}: see {@link CrashMeter}), the {@code mode} and, for {@code round}, the flows.
 * Mode {@code round} runs each flow (a pull or push transfer, as the harness's own rounds do); mode {@code resume}
 * resumes both journals (donor first) and acknowledges offers the recipient never heard of. The process tells its
 * parent what it does on standard output, one line each: {@code START flow}, {@code STEP flow step} (before each
 * submit), {@code HOLD flow} (granted; waits for its end, which is a SIGKILL), {@code DONE flow}, {@code STOPPED flow
 * reason}, {@code RETRY kind code}, {@code JOURNAL flow steps} (an open flow found when resuming), {@code RESUMED steps
 * completed cancelled expired open}, and exits 0.
 */
public final class ClientProcess {
    /** One flow: its id, pull or push, amount, deadline, and whether to hold between grant and accept. */
    record FlowOrder(String flowId, boolean pull, long amount, Instant deadline, boolean holdAfterGrant) {
        String encode() {
            return flowId + ";" + pull + ";" + amount + ";" + deadline.getEpochSecond() + ";" + holdAfterGrant;
        }

        static FlowOrder decode(final String text) {
            final String[] f = text.split(";");
            return new FlowOrder(f[0], Boolean.parseBoolean(f[1]), Long.parseLong(f[2]), Instant.ofEpochSecond(Long.parseLong(f[3])),
                    Boolean.parseBoolean(f[4]));
        }
    }

    private ClientProcess() {
    }

    public static void main(final String[] args) throws Exception {
        final Properties order = new Properties();
        try (Reader reader = Files.newBufferedReader(Path.of(args[0]), StandardCharsets.UTF_8)) {
            order.load(reader);
        }
        final PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        final LiveNetwork net = new LiveNetwork(NetworkDescription.read(Path.of(order.getProperty("network"))));
        final RetryListener report = (call, attempt, kind, code) -> out.println("RETRY " + kind + (code == null ? "" : " " + code));
        final CrashMeter donorMeter = CrashMeter.read(order, "donor.");
        final CrashMeter recipientMeter = CrashMeter.read(order, "recipient.");
        try (CrashMeter.Session donor = donorMeter.open(net, CrashHarness.POLICY, CrashHarness.COMMIT_WAIT, report);
                CrashMeter.Session recipient = recipientMeter.open(net, CrashHarness.POLICY, CrashHarness.COMMIT_WAIT, report)) {
            if (order.getProperty("mode").equals("resume")) {
                final int[] r = resume(donor.flows(), recipient.flows(), out);
                out.println("RESUMED " + r[0] + " " + r[1] + " " + r[2] + " " + r[3] + " " + r[4]);
            } else {
                for (final String text : order.getProperty("flows").split(",")) {
                    final FlowOrder flow = FlowOrder.decode(text);
                    out.println("START " + flow.flowId());
                    try {
                        round(donor.flows(), donorMeter.name(), recipient.flows(), recipientMeter.name(), flow, out);
                        out.println("DONE " + flow.flowId());
                    } catch (LedgerException | RuntimeException e) {
                        // The flow stops here; the journal carries it over (as a client that gave up would).
                        out.println("STOPPED " + flow.flowId() + " " + (e instanceof LedgerException le ? le.kind() + " " : "")
                                + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
                        break;
                    }
                }
            }
        }
        out.flush();
        System.exit(0);
    }

    private static void round(final Flows donor, final String donorName, final Flows recipient, final String recipientName,
            final FlowOrder flow, final PrintStream out) throws LedgerException, InterruptedException {
        final String id = flow.flowId();
        if (flow.pull()) {
            out.println("STEP " + id + " request");
            final String transfer = recipient.request(id, donorName, flow.amount(), flow.deadline());
            out.println("STEP " + id + " grant");
            donor.grant(id, transfer, recipientName, flow.amount(), flow.deadline());
            if (flow.holdAfterGrant()) {
                out.println("HOLD " + id);
                // Granted, not yet accepted: the harness kills the process here. Never accept on its own.
                TimeUnit.MINUTES.sleep(10);
                throw new IllegalStateException("held for 10 minutes and not killed");
            }
            out.println("STEP " + id + " accept");
            recipient.accept(id);
        } else {
            out.println("STEP " + id + " offer");
            final String transfer = donor.offer(id, recipientName, flow.amount(), flow.deadline());
            out.println("STEP " + id + " acknowledge");
            recipient.acknowledge("ack-" + id, transfer, donorName, flow.amount());
            donor.settled(id);
        }
    }

    /** Resumes both journals, donor first (so a begun grant lands before its recipient decides): {steps, completed, cancelled, expired, open}. */
    static int[] resume(final Flows donor, final Flows recipient, final PrintStream out) throws InterruptedException {
        final int[] totals = new int[5];
        // What the journals hold before anything is resumed: a flow with a step begun may have reached the ledger.
        for (final Flows flows : List.of(donor, recipient)) {
            flows.journal().openFlows().forEach(flow -> out.println("JOURNAL " + flow.flowId() + " " + flow.steps().size()));
        }
        for (final Flows.Resumed r : List.of(donor.resume(Duration.ZERO), recipient.resume(Duration.ofSeconds(2)))) {
            totals[0] += r.stepsRepeated();
            totals[1] += r.completed();
            totals[2] += r.cancelled();
            totals[3] += r.expired();
            totals[4] += r.stillOpen();
            r.notes().forEach(note -> out.println("NOTE " + note.lines().findFirst().orElse("")));
        }
        return totals;
    }

    /** The command line that runs this class in a new JVM with the test's class path. */
    static List<String> command(final Path orderFile) {
        return new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), ClientProcess.class.getName(),
                orderFile.toString()));
    }

    static Path writeOrder(final Path file, final Properties order) throws IOException {
        try (var writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            order.store(writer, "crash harness client process");
        }
        return file;
    }
}
