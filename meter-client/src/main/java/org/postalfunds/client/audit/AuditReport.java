package org.postalfunds.client.audit;

import java.util.List;
import java.util.Objects;
import org.postalfunds.api.model.AuditTotals;

/**
 * The result of an audit: the contract's totals, the client's own checks of them, and how much of the
 * ledger was looked at.
 *
 * @param eventsReplayed events read to learn every meter, transfer and allotment
 * @param attempts how many runs it took to see the ledger standing still (totals equal before and after)
 */
public record AuditReport(AuditTotals totals, List<AuditCheck> checks, long eventsReplayed, long metersChecked,
        long transfersChecked, long allotmentsChecked, int attempts) {

    public AuditReport {
        Objects.requireNonNull(totals, "totals");
        checks = List.copyOf(checks);
    }

    /** True when every check held. */
    public boolean passed() {
        return checks.stream().allMatch(AuditCheck::passed);
    }
}
