package org.postalfunds.api.model;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The contract's conservation report: per-class totals of every account and its proof that they sum to
 * zero, as of the query's transaction time.
 *
 * @param refundedMinorUnits postage refunded, ever, over all meters (taken out of POSTAGE_REVENUE)
 * @param refundsCreditedMinorUnits refunds credited to meters, ever; equal to refundedMinorUnits on a sound ledger
 *     (a refund may be credited to another meter than the printing one, never to none or to two)
 * @param pendingInflowMinorUnits credits on the meters' inflow keys not yet folded into their registers; part of
 *     the METER total
 */
public record AuditTotals(
        Map<String, Long> totalsMinorUnits,
        Proof proof,
        long meters,
        long pieces,
        long allotments,
        long openEscrows,
        long refundedMinorUnits,
        long refundsCreditedMinorUnits,
        long asOfEpochSeconds,
        long pendingInflowMinorUnits) {

    public AuditTotals {
        totalsMinorUnits = Collections.unmodifiableSortedMap(new TreeMap<>(totalsMinorUnits == null ? Map.of() : totalsMinorUnits));
    }

    /** The contract's own summary: the equation, the sum it found, and how many control sums it re-checked. */
    public record Proof(String equation, long sumMinorUnits, boolean balanced, long controlSumsChecked) {
    }

    public long total(final String accountClass) {
        return totalsMinorUnits.getOrDefault(accountClass, 0L);
    }
}
