package org.postalfunds.client.model;

import java.util.regex.Pattern;
import org.postalfunds.api.model.Indicium;

/**
 * What a mailer asks the meter to print: the postage and where the piece goes. The meter adds its id,
 * the next piece number, the mailing date and the PSD's signature.
 */
public record Postage(long amountMinorUnits, String destinationPostalCode, String destinationCountryCode, String rateCode) {
    // The indicium's own field grammar (ledger-api), checked here before the PSD signs anything.
    private static final Pattern POSTAL_CODE = Indicium.POSTAL_CODE;
    private static final Pattern COUNTRY_CODE = Indicium.COUNTRY_CODE;
    private static final Pattern RATE_CODE = Indicium.RATE_CODE;

    /** Checked here, before the PSD signs anything. */
    public Postage {
        if (amountMinorUnits <= 0) {
            throw new IllegalArgumentException("postage must be greater than zero");
        }
        if (destinationPostalCode == null || !POSTAL_CODE.matcher(destinationPostalCode).matches()) {
            throw new IllegalArgumentException("postal code must be 1-16 of A-Z 0-9 space -, was " + destinationPostalCode);
        }
        if (destinationCountryCode == null || !COUNTRY_CODE.matcher(destinationCountryCode).matches()) {
            throw new IllegalArgumentException("country must be two upper-case letters (ISO 3166-1), was "
                    + destinationCountryCode);
        }
        if (rateCode == null || !RATE_CODE.matcher(rateCode).matches()) {
            throw new IllegalArgumentException("rate code must be 1-32 of A-Z 0-9 _ -, was " + rateCode);
        }
    }
}
