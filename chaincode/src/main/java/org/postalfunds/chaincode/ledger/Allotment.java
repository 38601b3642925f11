package org.postalfunds.chaincode.ledger;

import org.postalfunds.chaincode.support.Amounts;
import org.postalfunds.chaincode.support.Invariants;

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
        long returnedMinorUnits) {

    public Allotment {
        Invariants.check(availableMinorUnits >= 0 && fundedMinorUnits >= 0 && releasedMinorUnits >= 0
                        && grantedMinorUnits >= 0 && returnedMinorUnits >= 0,
                "negative register on allotment " + distributorMeterId + "/" + recipientMeterId);
        Invariants.check(controlSumHolds(availableMinorUnits, grantedMinorUnits, releasedMinorUnits, fundedMinorUnits,
                        returnedMinorUnits),
                "allotment control sum broken on " + distributorMeterId + "/" + recipientMeterId);
    }

    public static Allotment empty(final String distributorMeterId, final String recipientMeterId) {
        return new Allotment(distributorMeterId, recipientMeterId, 0, 0, 0, 0, 0);
    }

    Allotment fund(final long amount) {
        Amounts.add(Amounts.add(fundedMinorUnits, returnedMinorUnits), amount);
        return new Allotment(distributorMeterId, recipientMeterId, Amounts.add(availableMinorUnits, amount),
                Amounts.add(fundedMinorUnits, amount), releasedMinorUnits, grantedMinorUnits, returnedMinorUnits);
    }

    Allotment returnFromEscrow(final long amount) {
        Amounts.add(Amounts.add(fundedMinorUnits, returnedMinorUnits), amount);
        return new Allotment(distributorMeterId, recipientMeterId, Amounts.add(availableMinorUnits, amount),
                fundedMinorUnits, releasedMinorUnits, grantedMinorUnits, Amounts.add(returnedMinorUnits, amount));
    }

    Allotment release(final long amount) {
        return new Allotment(distributorMeterId, recipientMeterId, debitAvailable(amount), fundedMinorUnits,
                Amounts.add(releasedMinorUnits, amount), grantedMinorUnits, returnedMinorUnits);
    }

    Allotment grant(final long amount) {
        return new Allotment(distributorMeterId, recipientMeterId, debitAvailable(amount), fundedMinorUnits,
                releasedMinorUnits, Amounts.add(grantedMinorUnits, amount), returnedMinorUnits);
    }

    private long debitAvailable(final long amount) {
        return Amounts.debit(availableMinorUnits, amount,
                "allotment of " + distributorMeterId + " for " + recipientMeterId);
    }

    private static boolean controlSumHolds(
            final long available, final long granted, final long released, final long funded, final long returned) {
        try {
            return Math.addExact(Math.addExact(available, granted), released) == Math.addExact(funded, returned);
        } catch (ArithmeticException overflow) {
            return false;
        }
    }
}
