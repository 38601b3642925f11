package org.postalfunds.client.ledger;

import io.grpc.Status;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import org.hyperledger.fabric.protos.peer.TxValidationCode;
import org.postalfunds.api.ErrorCode;

/** Why a ledger call failed, as far as retrying is concerned. */
public enum FailureKind {
    /** Another transaction changed a key this one read: the same call again will likely pass. */
    READ_CONFLICT(true),
    /** The network did not answer in time or was unreachable: the outcome is unknown; retry with the same request id. */
    TRANSIENT(true),
    /** The chaincode refused the call (bad input, not allowed, wrong state): retrying cannot help. */
    REFUSED(false),
    /** The transaction was ordered but invalidated for a reason other than a read conflict (e.g. endorsement policy). */
    INVALIDATED(false),
    /**
     * The endorsing peers answered with different results (the gateway's {@code ProposalResponsePayloads do not
     * match}): they simulated against different versions of a key, typically because one of them had not yet
     * committed the block that changed it. Nothing was ordered; the same call again will likely pass.
     */
    ENDORSEMENT_MISMATCH(true),
    /**
     * The chaincode refused with a code that a peer still a block or two behind gives for a step that is in fact
     * allowed ({@link #LAG_SENSITIVE_CODES}: the transfer, meter or package it names is not there yet,
     * or is still in its previous state). Retried for as long as the retry policy allows; a refusal that outlasts
     * it is reported as {@link #REFUSED}, so no caller ever sees this kind in a {@link LedgerException}.
     */
    ENDORSER_BEHIND(true),
    /**
     * An endorsing peer could not reach the chaincode service (the gateway's {@code ABORTED: failed to endorse
     * transaction ... could not launch chaincode ... connection refused}, or the chaincode stream terminated): nothing
     * was endorsed. Retried at the outage pace: the service has to come back first.
     */
    CHAINCODE_UNREACHABLE(true, Pace.OUTAGE),
    /**
     * Not enough endorsing peers are up to satisfy the endorsement policy (a required organisation's peer is down:
     * {@code failed to select a set of endorsers ... due to unavailability of peers}, {@code failed to find any
     * endorsing peers for org(s)}, {@code no combination of peers can be derived which satisfy the endorsement
     * policy} while discovery has not yet seen a restarted peer again, an endorser that refused the connection, or one
     * that did not answer within the gateway's endorsement timeout: cut off the network). Nothing was endorsed; retried at the
     * outage pace. Before, the gateway's FAILED_PRECONDITION made this a final REFUSED.
     */
    ENDORSERS_UNAVAILABLE(true, Pace.OUTAGE),
    /** The client's own gateway peer did not answer (connection refused, reset): retried at the outage pace. */
    PEER_UNREACHABLE(true, Pace.OUTAGE),
    /** No orderer took the envelope ({@code no orderers could successfully process transaction}): nothing ordered. */
    ORDERER_UNAVAILABLE(true, Pace.OUTAGE),
    /**
     * The signer could not sign (the HSM bridge unreachable or timing out: killed, restarting): the proposal, the
     * transaction or the commit status request was not sent. Retried at the outage pace with the same request id.
     */
    SIGNER_UNAVAILABLE(true, Pace.OUTAGE),
    /** A deadline passed (endorse, submit or evaluate): the outcome is unknown; retried with the same request id. */
    TIMEOUT(true),
    /**
     * The commit status did not come within the commit wait and the peer's ledger ({@code qscc GetTransactionByID})
     * does not hold the transaction: an orderer acknowledged it and lost it (killed before cutting the block), or it
     * is still on its way. Resubmitted at once with the same request id: if the first one commits after all, the
     * contract answers the second with its first result (or the second fails its read of the request key).
     */
    COMMIT_UNSEEN(true, Pace.QUICK);

    /** How soon a retry of this kind is worth making. */
    public enum Pace {
        /** Nothing to wait for (a resubmission, an endorser a block behind): short jittered backoff. */
        QUICK,
        /** Others wrote the same keys: exponential backoff with full jitter, so they do not collide again. */
        CONTENTION,
        /** A component is down: at least a second between attempts, up to twice the policy's longest backoff. */
        OUTAGE
    }

    /**
     * Refusals that a peer which has not yet committed the caller's previous step (or the other party's) gives for a
     * step that is allowed: the gateway reports a commit once the client's own peer has it, while another
     * organisation's endorsing peer may still be a block behind. A client retries these with the same request id,
     * bounded by its retry policy; nothing is written by a refused proposal, so the retry cannot act twice.
     * INSUFFICIENT_FUNDS is deliberately not here: it is usually final, and waiting on it would hide real shortages.
     * UNKNOWN_REFUND (an approval or rejection right after the request) and METER_NOT_FAILED (a replacement right after
     * the failure report) are the refund's and the replacement's UNKNOWN_TRANSFER: on 100 ms blocks a rejection
     * right after the request met an endorser that had not yet committed the request (RefundsOnRealPeersTest).
     * TRANSFERS_OPEN: a withdrawal right after the meter's last transfer was cancelled met an endorser that still saw
     * it open (PatentScenariosOnRealPeersTest); a withdrawal that is truly refused now answers after the retries.
     */
    public static final Set<ErrorCode> LAG_SENSITIVE_CODES = Set.copyOf(EnumSet.of(ErrorCode.UNKNOWN_TRANSFER,
            ErrorCode.ILLEGAL_TRANSITION, ErrorCode.PIECE_NUMBER_MISMATCH, ErrorCode.UNKNOWN_METER,
            ErrorCode.UNKNOWN_ALLOTMENT, ErrorCode.PACKAGE_NOT_AVAILABLE, ErrorCode.UNKNOWN_REFUND,
            ErrorCode.METER_NOT_FAILED, ErrorCode.TRANSFERS_OPEN));

    private final boolean retryable;
    private final Pace pace;

    FailureKind(final boolean retryable) {
        this(retryable, Pace.CONTENTION);
    }

    FailureKind(final boolean retryable, final Pace pace) {
        this.retryable = retryable;
        this.pace = pace;
    }

    public boolean retryable() {
        return retryable;
    }

    public Pace pace() {
        return pace;
    }

    /**
     * Classifies a gateway failure by its real cause, read from the status description and the error details the
     * gateway attaches (one per endorser or orderer that failed), falling back to {@link #of(Status.Code)}.
     * A chaincode's own refusal ({@code chaincode response 500, ...}) and endorsers that disagree are recognised by
     * the caller before this.
     */
    public static FailureKind classify(final Status.Code code, final String description, final String details) {
        final String text = ((description == null ? "" : description) + " | " + (details == null ? "" : details))
                .toLowerCase(Locale.ROOT);
        if (text.contains("could not launch chaincode") || text.contains("chaincode stream terminated")
                || text.contains("error starting container") || text.contains("chaincode registration failed")
                || (text.contains("chaincode") && text.contains("connection refused") && text.contains("failed to endorse"))) {
            return CHAINCODE_UNREACHABLE;
        }
        if (text.contains("unavailability of peers") || text.contains("no combination of peers can be derived")
                || text.contains("no peer combination can satisfy") || text.contains("failed to find any endorsing peers")
                || text.contains("no peers available") || text.contains("failed to collect enough transaction endorsements")
                || (text.contains("failed to endorse") && (text.contains("connection refused") || text.contains("unavailable")
                        || text.contains("deadline exceeded") || text.contains("deadlineexceeded")))) {
            return ENDORSERS_UNAVAILABLE;
        }
        if (text.contains("orderers could successfully process") || text.contains("insufficient number of orderers")
                || text.contains("broadcasting to ordering service")) {
            return code == Status.Code.DEADLINE_EXCEEDED ? TIMEOUT : ORDERER_UNAVAILABLE;
        }
        if (code == Status.Code.UNAVAILABLE) {
            return PEER_UNREACHABLE;
        }
        if (code == Status.Code.DEADLINE_EXCEEDED) {
            return TIMEOUT;
        }
        return of(code);
    }

    /**
     * Classifies a signer's failure (the gateway client wraps its {@link java.security.GeneralSecurityException} in a
     * {@link java.security.ProviderException}) by the gRPC status of the HSM bridge call under it, if any: unreachable,
     * timed out or overloaded is {@link #SIGNER_UNAVAILABLE}; anything else (a refusal, a key not in the token) is final.
     */
    public static FailureKind ofSigner(final Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof io.grpc.StatusRuntimeException grpc) {
                final Status.Code code = grpc.getStatus().getCode();
                return code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED
                        || code == Status.Code.RESOURCE_EXHAUSTED ? SIGNER_UNAVAILABLE : REFUSED;
            }
        }
        return REFUSED;
    }

    /** Classifies a committed-but-invalid transaction by its validation code. */
    public static FailureKind of(final TxValidationCode code) {
        switch (code) {
            case MVCC_READ_CONFLICT:
            case PHANTOM_READ_CONFLICT:
                return READ_CONFLICT;
            default:
                return INVALIDATED;
        }
    }

    /** Classifies a gRPC failure from the gateway (endorse, submit or commit status). */
    public static FailureKind of(final Status.Code code) {
        switch (code) {
            case DEADLINE_EXCEEDED:
            case UNAVAILABLE:
            case RESOURCE_EXHAUSTED:
                return TRANSIENT;
            case ABORTED:
                // The gateway gave up collecting endorsements (an endorser failed without a chaincode answer) or the
                // orderer refused the envelope: nothing was committed. Endorsers that disagree are recognised by the
                // connection from the error details (ENDORSEMENT_MISMATCH); an MVCC conflict only ever shows as a
                // commit status.
                return TRANSIENT;
            default:
                return REFUSED;
        }
    }
}
