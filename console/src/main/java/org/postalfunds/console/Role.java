package org.postalfunds.console;

import java.util.Locale;
import org.postalfunds.api.model.Consortium;

/**
 * What a console user may see. Operators (the data center) and auditors (the postal authority) see every
 * meter; a mailer sees only the meters its own organisation owns.
 */
public enum Role {
    OPERATOR,
    AUDITOR,
    MAILER;

    /** True when this role sees every organisation's meters. */
    public boolean seesAll() {
        return this != MAILER;
    }

    /**
     * Operators belong to the data center, auditors to the postal authority, mailers to a meter owner: as the
     * ledger's consortium record names them (checked at login; the users file alone cannot make a mailer an auditor).
     */
    public void requireMatches(final String mspId, final Consortium consortium) {
        String required = switch (this) {
            case OPERATOR -> consortium.dataCenterMsp();
            case AUDITOR -> consortium.postalAuthorityMsp();
            case MAILER -> consortium.mayOwnMeters(mspId) ? mspId : "a meter owner organisation";
        };
        if (!required.equals(mspId)) {
            throw new IllegalArgumentException("role " + label() + " belongs to " + required
                    + " (the ledger's consortium record), not " + mspId);
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
