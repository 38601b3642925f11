package org.postalfunds.client.ledger;

import io.grpc.Status;
import org.hyperledger.fabric.protos.peer.TxValidationCode;

/** Why a ledger call failed, as far as retrying is concerned. */
public enum FailureKind {
    /** Another transaction changed a key this one read: the same call again will likely pass. */
    READ_CONFLICT(true),
    /** The network did not answer in time or was unreachable: the outcome is unknown; retry with the same request id. */
    TRANSIENT(true),
    /** The chaincode refused the call (bad input, not allowed, wrong state): retrying cannot help. */
    REFUSED(false),
    /** The transaction was ordered but invalidated for a reason other than a read conflict (e.g. endorsement policy). */
    INVALIDATED(false);

    private final boolean retryable;

    FailureKind(final boolean retryable) {
        this.retryable = retryable;
    }

    public boolean retryable() {
        return retryable;
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
                // The gateway answers ABORTED when endorsers disagree or a read set went stale mid-flight.
                return READ_CONFLICT;
            default:
                return REFUSED;
        }
    }
}
