package org.postalfunds.client.model;

/**
 * A distributor's vault share for one recipient. Control sum:
 * {@code available + granted + released == funded + returned}.
 */
public record Allotment(
        String distributorMeterId,
        String recipientMeterId,
        long availableMinorUnits,
        long fundedMinorUnits,
        long releasedMinorUnits,
        long grantedMinorUnits,
        long returnedMinorUnits) {

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
}
