package org.postalfunds.api.model;

/**
 * Funds of one transfer between grant/offer and settlement. The key exists only while it holds funds; once
 * delivered or returned it is deleted (its history stays on the ledger).
 *
 * @param fundingAccount where the funds came from, and so where they return to (a meter or an allotment)
 */
public record Escrow(
        String transferId, String donorMeterId, String recipientMeterId, String fundingAccount, long heldMinorUnits)
        implements ControlSummed {

    public Escrow withHeld(final long held) {
        final Escrow escrow = new Escrow(transferId, donorMeterId, recipientMeterId, fundingAccount, held);
        escrow.requireControlSum();
        return escrow;
    }

    /** An escrow's only register: what it holds, never negative. */
    @Override
    public boolean controlSumHolds() {
        return heldMinorUnits >= 0;
    }

    @Override
    public String subject() {
        return "escrow " + transferId;
    }
}
