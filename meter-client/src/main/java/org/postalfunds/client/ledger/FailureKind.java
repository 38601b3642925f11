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
    INVALIDATED(false),
    /**
     * The endorsing peers answered with different results (the gateway's {@code ProposalResponsePayloads do not
     * match}): they simulated against different versions of a key, typically because one of them had not yet
     * committed the block that changed it. Nothing was ordered; the same call again will likely pass.
     */
    ENDORSEMENT_MISMATCH(true),
    /**
     * The chaincode refused with a code that a peer still a block or two behind gives for a step that is in fact
     * allowed ({@link ChaincodeErrorCodes#LAG_SENSITIVE}: the transfer, meter or package it names is not there yet,
     * or is still in its previous state). Retried for as long as the retry policy allows; a refusal that outlasts
     * it is reported as {@link #REFUSED}, so no caller ever sees this kind in a {@link LedgerException}.
     */
    ENDORSER_BEHIND(true);

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
