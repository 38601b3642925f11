package org.postalfunds.client.journal;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A client's durable record of the transfer flows it has in progress: one small JSON file per client, rewritten
 * atomically (temporary file, fsync, rename) before every submit and after every commit. For each open flow: its id,
 * kind, counterparty, amount, deadline, the transfer id once known, and each step with its request id and whether it
 * committed. A flow leaves the file when it has ended. After any crash (the client's own, the network's) a client
 * built on the same file resumes every flow left in it ({@link Flows#resume}), with the same request ids, so nothing
 * is applied twice and no escrow stays stranded by a client that gave up.
 *
 * <p>Bounded: at most {@link #MAX_OPEN_FLOWS} open flows (a new one beyond is refused until others end).
 */
public final class FlowJournal {
    public static final int MAX_OPEN_FLOWS = 1_000;

    /** What a flow is, from this client's side. */
    public enum Kind {
        /** This meter requests funds, then accepts the grant (or cancels). */
        PULL_RECIPIENT,
        /** This meter grants a request addressed to it. */
        PULL_DONOR,
        /** This meter offers funds; the recipient acknowledges (or it expires back). */
        PUSH_DONOR,
        /** This meter acknowledges an offer made to it. */
        PUSH_RECIPIENT
    }

    /** One step of a flow: its name (request, grant, accept, cancel, offer, acknowledge, expire), request id, argument. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Step(String name, String requestId, String argument, boolean committed) {
        public Step {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(requestId, "requestId");
        }
    }

    /** One open flow. {@code deadlineEpochSeconds} is the request's or offer's deadline as submitted. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Flow(String flowId, Kind kind, String counterparty, long amountMinorUnits, long deadlineEpochSeconds,
            String transferId, List<Step> steps) {
        public Flow {
            Objects.requireNonNull(flowId, "flowId");
            Objects.requireNonNull(kind, "kind");
            steps = steps == null ? List.of() : List.copyOf(steps);
        }

        public Optional<Step> step(final String name) {
            return steps.stream().filter(s -> s.name().equals(name)).findFirst();
        }

        /** The last step begun and not known to have committed, if any. */
        public Optional<Step> pending() {
            return steps.isEmpty() || steps.get(steps.size() - 1).committed() ? Optional.empty()
                    : Optional.of(steps.get(steps.size() - 1));
        }

        Flow with(final Step step, final String newTransferId) {
            final List<Step> next = new ArrayList<>(steps);
            next.removeIf(s -> s.name().equals(step.name()));
            next.add(step);
            return new Flow(flowId, kind, counterparty, amountMinorUnits, deadlineEpochSeconds,
                    newTransferId != null ? newTransferId : transferId, next);
        }
    }

    record Contents(String owner, List<Flow> flows) {
    }

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final Path file;
    private final String owner;
    private final Map<String, Flow> open = new LinkedHashMap<>();
    private long writes;

    private FlowJournal(final Path file, final String owner) {
        this.file = file;
        this.owner = owner;
    }

    /** Opens (or creates) the journal of {@code owner} (a meter id) at {@code file}; a journal of another owner is refused. */
    public static FlowJournal open(final Path file, final String owner) throws IOException {
        final FlowJournal journal = new FlowJournal(file.toAbsolutePath(), Objects.requireNonNull(owner));
        if (Files.isRegularFile(file)) {
            final Contents contents = JSON.readValue(file.toFile(), Contents.class);
            if (!owner.equals(contents.owner())) {
                throw new IOException(file + " is the flow journal of " + contents.owner() + ", not of " + owner);
            }
            for (final Flow flow : contents.flows()) {
                journal.open.put(flow.flowId(), flow);
            }
        } else {
            Files.createDirectories(journal.file.getParent());
        }
        return journal;
    }

    public Path file() {
        return file;
    }

    public synchronized List<Flow> openFlows() {
        return List.copyOf(open.values());
    }

    public synchronized Optional<Flow> flow(final String flowId) {
        return Optional.ofNullable(open.get(flowId));
    }

    /** How many times the file was rewritten (each one fsynced). */
    public synchronized long writes() {
        return writes;
    }

    /** Records a new flow before its first submit. */
    synchronized Flow start(final Flow flow) {
        if (open.containsKey(flow.flowId())) {
            return open.get(flow.flowId());
        }
        if (open.size() >= MAX_OPEN_FLOWS) {
            throw new IllegalStateException("the flow journal " + file + " holds " + MAX_OPEN_FLOWS
                    + " open flows already: resume them first");
        }
        open.put(flow.flowId(), flow);
        write();
        return flow;
    }

    /** Records a step about to be submitted (not committed), or its commit. */
    synchronized Flow record(final String flowId, final Step step, final String transferId) {
        final Flow flow = open.get(flowId);
        if (flow == null) {
            throw new IllegalStateException("no open flow " + flowId + " in " + file);
        }
        final Flow next = flow.with(step, transferId);
        open.put(flowId, next);
        write();
        return next;
    }

    /** The flow has ended (settled, cancelled, expired, refused for good): it leaves the file. */
    synchronized void end(final String flowId) {
        if (open.remove(flowId) != null) {
            write();
        }
    }

    private void write() {
        final Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            final byte[] bytes = JSON.writerWithDefaultPrettyPrinter()
                    .writeValueAsBytes(new Contents(owner, new ArrayList<>(open.values())));
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                final ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            try {
                Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
            }
            writes++;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the flow journal " + file, e);
        }
    }
}
