package org.postalfunds.client;

import java.util.Objects;
import java.util.regex.Pattern;
import org.postalfunds.api.LedgerFunction;
import org.postalfunds.api.model.Consortium;
import org.postalfunds.api.model.InspectionPeriods;
import org.postalfunds.api.model.MeterKind;
import org.postalfunds.api.model.MeterLimits;
import org.postalfunds.api.model.MeterRegistration;
import org.postalfunds.api.model.MeterView;
import org.postalfunds.api.model.TransferView;
import org.postalfunds.client.ledger.Ledger;
import org.postalfunds.client.ledger.LedgerException;
import org.postalfunds.client.model.AccountHistory;
import org.postalfunds.client.model.ConsortiumChange;
import org.postalfunds.client.model.InspectionPeriodsChange;
import org.postalfunds.client.model.Json;
import org.postalfunds.client.model.MeterChange;
import org.postalfunds.hsm.MeterSubject;
import org.postalfunds.hsm.enrol.EnrolledMeter;
import org.postalfunds.hsm.enrol.EnrolmentException;
import org.postalfunds.hsm.enrol.MeterEnrolment;

/**
 * The data center (meter vendor) on the ledger: registers meters, refills them, records inspections,
 * suspends, resumes and withdraws them. The ledger connection carries a DataCenterMSP identity.
 *
 * <pre>{@code
 * DataCenterClient dataCenter = DataCenterClient.of(connection);
 * dataCenter.register(RequestId.random(), MeterRegistration.builder()
 *         .meterId("meter-A1").ownerMsp("MailerAMSP").certificate(issued)
 *         .model("PM-2000").limits(new MeterLimits(1_000_000, 10_000, 500_000)).build());
 * dataCenter.refill(RequestId.random(), "meter-A1", 50_000);
 * }</pre>
 */
public final class DataCenterClient {
    private static final Pattern REASON = Pattern.compile("[\\p{L}\\p{N}\\p{P}\\p{Zs}]{0,200}");

    /** A meter that went through the enrolment path and is now registered. */
    public record EnrolledRegistration(EnrolledMeter enrolled, MeterChange registration) {
        public EnrolledRegistration {
            Objects.requireNonNull(enrolled, "enrolled");
            Objects.requireNonNull(registration, "registration");
        }
    }

    private final LedgerCalls calls;

    private DataCenterClient(final Ledger ledger) {
        this.calls = new LedgerCalls(ledger);
    }

    public static DataCenterClient of(final Ledger ledger) {
        return new DataCenterClient(ledger);
    }

    /** Registers a meter whose certificate has been issued already. */
    public MeterChange register(final RequestId requestId, final MeterRegistration registration) throws LedgerException {
        return calls.meterChange(calls.submit(LedgerFunction.REGISTER_METER, requestId, Json.compact(registration)));
    }

    /**
     * The whole path for a new meter: its key is generated in the PSD token, a CSR signed inside the token
     * goes to the owner's CA, the issued certificate is stored beside the key, and the meter is registered
     * with that certificate. An interrupted enrolment resumes with the same key; re-running the registration
     * with the same request id is answered with the first result.
     *
     * @param enrolment the operator's bridge connection and the owner organisation's CA
     */
    public EnrolledRegistration enrolAndRegister(final RequestId requestId, final MeterEnrolment enrolment,
            final MeterSubject subject, final String ownerMsp, final MeterKind kind, final String model,
            final MeterLimits limits) throws LedgerException, EnrolmentException {
        EnrolledMeter enrolled = enrolment.enrol(subject);
        MeterChange registered = register(requestId, MeterRegistration.builder().meterId(enrolled.meterId())
                .ownerMsp(ownerMsp).certificate(enrolled.certificate())
                .keyAgreementCertificate(enrolled.keyAgreementCertificate()).kind(kind).model(model).limits(limits).build());
        return new EnrolledRegistration(enrolled, registered);
    }

    /** Issued funds -> meter; also the data center contact that restarts the inspection clock. */
    /**
     * The data center's I/O module (claim 12): seals {@code item} to the meter's registered key-agreement key, signs the
     * package with {@code dataCenterSigner} (the key of this client's own identity, which the contract records) and
     * offers it to the meter, which acknowledges or rejects it like a push. The transfer id is
     * {@code SealedPackage.transferIdFor(dataCenterMsp, requestId)}, the data center's MSP id as the ledger's
     * consortium record names it.
     */
    public org.postalfunds.client.model.InformationChange downloadInformation(final RequestId requestId,
            final String recipientMeterId, final org.postalfunds.client.secure.SecureItem item, final java.time.Instant deadline,
            final org.hyperledger.fabric.client.identity.Signer dataCenterSigner)
            throws LedgerException, org.postalfunds.client.secure.SealingException, java.security.GeneralSecurityException {
        final String sender = calls.dataCenterMsp();
        final String transferId = org.postalfunds.api.format.SealedPackage.transferIdFor(sender, requestId.value());
        final byte[] sealed = org.postalfunds.client.secure.Sealing.seal(item,
                new org.postalfunds.client.secure.Addressing(transferId, sender, recipientMeterId),
                calls.meterKeyAgreementKey(recipientMeterId), dataCenterSigner);
        return LedgerCalls.informationChange(calls.submitPackage(LedgerFunction.DOWNLOAD_INFORMATION, requestId,
                sealed, LedgerCalls.organisations(calls.dataCenterMsp(), calls.ownerMsp(recipientMeterId)),
                recipientMeterId, item.name(), LedgerCalls.epochSeconds(deadline)));
    }

    public MeterChange refill(final RequestId requestId, final String meterId, final long amountMinorUnits)
            throws LedgerException {
        return calls.meterChange(calls.submit(LedgerFunction.REFILL_METER, requestId, meterId, LedgerCalls.amount(amountMinorUnits)));
    }

    public MeterChange recordInspection(final RequestId requestId, final String meterId) throws LedgerException {
        return calls.meterChange(calls.submit(LedgerFunction.RECORD_INSPECTION, requestId, meterId));
    }

    public MeterChange suspend(final RequestId requestId, final String meterId, final String reason)
            throws LedgerException {
        if (reason == null || reason.isBlank() || !REASON.matcher(reason).matches()) {
            throw new IllegalArgumentException("a suspension needs a reason: printable text of at most 200 characters");
        }
        return calls.meterChange(calls.submit(LedgerFunction.SUSPEND_METER, requestId, meterId, reason));
    }

    public MeterChange resume(final RequestId requestId, final String meterId) throws LedgerException {
        return calls.meterChange(calls.submit(LedgerFunction.RESUME_METER, requestId, meterId));
    }

    /** Closes the meter for good; its allotments and remaining funds go back to issued funds. */
    public MeterChange withdraw(final RequestId requestId, final String meterId) throws LedgerException {
        return calls.meterChange(calls.submit(LedgerFunction.WITHDRAW_METER, requestId, meterId));
    }

    /**
     * The meter's PSD failed or was stolen: the meter becomes FAILED and its key is revoked on the ledger (every call
     * signed with it is refused from this transaction on). Revoke it at the HSM bridge too
     * ({@link org.postalfunds.hsm.client.PsdBridgeClient#revokeMeterKey}).
     */
    public MeterChange reportPsdFailure(final RequestId requestId, final String meterId, final String reason)
            throws LedgerException {
        if (reason == null || reason.isBlank() || !REASON.matcher(reason).matches()) {
            throw new IllegalArgumentException("a failure report needs a reason: printable text of at most 200 characters");
        }
        return calls.meterChange(calls.submit(LedgerFunction.REPORT_PSD_FAILURE, requestId, meterId, reason));
    }

    /**
     * One step of replacing a failed meter by a newly enrolled one of the same owner: moves at most
     * {@link org.postalfunds.api.Limits#MAX_ITEMS_PER_REPLACEMENT_STEP} open items. The postal authority's peer must
     * endorse it as well as this data center's (the failed meter's key-level policy); the gateway collects both.
     */
    public org.postalfunds.client.model.ReplacementStep replacePsdStep(final RequestId requestId,
            final String failedMeterId, final String replacementMeterId) throws LedgerException {
        final LedgerCalls.Submitted submitted = calls.submit(LedgerFunction.REPLACE_PSD, requestId, failedMeterId,
                replacementMeterId);
        final java.util.List<String> moved = new java.util.ArrayList<>();
        submitted.answer().path("movedTransferIds").forEach(id -> moved.add(id.asText()));
        return new org.postalfunds.client.model.ReplacementStep(submitted.receipt(),
                submitted.part("replacement", org.postalfunds.api.model.Replacement.class),
                submitted.part("failedMeter", org.postalfunds.api.model.Meter.class),
                submitted.part("replacementMeter", org.postalfunds.api.model.Meter.class),
                submitted.part("failedRegisters", org.postalfunds.api.model.PsdRegisters.class),
                submitted.part("replacementRegisters", org.postalfunds.api.model.PsdRegisters.class), moved);
    }

    /**
     * Steps until the replacement is COMPLETE, at most {@code maxSteps}. Step n's request id is {@code requestId}
     * with "-s" and n appended, so running this again with the same id after a crash answers the steps done from
     * their records and resumes with the next. Returns every step's result, in order.
     */
    public java.util.List<org.postalfunds.client.model.ReplacementStep> replacePsd(final RequestId requestId,
            final String failedMeterId, final String replacementMeterId, final int maxSteps) throws LedgerException {
        if (maxSteps < 1) {
            throw new IllegalArgumentException("maxSteps must be at least 1");
        }
        final java.util.List<org.postalfunds.client.model.ReplacementStep> steps = new java.util.ArrayList<>();
        for (int step = 1; step <= maxSteps; step++) {
            final org.postalfunds.client.model.ReplacementStep done =
                    replacePsdStep(requestId.step(step), failedMeterId, replacementMeterId);
            steps.add(done);
            if (done.complete()) {
                break;
            }
        }
        return steps;
    }

    /** The failed meter and its replacement's record. */
    public org.postalfunds.client.model.ReplacementView replacement(final String failedMeterId) throws LedgerException {
        return calls.query(org.postalfunds.client.model.ReplacementView.class, LedgerFunction.GET_REPLACEMENT,
                failedMeterId);
    }

    public InspectionPeriodsChange setInspectionPeriods(final RequestId requestId, final long dueAfterDays,
            final long overdueAfterDays) throws LedgerException {
        LedgerCalls.Submitted submitted = calls.submit(LedgerFunction.SET_INSPECTION_PERIODS, requestId, Long.toString(dueAfterDays),
                Long.toString(overdueAfterDays));
        return new InspectionPeriodsChange(submitted.receipt(),
                submitted.part("inspectionPeriods", InspectionPeriods.class),
                submitted.optionalPart("previous", InspectionPeriods.class));
    }

    /**
     * Writes the ledger's consortium record, the first call after the chaincode's definition is committed (every
     * other call is refused until then). The same record again changes nothing.
     */
    public ConsortiumChange initConsortium(final RequestId requestId, final Consortium consortium) throws LedgerException {
        return consortiumChange(calls.submit(LedgerFunction.INIT_CONSORTIUM, requestId,
                Json.compact(consortium.validated())));
    }

    /**
     * Lets {@code mspId} own meters, after the organisation joined the channel. Needs the endorsement of every
     * member organisation's peer (the record's key-level policy), which the gateway collects.
     */
    public ConsortiumChange admitMeterOwner(final RequestId requestId, final String mspId) throws LedgerException {
        return consortiumChange(calls.submit(LedgerFunction.ADMIT_METER_OWNER, requestId, mspId));
    }

    public Consortium consortium() throws LedgerException {
        return calls.query(Consortium.class, LedgerFunction.GET_CONSORTIUM);
    }

    private static ConsortiumChange consortiumChange(final LedgerCalls.Submitted submitted) {
        return new ConsortiumChange(submitted.receipt(), submitted.part("consortium", Consortium.class),
                submitted.optionalPart("previous", Consortium.class));
    }

    public InspectionPeriods inspectionPeriods() throws LedgerException {
        return calls.query(InspectionPeriods.class, LedgerFunction.GET_INSPECTION_PERIODS);
    }

    public MeterView meter(final String meterId) throws LedgerException {
        return calls.meter(meterId);
    }

    public TransferView transfer(final String transferId) throws LedgerException {
        return calls.transfer(transferId);
    }

    public AccountHistory history(final String accountId, final int limit) throws LedgerException {
        return calls.history(accountId, limit);
    }
}
