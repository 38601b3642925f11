package org.postalfunds.client.audit;

import java.util.Objects;
import java.util.Optional;
import org.postalfunds.api.model.Indicium;
import org.postalfunds.api.model.IndiciumVerdict;
import org.postalfunds.api.model.IndiciumVerification;
import org.postalfunds.client.model.Receipt;

/**
 * An auditor's verification of one indicium: the client's own signature check against the meter's
 * registered key, the ledger's verdict, and the scan receipt when the sighting was recorded.
 *
 * @param signatureValid empty when the ledger knows no such meter, so there is no key to check against
 * @param scanReceipt present when the sighting was recorded (recordIndiciumScan)
 */
public record IndiciumCheck(Indicium presented, Optional<Boolean> signatureValid, IndiciumVerification ledger,
        Optional<Receipt> scanReceipt) {

    public IndiciumCheck {
        Objects.requireNonNull(presented, "presented");
        Objects.requireNonNull(signatureValid, "signatureValid");
        Objects.requireNonNull(ledger, "ledger");
        Objects.requireNonNull(scanReceipt, "scanReceipt");
    }

    /**
     * The ledger's verdict, except that a GENUINE indicium already seen is reported as the DUPLICATE it is, whatever
     * the ledger's version says: a verification (nothing recorded) after any recorded sighting, or a scan that is
     * not the first.
     */
    public IndiciumVerdict verdict() {
        if (ledger.verdict() == IndiciumVerdict.GENUINE && sightingsBefore() > 0) {
            return IndiciumVerdict.DUPLICATE;
        }
        return ledger.verdict();
    }

    /** How often the ledger had recorded this indicium before this check (a scan counts itself). */
    public long sightingsBefore() {
        long recorded = ledger.scanCount() == null ? 0 : ledger.scanCount();
        return scanReceipt.isPresent() ? Math.max(0, recorded - 1) : recorded;
    }

    /**
     * True only for a genuine first sighting whose signature this client verified itself. The ledger's
     * word alone is not enough: if the two disagree, someone must look.
     */
    public boolean accepted() {
        return verdict() == IndiciumVerdict.GENUINE && signatureValid.orElse(false);
    }

    /** True when this client's signature check contradicts the ledger's verdict. */
    public boolean signatureDisagreesWithLedger() {
        if (signatureValid.isEmpty()) {
            return false;
        }
        boolean ledgerSaysSigned = verdict() != IndiciumVerdict.FORGED && verdict() != IndiciumVerdict.UNKNOWN_METER;
        return signatureValid.get() != ledgerSaysSigned;
    }
}
