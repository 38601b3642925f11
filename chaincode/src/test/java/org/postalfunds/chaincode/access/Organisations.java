package org.postalfunds.chaincode.access;

import java.util.List;
import java.util.Set;
import org.postalfunds.api.model.Consortium;

/**
 * The test consortium's MSP ids (those of network/consortium.json). The contract reads the consortium from the
 * ledger; tests write this record first, as test-network/deploy.sh does on the real network.
 */
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

    /** The consortium record the tests' ledgers start with. */
    public static final Consortium RECORD = new Consortium(DATA_CENTER, POSTAL_AUTHORITY, List.of(MAILER_A, MAILER_B));

    /** The record as initConsortium takes it. */
    public static final String RECORD_JSON = "{\"dataCenterMsp\":\"" + DATA_CENTER + "\",\"postalAuthorityMsp\":\""
            + POSTAL_AUTHORITY + "\",\"meterOwnerMsps\":[\"" + MAILER_A + "\",\"" + MAILER_B + "\"]}";

    private Organisations() {}
}
