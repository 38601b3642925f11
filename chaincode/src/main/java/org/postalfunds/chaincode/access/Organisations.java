package org.postalfunds.chaincode.access;

import java.util.Set;

/** The consortium's MSP ids and what each may do; the one place that names them. */
public final class Organisations {
    /** The meter vendor's data center: registers, refills, inspects, suspends, resumes and withdraws meters. */
    public static final String DATA_CENTER = "DataCenterMSP";
    /** Meter owners (mailers). */
    public static final String MAILER_A = "MailerAMSP";
    public static final String MAILER_B = "MailerBMSP";
    /** The auditor: ledger-wide audit queries and indicium scans. */
    public static final String POSTAL_AUTHORITY = "PostalAuthorityMSP";

    /** Organisations that may own meters. */
    public static final Set<String> METER_OWNERS = Set.of(MAILER_A, MAILER_B);

    /** Every organisation of the channel. */
    public static final Set<String> CONSORTIUM = Set.of(DATA_CENTER, MAILER_A, MAILER_B, POSTAL_AUTHORITY);

    private Organisations() {}
}
