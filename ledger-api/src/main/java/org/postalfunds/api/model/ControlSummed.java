package org.postalfunds.api.model;

import org.postalfunds.api.Invariants;

/**
 * A record that carries its own proof: registers that only grow and a control sum over them. The contract checks it
 * on every read from and every write to the ledger (a broken one is INVARIANT_VIOLATED, a bug); an auditor re-checks
 * it on what the ledger answers and reports a broken one rather than trusting it.
 */
public interface ControlSummed {
    /** True when no register is negative and the control sum holds (without overflow). */
    boolean controlSumHolds();

    /** What the record is, for a message ("meter m1", "allotment d1/r1"). */
    String subject();

    /** Throws INVARIANT_VIOLATED unless {@link #controlSumHolds()}. */
    default void requireControlSum() {
        Invariants.check(controlSumHolds(), "control sum broken on " + subject());
    }
}
