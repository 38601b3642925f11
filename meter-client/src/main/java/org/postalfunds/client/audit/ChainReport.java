package org.postalfunds.client.audit;

import java.util.List;

/**
 * The result of verifying the chain from its blocks.
 *
 * @param blocks blocks read, from block 0
 * @param transactions endorser transactions checked (valid and invalidated)
 * @param endorsements endorsement signatures checked
 */
public record ChainReport(long blocks, long transactions, long endorsements, List<AuditCheck> checks) {
    public ChainReport {
        checks = List.copyOf(checks);
    }

    public boolean passed() {
        return checks.stream().allMatch(AuditCheck::passed);
    }
}
