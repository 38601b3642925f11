package org.postalfunds.chaincode.meter;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.hyperledger.fabric.shim.ledger.CompositeKey;
import org.postalfunds.api.format.KeyAgreementCertificate;
import org.postalfunds.api.Amounts;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.api.Ids;
import org.postalfunds.api.Limits;
import org.postalfunds.api.model.Allotment;
import org.postalfunds.api.model.Inspection;
import org.postalfunds.api.model.InspectionPeriods;
import org.postalfunds.api.model.Meter;
import org.postalfunds.api.model.MeterRegistration;
import org.postalfunds.api.model.MeterInflow;
import org.postalfunds.api.model.MeterStatus;
import org.postalfunds.api.model.PsdRegisters;
import org.postalfunds.api.model.TransferState;
import org.postalfunds.chaincode.access.Caller;
import org.postalfunds.chaincode.access.PublicKeys;
import org.postalfunds.chaincode.command.Command;
import org.postalfunds.chaincode.command.Outcome;
import org.postalfunds.chaincode.ledger.AccountId;
import org.postalfunds.chaincode.ledger.Books;
import org.postalfunds.chaincode.state.Keys;
import org.postalfunds.chaincode.state.LedgerTx;
import org.postalfunds.chaincode.support.Json;

/** The meter registry and lifecycle: the data center's side of the ledger. */
public final class MeterService {
    public static final String METER_STATUS_CHANGED = "MeterStatusChanged";
    private static final Pattern MODEL = Pattern.compile("[\\p{L}\\p{N} ._/()-]{1," + Limits.MAX_MODEL_CHARS + "}");

    public Outcome register(final Command command, final String registrationJson) {
        command.caller().requireDataCenter("registerMeter");
        final MeterRegistration registration = Json.argument(registrationJson, MeterRegistration.class, "registration");
        final LedgerTx tx = command.tx();
        Ids.require(registration.meterId(), "meterId");
        final var consortium = command.caller().consortium();
        if (registration.ownerMsp() == null || !consortium.mayOwnMeters(registration.ownerMsp())) {
            throw ErrorCode.INVALID_ARGUMENT.exception("ownerMsp must be one of the consortium's meter owners "
                    + consortium.meterOwnerMsps() + ", was " + registration.ownerMsp());
        }
        if (registration.kind() == null) {
            throw ErrorCode.INVALID_ARGUMENT.exception("kind must be POSTAL_METER or HANDHELD_METERING_UNIT");
        }
        if (registration.model() == null || !MODEL.matcher(registration.model()).matches()) {
            throw ErrorCode.INVALID_ARGUMENT.exception(
                    "model must be 1-" + Limits.MAX_MODEL_CHARS + " letters, digits, spaces or . _ / ( ) -");
        }
        if (registration.limits() == null) {
            throw ErrorCode.INVALID_ARGUMENT.exception("limits are required");
        }
        registration.limits().validate();
        final X509Certificate certificate = PublicKeys.meterCertificate(registration.certificatePem(), tx.now());
        final String fingerprint = PublicKeys.fingerprint(certificate.getPublicKey());
        if (registration.keyAgreementCertificatePem() != null) {
            // Sealing trusts this key only because the meter's signing key issued it: check that before storing it.
            try {
                KeyAgreementCertificate.verify(KeyAgreementCertificate.parsePem(registration.keyAgreementCertificatePem()),
                        registration.meterId(), certificate.getPublicKey());
            } catch (java.security.GeneralSecurityException | RuntimeException e) {
                throw ErrorCode.INVALID_CERTIFICATE.exception("keyAgreementCertificatePem: " + e.getMessage());
            }
        }
        MeterLifecycle.permit(registration.meterId(),
                tx.read(Keys.meter(registration.meterId()), Meter.class).orElse(null), MeterAction.REGISTER);
        final var holder = tx.read(Keys.meterPublicKey(fingerprint), String.class);
        if (holder.isPresent()) {
            throw ErrorCode.PUBLIC_KEY_ALREADY_REGISTERED.exception(
                    "the certificate's public key belongs to meter " + holder.get());
        }

        final long now = tx.nowEpochSeconds();
        final Meter meter = new Meter(registration.meterId(), registration.ownerMsp(), registration.certificatePem(),
                fingerprint, registration.kind(), registration.model(), registration.limits(),
                MeterLifecycle.permit(registration.meterId(), null, MeterAction.REGISTER), null, now, now, now,
                registration.keyAgreementCertificatePem());
        final PsdRegisters registers = PsdRegisters.empty(meter.meterId());
        tx.write(Keys.meter(meter.meterId()), meter);
        tx.write(Keys.meterPublicKey(fingerprint), meter.meterId());
        final String accountKey = AccountId.meter(meter.meterId()).storageKey();
        tx.write(accountKey, registers);
        tx.write(Keys.meterInflow(meter.meterId()), MeterInflow.empty(meter.meterId()));
        // The meter's money changes only with its owner's peer and the data center's peer both endorsing: its
        // registers and its inflow (credits waiting to be folded into them) alike.
        tx.requireEndorsement(accountKey, List.of(consortium.dataCenterMsp(), meter.ownerMsp()));
        tx.requireEndorsement(Keys.meterInflow(meter.meterId()), List.of(consortium.dataCenterMsp(), meter.ownerMsp()));
        return Outcome.event("MeterRegistered").with("meter", meter).with("registers", registers);
    }

    public Outcome refill(final Command command, final String meterId, final long amountMinorUnits) {
        command.caller().requireDataCenter("refillMeter");
        Amounts.requirePositive(amountMinorUnits, "refill amount");
        final LedgerTx tx = command.tx();
        final Meter meter = Meters.require(tx, meterId);
        // An inspection-overdue meter may be refilled: the refill is the data center contact that resets the clock.
        MeterLifecycle.permit(meterId, meter, MeterAction.REFILL);
        // Both limits are checked by subtraction before anything moves, so an amount near Long.MAX_VALUE is a
        // LIMIT_EXCEEDED, never an overflow.
        // The refill sets the balance exact: pending inflow is folded in first, and counts against the maximum.
        final PsdRegisters before = command.books().fold(meterId);
        final long room = meter.limits().maxBalanceMinorUnits() - before.descendingRegisterMinorUnits();
        if (amountMinorUnits > room) {
            throw ErrorCode.LIMIT_EXCEEDED.exception("refill of " + amountMinorUnits + " would bring meter " + meterId
                    + " above its maximum balance of " + meter.limits().maxBalanceMinorUnits() + " minor units (holds "
                    + before.descendingRegisterMinorUnits() + ")");
        }
        final long issuable = Limits.MAX_ISSUED_PER_METER_MINOR_UNITS - before.refilledMinorUnits();
        if (amountMinorUnits > issuable) {
            throw ErrorCode.LIMIT_EXCEEDED.exception("refill of " + amountMinorUnits + " would bring the funds issued"
                    + " to meter " + meterId + " above " + Limits.MAX_ISSUED_PER_METER_MINOR_UNITS
                    + " minor units over its life (issued so far " + before.refilledMinorUnits() + ")");
        }
        command.books().move(AccountId.issuedFunds(meterId), AccountId.meter(meterId), amountMinorUnits);
        final PsdRegisters registers = Books.registers(tx, meterId);
        final Meter contacted = meter.withDataCenterContact(tx.nowEpochSeconds());
        tx.write(Keys.meter(meterId), contacted);
        return Outcome.event("Refilled").with("meter", contacted).with("registers", registers)
                .with("amountMinorUnits", amountMinorUnits);
    }

    public Outcome suspend(final Command command, final String meterId, final String reason) {
        command.caller().requireDataCenter("suspendMeter");
        Ids.requireReason(reason);
        final Meter meter = Meters.require(command.tx(), meterId);
        return changeStatus(command.tx(), meter, MeterLifecycle.permit(meterId, meter, MeterAction.SUSPEND), reason);
    }

    public Outcome resume(final Command command, final String meterId) {
        command.caller().requireDataCenter("resumeMeter");
        final Meter meter = Meters.require(command.tx(), meterId);
        return changeStatus(command.tx(), meter, MeterLifecycle.permit(meterId, meter, MeterAction.RESUME), null);
    }

    /**
     * Closes a meter for good: its allotments and then its descending register go back to the data center's
     * issued-funds account. Refused (TRANSFERS_OPEN) while the meter is a party to an open transfer (requested,
     * granted or offered): a withdrawn meter must have no escrow that could still deliver from it or return to it.
     * Suspending the meter first stops new transfers; the open ones settle or expire within the windows (at most
     * 30 days each), and anyone may expire them.
     */
    public Outcome withdraw(final Command command, final String meterId) {
        command.caller().requireDataCenter("withdrawMeter");
        final LedgerTx tx = command.tx();
        final Meter meter = Meters.require(tx, meterId);
        final MeterStatus withdrawn = MeterLifecycle.permit(meterId, meter, MeterAction.WITHDRAW);
        for (final TransferState open : TransferState.OPEN) {
            final var transfer = tx.firstKey(Keys.TRANSFER_BY_METER, meterId, open.name());
            if (transfer.isPresent()) {
                throw ErrorCode.TRANSFERS_OPEN.exception("meter " + meterId + " is a party to " + open
                        + " transfer " + CompositeKey.parseCompositeKey(transfer.get()).getAttributes().get(2)
                        + "; suspend the meter and withdraw it once its transfers are settled or expired");
            }
        }
        for (final var entry : tx.list(Keys.ACCOUNT, Limits.MAX_ALLOTMENTS_PER_DISTRIBUTOR, "ALLOTMENT", meterId)) {
            final Allotment allotment = tx.read(entry.getKey(), Allotment.class).orElseThrow();
            if (allotment.availableMinorUnits() > 0) {
                command.books().move(AccountId.allotment(meterId, allotment.recipientMeterId()),
                        AccountId.meter(meterId), allotment.availableMinorUnits());
            }
        }
        final long remaining = command.books().fold(meterId).descendingRegisterMinorUnits();
        if (remaining > 0) {
            command.books().move(AccountId.meter(meterId), AccountId.issuedFunds(meterId), remaining);
        }
        return changeStatus(tx, meter, withdrawn, "withdrawn by the data center")
                .with("registers", Books.registers(tx, meterId));
    }

    public Outcome recordInspection(final Command command, final String meterId) {
        command.caller().requireDataCenter("recordInspection");
        final LedgerTx tx = command.tx();
        final Meter meter = Meters.require(tx, meterId);
        MeterLifecycle.permit(meterId, meter, MeterAction.RECORD_INSPECTION);
        final Meter inspected = meter.withDataCenterContact(tx.nowEpochSeconds());
        tx.write(Keys.meter(meterId), inspected);
        return Outcome.event("InspectionRecorded").with("meter", inspected).with("inspection",
                Inspection.of(inspected, Meters.inspectionPeriods(tx), tx.nowEpochSeconds()));
    }

    public Outcome setInspectionPeriods(final Command command, final long dueAfterDays, final long overdueAfterDays) {
        command.caller().requireDataCenter("setInspectionPeriods");
        if (dueAfterDays < 1 || overdueAfterDays <= dueAfterDays
                || overdueAfterDays > Limits.MAX_INSPECTION_PERIOD_DAYS) {
            throw ErrorCode.INVALID_ARGUMENT.exception("inspection periods need 1 <= dueAfterDays < overdueAfterDays <= "
                    + Limits.MAX_INSPECTION_PERIOD_DAYS + ", were " + dueAfterDays + " and " + overdueAfterDays);
        }
        final InspectionPeriods previous = Meters.inspectionPeriods(command.tx());
        final InspectionPeriods periods = new InspectionPeriods(dueAfterDays, overdueAfterDays);
        command.tx().write(Keys.inspectionConfig(), periods);
        return Outcome.event("InspectionPeriodsChanged").with("inspectionPeriods", periods).with("previous", previous);
    }

    /** The meter, its registers and its inspection clock. */
    public Map<String, Object> meterView(final LedgerTx tx, final Caller caller, final String meterId) {
        final Meter meter = Meters.require(tx, meterId);
        Meters.requireCanRead(caller, meter);
        final Map<String, Object> view = new TreeMap<>();
        view.put("meter", meter);
        // One set of registers as the meter sees them; what is still on the inflow key is shown as well.
        view.put("registers", Books.registersWithPending(tx, meterId));
        view.put("pendingInflowMinorUnits", Books.inflow(tx, meterId).map(MeterInflow::pendingMinorUnits).orElse(0L));
        view.put("inspection", Inspection.of(meter, Meters.inspectionPeriods(tx), tx.nowEpochSeconds()));
        return view;
    }

    private static Outcome changeStatus(
            final LedgerTx tx, final Meter meter, final MeterStatus status, final String reason) {
        final Meter changed = meter.withStatus(status, reason, tx.nowEpochSeconds());
        tx.write(Keys.meter(meter.meterId()), changed);
        return Outcome.event(METER_STATUS_CHANGED).with("meter", changed).with("previousStatus", meter.status());
    }
}
