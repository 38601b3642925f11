package org.postalfunds.chaincode.escrow;

/** When, relative to the transfer's current deadline, a step is allowed. The deadline itself counts as passed. */
public enum DeadlineRule {
    ANY_TIME,
    BEFORE_DEADLINE,
    AFTER_DEADLINE;

    boolean allows(final boolean deadlinePassed) {
        return switch (this) {
            case ANY_TIME -> true;
            case BEFORE_DEADLINE -> !deadlinePassed;
            case AFTER_DEADLINE -> deadlinePassed;
        };
    }
}
