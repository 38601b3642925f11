package org.postalfunds.console;

import java.util.Locale;

/**
 * What a console user may see. Operators (the data center) and auditors (the postal authority) see every
 * meter; a mailer sees only the meters its own organisation owns.
 */
public enum Role {
    OPERATOR("DataCenterMSP"),
    AUDITOR("PostalAuthorityMSP"),
    MAILER(null);

    private final String requiredMsp;

    Role(final String requiredMsp) {
        this.requiredMsp = requiredMsp;
    }

    /** True when this role sees every organisation's meters. */
    public boolean seesAll() {
        return this != MAILER;
    }

    /** Operators must belong to DataCenterMSP, auditors to PostalAuthorityMSP; mailers to neither. */
    public void requireMatches(final String mspId) {
        if (requiredMsp != null && !requiredMsp.equals(mspId)) {
            throw new IllegalArgumentException("role " + label() + " belongs to " + requiredMsp + ", not " + mspId);
        }
        if (requiredMsp == null && (OPERATOR.requiredMsp.equals(mspId) || AUDITOR.requiredMsp.equals(mspId))) {
            throw new IllegalArgumentException("a mailer cannot belong to " + mspId);
        }
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Role parse(final String text) {
        for (Role role : values()) {
            if (role.label().equals(text)) {
                return role;
            }
        }
        throw new IllegalArgumentException("role must be operator, auditor or mailer, was " + text);
    }
}
