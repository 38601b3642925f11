package org.postalfunds.chaincode;

import static org.hyperledger.fabric.contract.annotation.Transaction.TYPE.EVALUATE;
import static org.hyperledger.fabric.contract.annotation.Transaction.TYPE.SUBMIT;
import static org.postalfunds.chaincode.Submissions.arguments;
import static org.postalfunds.chaincode.Submissions.evaluate;

import java.util.List;
import org.hyperledger.fabric.contract.Context;
import org.hyperledger.fabric.contract.ContractInterface;
import org.hyperledger.fabric.contract.annotation.Contract;
import org.hyperledger.fabric.contract.annotation.Default;
import org.hyperledger.fabric.contract.annotation.Info;
import org.hyperledger.fabric.contract.annotation.Transaction;
import org.postalfunds.api.LedgerFunction;
import org.postalfunds.api.Limits;
import org.postalfunds.chaincode.consortium.ConsortiumService;
import org.postalfunds.chaincode.audit.AuditService;
import org.postalfunds.chaincode.command.Command;
import org.postalfunds.chaincode.command.Outcome;
import org.postalfunds.chaincode.indicium.PostageService;
import org.postalfunds.chaincode.meter.MeterService;
import org.postalfunds.chaincode.refund.RefundService;
import org.postalfunds.chaincode.replacement.PsdReplacement;
import org.postalfunds.chaincode.support.Arguments;
import org.postalfunds.chaincode.support.Boundary;
import org.postalfunds.chaincode.transfer.AllotmentService;
import org.postalfunds.chaincode.transfer.RequesterService;
import org.postalfunds.chaincode.transfer.TransferService;

/**
 * The postal funds ledger: meters and their PSD registers, refills, postage, pull and push transfers between meters.
 *
 * <p>Every submit function takes a client-chosen {@code requestId} first: the same id with the same content returns
 * the first result and changes nothing; with different content it fails with REQUEST_ID_REUSED. Every result is
 * deterministic JSON, and every successful submit emits exactly one event whose payload is that JSON. The function
 * table, key layout and design notes are in chaincode/README.md.
 *
 * <p>Every parameter is a {@code String}: numbers are parsed by {@link Arguments} with one grammar and refused with
 * an error code, never by the shim's own conversion (which answers malformed numbers without a code).
 */
@Contract(name = "PostalLedgerContract", info = @Info(title = "Postal funds ledger", version = "0.1.0"))
@Default
public final class PostalLedgerContract implements ContractInterface {
    private final Submissions submissions = new Submissions();
    private final ConsortiumService consortium = new ConsortiumService();
    private final MeterService meters = new MeterService();
    private final PsdReplacement replacements = new PsdReplacement();
    private final TransferService transfers = new TransferService();
    private final RequesterService requesters = new RequesterService();
    private final AllotmentService allotments = new AllotmentService();
    private final PostageService postage = new PostageService();
    private final AuditService audit = new AuditService();
    private final RefundService refunds = new RefundService();

    // ---- the consortium ----------------------------------------------------------------------------------------

    /**
     * The data center named in {@code {dataCenterMsp, postalAuthorityMsp, meterOwnerMsps}}: writes the consortium
     * record at deployment, before any other call (all others are refused until then). The same record again
     * changes nothing; a different one is refused.
     */
    @Transaction(intent = SUBMIT)
    public String initConsortium(final Context ctx, final String requestId, final String consortiumJson) {
        return Boundary.run(() -> submit(ctx, LedgerFunction.INIT_CONSORTIUM, requestId, arguments(consortiumJson),
                command -> consortium.init(command, consortiumJson)));
    }

    /** DataCenter, endorsed by every member: a new organisation may own meters (after it joined the channel). */
    @Transaction(intent = SUBMIT)
    public String admitMeterOwner(final Context ctx, final String requestId, final String mspId) {
        return Boundary.run(() -> submit(ctx, LedgerFunction.ADMIT_METER_OWNER, requestId, arguments(mspId),
                command -> consortium.admitMeterOwner(command, mspId)));
    }

    // ---- data center -------------------------------------------------------------------------------------------

    /** DataCenter: registers a meter from {@code {meterId, ownerMsp, certificatePem, kind, model, limits}}. */
    @Transaction(intent = SUBMIT)
    public String registerMeter(final Context ctx, final String requestId, final String registrationJson) {
        return Boundary.run(() -> submit(ctx, LedgerFunction.REGISTER_METER, requestId, arguments(registrationJson),
                command -> meters.register(command, registrationJson)));
    }

    /** DataCenter: issued funds -> meter. Counts as data center contact for the inspection clock. */
    @Transaction(intent = SUBMIT)
    public String refillMeter(
            final Context ctx, final String requestId, final String meterId, final String amountMinorUnits) {
        return Boundary.run(() -> submit(ctx, LedgerFunction.REFILL_METER, requestId, arguments(meterId, amountMinorUnits),
                command -> meters.refill(command, meterId, Arguments.amount(amountMinorUnits, "amountMinorUnits"))));
    }

    @Transaction(intent = SUBMIT)
    public String suspendMeter(final Context ctx, final String requestId, final String meterId, final String reason) {
        return Boundary.run(() -> submit(ctx, LedgerFunction.SUSPEND_METER, requestId, arguments(meterId, reason),
                command -> meters.suspend(command, meterId, reason)));
    }

    @Transaction(intent = SUBMIT)
    public String resumeMeter(final Context ctx, final String requestId, final String meterId) {
        return Boundary.run(() -> submit(ctx, LedgerFunction.RESUME_METER, requestId, arguments(meterId), command -> meters.resume(command, meterId)));
    }

    /** DataCenter: closes the meter for good; its allotments and remaining funds go back to issued funds. */
    @Transaction(intent = SUBMIT)
    public String withdrawMeter(final Context ctx, final String requestId, final String meterId) {
        return Boundary.run(() -> submit(ctx, LedgerFunction.WITHDRAW_METER, requestId, arguments(meterId), command -> meters.withdraw(command, meterId)));
    }

    /**
     * DataCenter: the meter's PSD failed or was stolen. The meter becomes FAILED and its key is revoked: from this
     * transaction on every call signed with it is refused (METER_KEY_REVOKED). The failed meter's record then changes
     * only with the data center's and the postal authority's endorsement (its replacement).
     */
    @Transaction(intent = SUBMIT)
    public String reportPsdFailure(final Context ctx, final String requestId, final String meterId, final String reason) {
        return Boundary.run(() -> submit(ctx, LedgerFunction.REPORT_PSD_FAILURE, requestId, arguments(meterId, reason),
                command -> replacements.reportFailure(command, meterId, reason)));
    }

    /**
     * DataCenter, endorsed by the postal authority too: one step of moving a failed meter's funds and open items to a
     * newly enrolled meter of the same owner (at most Limits.MAX_ITEMS_PER_REPLACEMENT_STEP items; call again with a
     * new request id until the replacement is COMPLETE).
     */
    @Transaction(intent = SUBMIT)
    public String replacePsd(
            final Context ctx, final String requestId, final String failedMeterId, final String replacementMeterId) {
        return Boundary.run(() -> submit(ctx, LedgerFunction.REPLACE_PSD, requestId,
                arguments(failedMeterId, replacementMeterId),
                command -> replacements.replace(command, failedMeterId, replacementMeterId)));
    }

    @Transaction(intent = SUBMIT)
    public String recordInspection(final Context ctx, final String requestId, final String meterId) {
        return Boundary.run(() -> submit(ctx, LedgerFunction.RECORD_INSPECTION, requestId, arguments(meterId),
                command -> meters.recordInspection(command, meterId)));
    }

    @Transaction(intent = SUBMIT)
    public String setInspectionPeriods(
            final Context ctx, final String requestId, final String dueAfterDays, final String overdueAfterDays) {
        return Boundary.run(() -> submit(ctx, LedgerFunction.SET_INSPECTION_PERIODS, requestId, arguments(dueAfterDays, overdueAfterDays),
                command -> meters.setInspectionPeriods(command, days(dueAfterDays, "dueAfterDays"),
                        days(overdueAfterDays, "overdueAfterDays"))));
    }

    // ---- owners and meters -------------------------------------------------------------------------------------

    /** Donor's owner: allows {@code requesterMeterId} to request funds from {@code donorMeterId}. */
    @Transaction(intent = SUBMIT)
    public String authoriseRequester(
            final Context ctx, final String requestId, final String donorMeterId, final String requesterMeterId) {
        return Boundary.run(() -> submit(ctx, LedgerFunction.AUTHORISE_REQUESTER, requestId, arguments(donorMeterId, requesterMeterId),
                command -> requesters.authorise(command, donorMeterId, requesterMeterId)));
    }

    @Transaction(intent = SUBMIT)
    public String revokeRequester(
            final Context ctx, final String requestId, final String donorMeterId, final String requesterMeterId) {
        return Boundary.run(() -> submit(ctx, LedgerFunction.REVOKE_REQUESTER, requestId, arguments(donorMeterId, requesterMeterId),
                command -> requesters.revoke(command, donorMeterId, requesterMeterId)));
    }

    /** Distributor meter: meter -> its allotment for one authorised recipient. */
    @Transaction(intent = SUBMIT)
    public String fundAllotment(
            final Context ctx, final String requestId, final String distributorMeterId, final String recipientMeterId,
            final String amountMinorUnits) {
        return Boundary.run(() -> submit(ctx, LedgerFunction.FUND_ALLOTMENT, requestId, arguments(distributorMeterId, recipientMeterId, amountMinorUnits),
                command -> allotments.fund(command, distributorMeterId, recipientMeterId,
                        Arguments.amount(amountMinorUnits, "amountMinorUnits"))));
    }

    /** Distributor meter: allotment -> back to its meter. */
    @Transaction(intent = SUBMIT)
    public String releaseAllotment(
            final Context ctx, final String requestId, final String distributorMeterId, final String recipientMeterId,
            final String amountMinorUnits) {
        return Boundary.run(() -> submit(ctx, LedgerFunction.RELEASE_ALLOTMENT, requestId,
                arguments(distributorMeterId, recipientMeterId, amountMinorUnits),
                command -> allotments.release(command, distributorMeterId, recipientMeterId,
                        Arguments.amount(amountMinorUnits, "amountMinorUnits"))));
    }

    /** Meter: prints postage; {@code indiciumJson} carries the signed indicium (see IndiciumEncoding). */
    @Transaction(intent = SUBMIT)
    public String printPostage(final Context ctx, final String requestId, final String indiciumJson) {
        return Boundary.run(() -> submit(ctx, LedgerFunction.PRINT_POSTAGE, requestId, arguments(indiciumJson),
                command -> postage.print(command, indiciumJson)));
    }

    /** Recipient meter: asks an authorising donor for funds (pull). The transfer id is this transaction's id. */
    @Transaction(intent = SUBMIT)
    public String requestTransfer(
            final Context ctx, final String requestId, final String recipientMeterId, final String donorMeterId,
            final String amountMinorUnits, final String deadlineEpochSeconds) {
        return Boundary.run(() -> submit(ctx, LedgerFunction.REQUEST_TRANSFER, requestId,
                arguments(recipientMeterId, donorMeterId, amountMinorUnits, deadlineEpochSeconds),
                command -> transfers.request(command, recipientMeterId, donorMeterId,
                        Arguments.amount(amountMinorUnits, "amountMinorUnits"),
                        Arguments.deadline(deadlineEpochSeconds, "deadlineEpochSeconds"))));
    }

    /** Donor meter: funds -> escrow until {@code escrowDeadlineEpochSeconds}. */
    @Transaction(intent = SUBMIT)
    public String grantTransfer(
            final Context ctx, final String requestId, final String transferId,
            final String escrowDeadlineEpochSeconds) {
        return Boundary.run(() -> submit(ctx, LedgerFunction.GRANT_TRANSFER, requestId, arguments(transferId, escrowDeadlineEpochSeconds),
                command -> transfers.steps().grant(command, transferId,
                        Arguments.deadline(escrowDeadlineEpochSeconds, "escrowDeadlineEpochSeconds"))));
    }

    @Transaction(intent = SUBMIT)
    public String denyTransfer(final Context ctx, final String requestId, final String transferId, final String reason) {
        return Boundary.run(() -> submit(ctx, LedgerFunction.DENY_TRANSFER, requestId, arguments(transferId, reason),
                command -> transfers.steps().deny(command, transferId, reason)));
    }

    /** Recipient meter: escrow -> recipient. */
    @Transaction(intent = SUBMIT)
    public String acceptTransfer(final Context ctx, final String requestId, final String transferId) {
        return Boundary.run(() -> submit(ctx, LedgerFunction.ACCEPT_TRANSFER, requestId, arguments(transferId),
                command -> transfers.steps().accept(command, transferId)));
    }

    /** Recipient meter: withdraws its request, or sends granted funds back to the donor. */
    @Transaction(intent = SUBMIT)
    public String cancelTransfer(final Context ctx, final String requestId, final String transferId) {
        return Boundary.run(() -> submit(ctx, LedgerFunction.CANCEL_TRANSFER, requestId, arguments(transferId),
                command -> transfers.steps().cancel(command, transferId)));
    }

    /** Donor meter: funds -> escrow for the recipient to acknowledge before the deadline (push). */
    @Transaction(intent = SUBMIT)
    public String offerTransfer(
            final Context ctx, final String requestId, final String donorMeterId, final String recipientMeterId,
            final String amountMinorUnits, final String deadlineEpochSeconds) {
        return Boundary.run(() -> submit(ctx, LedgerFunction.OFFER_TRANSFER, requestId,
                arguments(donorMeterId, recipientMeterId, amountMinorUnits, deadlineEpochSeconds),
                command -> transfers.offer(command, donorMeterId, recipientMeterId,
                        Arguments.amount(amountMinorUnits, "amountMinorUnits"),
                        Arguments.deadline(deadlineEpochSeconds, "deadlineEpochSeconds"))));
    }

    @Transaction(intent = SUBMIT)
    public String acknowledgeTransfer(final Context ctx, final String requestId, final String transferId) {
        return Boundary.run(() -> submit(ctx, LedgerFunction.ACKNOWLEDGE_TRANSFER, requestId, arguments(transferId),
                command -> transfers.steps().acknowledge(command, transferId)));
    }

    @Transaction(intent = SUBMIT)
    public String rejectTransfer(
            final Context ctx, final String requestId, final String transferId, final String reason) {
        return Boundary.run(() -> submit(ctx, LedgerFunction.REJECT_TRANSFER, requestId, arguments(transferId, reason),
                command -> transfers.steps().reject(command, transferId, reason)));
    }

    /** Anyone, after the deadline: a pending request lapses; escrowed funds go back to the donor. */
    @Transaction(intent = SUBMIT)
    public String expireTransfer(final Context ctx, final String requestId, final String transferId) {
        return Boundary.run(() -> submit(ctx, LedgerFunction.EXPIRE_TRANSFER, requestId, arguments(transferId),
                command -> transfers.steps().expire(command, transferId)));
    }

    /**
     * Meter: asks for the postage of a spoiled piece back: the piece it printed, for its recorded amount, within the
     * refund window, not yet scanned, once per piece, at most Limits.MAX_REFUND_REQUESTS_PER_METER_PER_DAY a day.
     */
    @Transaction(intent = SUBMIT)
    public String requestRefund(
            final Context ctx, final String requestId, final String meterId, final String pieceNumber,
            final String amountMinorUnits, final String reason) {
        return Boundary.run(() -> submit(ctx, LedgerFunction.REQUEST_REFUND, requestId,
                arguments(meterId, pieceNumber, amountMinorUnits, reason),
                command -> refunds.request(command, meterId, piece(pieceNumber),
                        Arguments.amount(amountMinorUnits, "amountMinorUnits"), reason)));
    }

    // ---- postal authority --------------------------------------------------------------------------------------

    /** PostalAuthority: postage revenue -> the refund's credit meter; refused if the piece was scanned meanwhile. */
    @Transaction(intent = SUBMIT)
    public String approveRefund(
            final Context ctx, final String requestId, final String meterId, final String pieceNumber) {
        return Boundary.run(() -> submit(ctx, LedgerFunction.APPROVE_REFUND, requestId, arguments(meterId, pieceNumber),
                command -> refunds.approve(command, meterId, piece(pieceNumber))));
    }

    @Transaction(intent = SUBMIT)
    public String rejectRefund(
            final Context ctx, final String requestId, final String meterId, final String pieceNumber,
            final String reason) {
        return Boundary.run(() -> submit(ctx, LedgerFunction.REJECT_REFUND, requestId,
                arguments(meterId, pieceNumber, reason),
                command -> refunds.reject(command, meterId, piece(pieceNumber), reason)));
    }

    /** PostalAuthority: verifies an indicium seen on mail and counts the sighting (a second one is DUPLICATE). */
    @Transaction(intent = SUBMIT)
    public String recordIndiciumScan(final Context ctx, final String requestId, final String indiciumJson) {
        return Boundary.run(() -> submit(ctx, LedgerFunction.RECORD_INDICIUM_SCAN, requestId, arguments(indiciumJson),
                command -> postage.scan(command, indiciumJson)));
    }

    // ---- queries -----------------------------------------------------------------------------------------------

    /** Owner, DataCenter, PostalAuthority: registration, PSD registers and inspection clock. */
    @Transaction(intent = EVALUATE)
    public String getMeter(final Context ctx, final String meterId) {
        return Boundary.run(() -> evaluate(ctx, (tx, caller) -> meters.meterView(tx, caller, meterId)));
    }

    /** Every member: the consortium record (which MSP is the data center, the postal authority, an owner). */
    @Transaction(intent = EVALUATE)
    public String getConsortium(final Context ctx) {
        return Boundary.run(() -> evaluate(ctx, (tx, caller) -> {
            caller.requireMember("getConsortium");
            return caller.consortium();
        }));
    }

    @Transaction(intent = EVALUATE)
    public String getInspectionPeriods(final Context ctx) {
        return Boundary.run(() -> evaluate(ctx, (tx, caller) -> org.postalfunds.chaincode.meter.Meters.inspectionPeriods(tx)));
    }

    /** The parties' owners, DataCenter, PostalAuthority. */
    @Transaction(intent = EVALUATE)
    public String getTransfer(final Context ctx, final String transferId) {
        return Boundary.run(() -> evaluate(ctx, (tx, caller) -> transfers.view(tx, caller, transferId)));
    }

    /** A meter's transfers in one state, {@code pageSize} 1..100; pass the returned bookmark for the next page. */
    @Transaction(intent = EVALUATE)
    public String listTransfers(
            final Context ctx, final String meterId, final String state, final String pageSize, final String bookmark) {
        return Boundary.run(() -> evaluate(ctx, (tx, caller) -> transfers.list(tx, caller, meterId, state, pageSize(pageSize), bookmark)));
    }

    @Transaction(intent = EVALUATE)
    public String listAuthorisedRequesters(
            final Context ctx, final String donorMeterId, final String pageSize, final String bookmark) {
        return Boundary.run(() -> evaluate(ctx, (tx, caller) -> requesters.list(tx, caller, donorMeterId, pageSize(pageSize), bookmark)));
    }

    /** A failed meter and its replacement's progress (owner, data center, postal authority). */
    @Transaction(intent = EVALUATE)
    public String getReplacement(final Context ctx, final String failedMeterId) {
        return Boundary.run(() -> evaluate(ctx, (tx, caller) -> replacements.view(tx, caller, failedMeterId)));
    }

    @Transaction(intent = EVALUATE)
    public String getAllotment(final Context ctx, final String distributorMeterId, final String recipientMeterId) {
        return Boundary.run(() -> evaluate(ctx, (tx, caller) -> allotments.view(tx, caller, distributorMeterId, recipientMeterId)));
    }

    @Transaction(intent = EVALUATE)
    public String getIndicium(final Context ctx, final String meterId, final String pieceNumber) {
        return Boundary.run(() -> evaluate(ctx, (tx, caller) -> postage.get(tx, caller, meterId,
                Arguments.count(pieceNumber, "pieceNumber", 1, Long.MAX_VALUE))));
    }

    /** PostalAuthority, DataCenter: is this indicium genuine, forged, unpaid or conflicting? Writes nothing. */
    @Transaction(intent = EVALUATE)
    public String verifyIndicium(final Context ctx, final String indiciumJson) {
        return Boundary.run(() -> evaluate(ctx, (tx, caller) -> postage.verify(tx, caller, indiciumJson)));
    }

    /** The newest {@code limit} (1..100) versions of an account, e.g. METER:m1, ALLOTMENT:d1:r1, ESCROW:t1. */
    @Transaction(intent = EVALUATE)
    public String getAccountHistory(final Context ctx, final String accountId, final String limit) {
        return Boundary.run(() -> evaluate(ctx, (tx, caller) -> audit.history(tx, caller, accountId,
                (int) Arguments.count(limit, "limit", 1, Limits.MAX_HISTORY_ENTRIES))));
    }

    /** PostalAuthority, DataCenter: per-class totals of every account and the proof that they sum to zero. */
    @Transaction(intent = EVALUATE)
    public String auditTotals(final Context ctx) {
        return Boundary.run(() -> evaluate(ctx, audit::totals));
    }

    /** The printing meter's owner, DataCenter, PostalAuthority. */
    @Transaction(intent = EVALUATE)
    public String getRefund(final Context ctx, final String meterId, final String pieceNumber) {
        return Boundary.run(() -> evaluate(ctx, (tx, caller) -> refunds.get(tx, caller, meterId, piece(pieceNumber))));
    }

    /** A meter's refunds in piece order: in one state (REQUESTED, APPROVED, REJECTED), or all for "" or ALL. */
    @Transaction(intent = EVALUATE)
    public String listRefunds(
            final Context ctx, final String meterId, final String state, final String pageSize, final String bookmark) {
        return Boundary.run(() -> evaluate(ctx, (tx, caller) -> refunds.list(tx, caller, meterId, state, pageSize(pageSize), bookmark)));
    }

    private static long piece(final String text) {
        return Arguments.count(text, "pieceNumber", 1, Long.MAX_VALUE);
    }

    private static int pageSize(final String text) {
        return (int) Arguments.count(text, "pageSize", 1, Limits.MAX_PAGE_SIZE);
    }

    private static long days(final String text, final String what) {
        return Arguments.count(text, what, 1, Limits.MAX_INSPECTION_PERIOD_DAYS);
    }

    private String submit(
            final Context ctx, final LedgerFunction function, final String requestId, final List<Object> arguments,
            final java.util.function.Function<Command, Outcome> handler) {
        return submissions.submit(ctx, function, requestId, arguments, handler);
    }

}
