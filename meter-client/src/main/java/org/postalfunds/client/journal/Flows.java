package org.postalfunds.client.journal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.api.model.Transfer;
import org.postalfunds.api.model.TransferState;
import org.postalfunds.client.MeterClient;
import org.postalfunds.client.RequestId;
import org.postalfunds.client.journal.FlowJournal.Flow;
import org.postalfunds.client.journal.FlowJournal.Kind;
import org.postalfunds.client.journal.FlowJournal.Step;
import org.postalfunds.client.ledger.FailureKind;
import org.postalfunds.client.ledger.LedgerException;
import org.postalfunds.client.model.TransferChange;

/**
 * A meter's transfer flows with a durable journal: every step is written to the {@link FlowJournal} (with its request
 * id, derived from the flow id and the step) before it is submitted, and marked committed after. {@link #resume}
 * completes or cancels whatever a crash left open, the client's own crash included:
 *
 * <ul>
 *   <li>a step begun and not known to have committed is submitted again, byte for byte, with the same request id (the
 *       contract answers a committed one with its first result and moves nothing again);
 *   <li>then, from the transfer's state on the ledger: a recipient takes granted funds (accept) before the deadline,
 *       withdraws a request nobody granted (cancel, after a short wait for the donor), and expires what is past its
 *       deadline; a donor's offer past its deadline is expired back; a flow whose transfer has ended leaves the journal.
 * </ul>
 *
 * <p>Thread-safe: flows of one meter may run concurrently; each flow is driven by one thread at a time.
 */
public final class Flows {
    /** What {@link #resume} did. */
    public record Resumed(int flows, int stepsRepeated, int completed, int cancelled, int expired, int ended, int stillOpen,
            List<String> notes) {
    }

    private final MeterClient meter;
    private final FlowJournal journal;
    private final Clock clock;

    public Flows(final MeterClient meter, final FlowJournal journal, final Clock clock) {
        this.meter = Objects.requireNonNull(meter);
        this.journal = Objects.requireNonNull(journal);
        this.clock = Objects.requireNonNull(clock);
    }

    public MeterClient meter() {
        return meter;
    }

    public FlowJournal journal() {
        return journal;
    }

    /** The request id of a flow's step: the same flow and step, the same id, in this process or after a restart. */
    public static RequestId requestId(final String flowId, final String step) {
        return RequestId.derived("flow-" + step, flowId);
    }

    // ---- as recipient of a pull ---------------------------------------------------------------------------------

    /** Requests funds from {@code donor}; returns the transfer id. */
    public String request(final String flowId, final String donor, final long amount, final Instant deadline)
            throws LedgerException {
        journal.start(new Flow(flowId, Kind.PULL_RECIPIENT, donor, amount, deadline.getEpochSecond(), null, List.of()));
        return submit(flowId, "request", null).transfer().transferId();
    }

    public TransferChange accept(final String flowId) throws LedgerException {
        final TransferChange change = submit(flowId, "accept", null);
        journal.end(flowId);
        return change;
    }

    public TransferChange cancel(final String flowId) throws LedgerException {
        final TransferChange change = submit(flowId, "cancel", null);
        journal.end(flowId);
        return change;
    }

    // ---- as donor of a pull -------------------------------------------------------------------------------------

    public TransferChange grant(final String flowId, final String transferId, final String recipient, final long amount,
            final Instant escrowDeadline) throws LedgerException {
        journal.start(new Flow(flowId, Kind.PULL_DONOR, recipient, amount, escrowDeadline.getEpochSecond(), transferId,
                List.of()));
        final TransferChange change = submit(flowId, "grant", String.valueOf(escrowDeadline.getEpochSecond()));
        journal.end(flowId);
        return change;
    }

    // ---- push ---------------------------------------------------------------------------------------------------

    /** Offers funds to {@code recipient}; returns the transfer id. The flow stays open until the offer settles. */
    public String offer(final String flowId, final String recipient, final long amount, final Instant deadline)
            throws LedgerException {
        journal.start(new Flow(flowId, Kind.PUSH_DONOR, recipient, amount, deadline.getEpochSecond(), null, List.of()));
        return submit(flowId, "offer", null).transfer().transferId();
    }

    /** The donor learns its offer settled (acknowledged, rejected or expired): the flow leaves the journal. */
    public void settled(final String flowId) {
        journal.end(flowId);
    }

    public TransferChange acknowledge(final String flowId, final String transferId, final String donor, final long amount)
            throws LedgerException {
        journal.start(new Flow(flowId, Kind.PUSH_RECIPIENT, donor, amount, 0, transferId, List.of()));
        final TransferChange change = submit(flowId, "acknowledge", null);
        journal.end(flowId);
        return change;
    }

    // ---- the journaled submit -----------------------------------------------------------------------------------

    private TransferChange submit(final String flowId, final String step, final String argument) throws LedgerException {
        final RequestId id = requestId(flowId, step);
        Flow flow = journal.record(flowId, new Step(step, id.value(), argument, false), null);
        final TransferChange change = call(flow, step, id, argument);
        journal.record(flowId, new Step(step, id.value(), argument, true), change.transfer().transferId());
        return change;
    }

    private TransferChange call(final Flow flow, final String step, final RequestId id, final String argument)
            throws LedgerException {
        return switch (step) {
            case "request" -> meter.request(id, flow.counterparty(), flow.amountMinorUnits(),
                    Instant.ofEpochSecond(flow.deadlineEpochSeconds()));
            case "offer" -> meter.offer(id, flow.counterparty(), flow.amountMinorUnits(),
                    Instant.ofEpochSecond(flow.deadlineEpochSeconds()));
            case "grant" -> meter.grant(id, flow.transferId(), Instant.ofEpochSecond(Long.parseLong(argument)));
            case "accept" -> meter.accept(id, flow.transferId());
            case "cancel" -> meter.cancel(id, flow.transferId());
            case "acknowledge" -> meter.acknowledge(id, flow.transferId());
            case "expire" -> meter.expire(id, flow.transferId());
            default -> throw new IllegalStateException("unknown step " + step);
        };
    }

    // ---- resume -------------------------------------------------------------------------------------------------

    /**
     * Completes or cancels every flow left in the journal. Bounded: each flow gets its pending step repeated once
     * (with the connection's retries), at most {@code grantWait} of waiting for a donor to grant, and one closing
     * step. A flow that the ledger still cannot be reached for stays in the journal for the next resume.
     */
    public Resumed resume(final Duration grantWait) throws InterruptedException {
        int repeated = 0;
        int completed = 0;
        int cancelled = 0;
        int expired = 0;
        int ended = 0;
        final List<String> notes = new ArrayList<>();
        final List<Flow> flows = journal.openFlows();
        for (Flow flow : flows) {
            try {
                // 1. The step a crash interrupted, again with its request id.
                final var pending = flow.pending();
                if (pending.isPresent()) {
                    final Step step = pending.get();
                    repeated++;
                    try {
                        final TransferChange change = call(flow, step.name(), RequestId.of(step.requestId()), step.argument());
                        flow = journal.record(flow.flowId(), new Step(step.name(), step.requestId(), step.argument(), true),
                                change.transfer().transferId());
                    } catch (LedgerException e) {
                        if (e.kind() != FailureKind.REFUSED) {
                            throw e;
                        }
                        notes.add(flow.flowId() + ": " + step.name() + " refused on resume (" + e.errorCode().map(Enum::name).orElse("?") + ")");
                        if (flow.transferId() == null) {
                            // A request or offer refused for good: nothing was opened.
                            journal.end(flow.flowId());
                            ended++;
                            continue;
                        }
                    }
                }
                if (flow.transferId() == null) {
                    journal.end(flow.flowId());
                    ended++;
                    continue;
                }
                // 2. Drive the transfer to an end from its state on the ledger.
                Transfer transfer = meter.transfer(flow.transferId()).transfer();
                final boolean pastDeadline = clock.instant().getEpochSecond() >= transfer.deadlineEpochSeconds();
                switch (flow.kind()) {
                    case PULL_RECIPIENT -> {
                        if (transfer.state() == TransferState.REQUESTED && !pastDeadline) {
                            transfer = awaitGrant(flow.transferId(), grantWait);
                        }
                        final boolean late = clock.instant().getEpochSecond() >= transfer.deadlineEpochSeconds();
                        if (TransferState.OPEN.contains(transfer.state()) && late) {
                            close(flow, "expire");
                            expired++;
                        } else if (transfer.state() == TransferState.GRANTED) {
                            close(flow, "accept");
                            completed++;
                        } else if (transfer.state() == TransferState.REQUESTED) {
                            close(flow, "cancel");
                            cancelled++;
                        } else {
                            journal.end(flow.flowId());
                            ended++;
                        }
                    }
                    case PUSH_DONOR -> {
                        if (transfer.state() == TransferState.OFFERED && pastDeadline) {
                            close(flow, "expire");
                            expired++;
                        } else if (transfer.state() != TransferState.OFFERED) {
                            journal.end(flow.flowId());
                            ended++;
                        }
                        // Still OFFERED before its deadline: the recipient's to answer; kept for the next resume.
                    }
                    case PULL_DONOR, PUSH_RECIPIENT -> {
                        // Their one step is done (or was refused for good): the recipient or the deadline decides the rest.
                        journal.end(flow.flowId());
                        ended++;
                    }
                    default -> throw new IllegalStateException();
                }
            } catch (LedgerException e) {
                notes.add(flow.flowId() + ": still open (" + e.kind() + ": " + e.getMessage() + ")");
            }
        }
        return new Resumed(flows.size(), repeated, completed, cancelled, expired, ended, journal.openFlows().size(), notes);
    }

    private static final Set<ErrorCode> SETTLED_ANYWAY =
            Set.of(ErrorCode.ILLEGAL_TRANSITION, ErrorCode.DEADLINE_PASSED, ErrorCode.DEADLINE_NOT_REACHED);

    private void close(final Flow flow, final String step) throws LedgerException {
        try {
            submit(flow.flowId(), step, null);
        } catch (LedgerException e) {
            // Another party moved it on meanwhile (the donor's expiry, a deadline passing): look again next time.
            if (e.kind() != FailureKind.REFUSED || e.errorCode().filter(SETTLED_ANYWAY::contains).isEmpty()) {
                throw e;
            }
            final Transfer now = meter.transfer(flow.transferId()).transfer();
            if (TransferState.OPEN.contains(now.state())) {
                throw e;
            }
        }
        journal.end(flow.flowId());
    }

    private Transfer awaitGrant(final String transferId, final Duration wait) throws LedgerException, InterruptedException {
        final long until = System.nanoTime() + wait.toNanos();
        Transfer transfer = meter.transfer(transferId).transfer();
        while (transfer.state() == TransferState.REQUESTED && System.nanoTime() < until) {
            Thread.sleep(250);
            transfer = meter.transfer(transferId).transfer();
        }
        return transfer;
    }
}
