package org.postalfunds.api;

/** Assertions on ledger invariants. A failure is a bug in the contract, never bad input. */
public final class Invariants {
    private Invariants() {}

    public static void check(final boolean holds, final String invariant) {
        if (!holds) {
            throw ErrorCode.INVARIANT_VIOLATED.exception(invariant);
        }
    }
}
