package org.postalfunds.api.model;

import org.postalfunds.api.Amounts;

/**
 * A distributor's vault share reserved for one recipient (Fig. 4, vault 172). Grants to that recipient debit only
 * this key, so grants to different recipients never touch the same key: no MVCC conflicts between them.
 *
 * <p>Control sum: {@code available + granted + released == funded + returned}.
 *
 * @param fundedMinorUnits in from the distributor's meter, ever
 * @param releasedMinorUnits back to the distributor's meter, ever
 * @param grantedMinorUnits out to escrow for grants, ever
 * @param returnedMinorUnits back from escrow (cancelled, expired), ever
 */
public record Allotment(
        String distributorMeterId,
        String recipientMeterId,
        long availableMinorUnits,
        long fundedMinorUnits,
        long releasedMinorUnits,
        long grantedMinorUnits,
        long returnedMinorUnits) implements ControlSummed {

    public static Allotment empty(final String distributorMeterId, final String recipientMeterId) {
        return new Allotment(distributorMeterId, recipientMeterId, 0, 0, 0, 0, 0);
    }

    public Allotment fund(final long amount) {
        Amounts.add(Amounts.add(fundedMinorUnits, returnedMinorUnits), amount);
        return checked(new Allotment(distributorMeterId, recipientMeterId, Amounts.add(availableMinorUnits, amount),
                Amounts.add(fundedMinorUnits, amount), releasedMinorUnits, grantedMinorUnits, returnedMinorUnits));
    }

    public Allotment returnFromEscrow(final long amount) {
        Amounts.add(Amounts.add(fundedMinorUnits, returnedMinorUnits), amount);
        return checked(new Allotment(distributorMeterId, recipientMeterId, Amounts.add(availableMinorUnits, amount),
                fundedMinorUnits, releasedMinorUnits, grantedMinorUnits, Amounts.add(returnedMinorUnits, amount)));
    }

    public Allotment release(final long amount) {
        return checked(new Allotment(distributorMeterId, recipientMeterId, debitAvailable(amount), fundedMinorUnits,
                Amounts.add(releasedMinorUnits, amount), grantedMinorUnits, returnedMinorUnits));
    }

    public Allotment grant(final long amount) {
        return checked(new Allotment(distributorMeterId, recipientMeterId, debitAvailable(amount), fundedMinorUnits,
                releasedMinorUnits, Amounts.add(grantedMinorUnits, amount), returnedMinorUnits));
    }

    @Override
    public boolean controlSumHolds() {
        if (availableMinorUnits < 0 || fundedMinorUnits < 0 || releasedMinorUnits < 0 || grantedMinorUnits < 0
                || returnedMinorUnits < 0) {
            return false;
        }
        try {
            return Math.addExact(Math.addExact(availableMinorUnits, grantedMinorUnits), releasedMinorUnits)
                    == Math.addExact(fundedMinorUnits, returnedMinorUnits);
        } catch (ArithmeticException overflow) {
            return false;
        }
    }

    @Override
    public String subject() {
        return "allotment " + distributorMeterId + "/" + recipientMeterId;
    }

    private long debitAvailable(final long amount) {
        return Amounts.debit(availableMinorUnits, amount,
                "allotment of " + distributorMeterId + " for " + recipientMeterId);
    }

    private static Allotment checked(final Allotment allotment) {
        allotment.requireControlSum();
        return allotment;
    }
}
