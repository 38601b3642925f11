package org.postalfunds.client.bench;

import org.postalfunds.client.ledger.FailureKind;
import org.postalfunds.client.ledger.LedgerException;

/** Why a benchmark transaction did not commit, in the categories the benchmark reports failed tx/s by. */
public enum FailureReason {
    /** Invalidated at commit because a key it read changed first (MVCC or phantom read conflict). */
    MVCC_CONFLICT,
    /** Not endorsed by the peers the policy needs, or invalidated for failing the endorsement policy. */
    ENDORSEMENT,
    /** The endorsing peers answered differently (read different versions; one was behind): nothing was ordered. */
    ENDORSEMENT_MISMATCH,
    /** No answer in time, or the gateway or peer was unavailable. */
    TIMEOUT,
    /** The chaincode refused the call with one of its error codes (a workload or balance problem). */
    REFUSED_BY_CONTRACT,
    /**
     * Refused with a lag-sensitive code ({@code FailureKind.LAG_SENSITIVE_CODES}: UNKNOWN_TRANSFER, ...): an
     * endorsing peer had not yet committed the block of the flow's previous step. The workloads repeat such a step.
     */
    ENDORSER_BEHIND,
    /** Invalidated at commit for another reason (the validation code is in the message). */
    INVALIDATED;

    public static FailureReason of(final LedgerException failure) {
        switch (failure.kind()) {
            case READ_CONFLICT:
                return MVCC_CONFLICT;
            case TRANSIENT:
                return TIMEOUT;
            case ENDORSEMENT_MISMATCH:
                return ENDORSEMENT_MISMATCH;
            case ENDORSER_BEHIND:
                return ENDORSER_BEHIND;
            case REFUSED:
                if (failure.errorCode().map(FailureKind.LAG_SENSITIVE_CODES::contains).orElse(false)) {
                    return ENDORSER_BEHIND;
                }
                return failure.errorCode().isPresent() ? REFUSED_BY_CONTRACT : ENDORSEMENT;
            case INVALIDATED:
            default:
                return String.valueOf(failure.getMessage()).contains("ENDORSEMENT_POLICY_FAILURE") ? ENDORSEMENT
                        : INVALIDATED;
        }
    }
}
