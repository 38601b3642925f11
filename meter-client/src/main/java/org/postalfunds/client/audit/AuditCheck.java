package org.postalfunds.client.audit;

import java.util.List;
import java.util.Objects;

/**
 * One audit check: what was checked, whether it held, and the findings when it did not (each one a
 * sentence that names the account, meter or transfer and what to do).
 */
public record AuditCheck(String name, boolean passed, String summary, List<String> findings) {
    /** Findings listed per check; the count in the summary stays exact. */
    public static final int MAX_FINDINGS = 50;

    public AuditCheck {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(summary, "summary");
        findings = List.copyOf(findings.size() > MAX_FINDINGS ? findings.subList(0, MAX_FINDINGS) : findings);
    }

    static AuditCheck of(final String name, final String summary, final List<String> findings) {
        return new AuditCheck(name, findings.isEmpty(), summary, findings);
    }
}
