package org.postalfunds.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import org.hyperledger.fabric.client.identity.Signer;
import org.postalfunds.api.LedgerFunction;
import org.postalfunds.api.format.IndiciumEncoding;
import org.postalfunds.api.format.SealedPackage;
import org.postalfunds.api.model.Allotment;
import org.postalfunds.api.model.AuthorisedRequester;
import org.postalfunds.api.model.Indicium;
import org.postalfunds.api.model.IndiciumRecord;
import org.postalfunds.api.model.InformationKind;
import org.postalfunds.api.model.InformationTransfer;
import org.postalfunds.api.model.MeterView;
import org.postalfunds.api.model.PsdRegisters;
import org.postalfunds.api.model.Refund;
import org.postalfunds.api.model.RefundPage;
import org.postalfunds.api.model.RefundState;
import org.postalfunds.api.model.RequesterPage;
import org.postalfunds.api.model.Transfer;
import org.postalfunds.api.model.TransferPage;
import org.postalfunds.api.model.TransferState;
import org.postalfunds.api.model.TransferView;
import org.postalfunds.client.indicium.Indicia;
import org.postalfunds.client.ledger.Ledger;
import org.postalfunds.client.ledger.LedgerException;
import org.postalfunds.client.model.AccountHistory;
import org.postalfunds.client.model.AllotmentChange;
import org.postalfunds.client.model.InformationChange;
import org.postalfunds.client.model.Json;
import org.postalfunds.client.model.Postage;
import org.postalfunds.client.model.PrintedPostage;
import org.postalfunds.client.model.RefundChange;
import org.postalfunds.client.model.RequesterChange;
import org.postalfunds.client.model.TransferChange;
import org.postalfunds.client.secure.Addressing;
import org.postalfunds.client.secure.RecipientPsd;
import org.postalfunds.client.secure.Sealing;
import org.postalfunds.client.secure.SealingException;
import org.postalfunds.client.secure.SecureItem;

/**
 * One meter acting on the ledger: printing postage, pull and push transfers, its distributor allotments and
 * its list of authorised requesters, and reading its own account. The ledger connection must carry the
 * meter's own identity (its owner's MSP and the certificate of its PSD key); the PSD signer signs indicia,
 * normally the HSM bridge's signer, so the key never leaves the token.
 *
 * <pre>{@code
 * MeterClient meter = MeterClient.builder()
 *         .ledger(connection)                 // identity + BridgeSigner of meter-A1
 *         .meterId("meter-A1")
 *         .psdSigner(bridge.signer("meter-A1"))
 *         .build();
 * TransferChange requested = meter.request(RequestId.random(), "meter-B1", 5_000, Instant.now().plus(Duration.ofDays(1)));
 * }</pre>
 */
public final class MeterClient {
    /** Most transfers {@link #transfers(TransferState, int)} collects across pages. */
    public static final int MAX_LISTED_TRANSFERS = 10_000;
    private static final Pattern REASON = Pattern.compile("[\\p{L}\\p{N}\\p{P}\\p{Zs}]{0,200}");

    private final LedgerCalls calls;
    private final String meterId;
    private final Signer psdSigner;
    private final Clock clock;

    private MeterClient(final Builder builder) {
        this.calls = new LedgerCalls(builder.ledger);
        this.meterId = builder.meterId;
        this.psdSigner = builder.psdSigner;
        this.clock = builder.clock;
    }

    public static Builder builder() {
        return new Builder();
    }

    public String meterId() {
        return meterId;
    }

    public Ledger ledger() {
        return calls.ledger();
    }

    // ---- printing ------------------------------------------------------------------------------------------------

    /**
     * Prints one piece: reads the piece count, builds the indicium for the next piece and today's UTC date
     * (the date of the proposal this client is about to create, which the contract requires), has the PSD
     * sign it, and submits it. A concurrent print by the same meter makes this one fail with
     * PIECE_NUMBER_MISMATCH; print again with a new request id.
     *
     * @throws GeneralSecurityException when the PSD refuses to sign
     */
    public PrintedPostage printPostage(final RequestId requestId, final Postage postage)
            throws LedgerException, GeneralSecurityException {
        PsdRegisters registers = balance().registers();
        IndiciumEncoding.Fields fields = new IndiciumEncoding.Fields(meterId, Math.addExact(registers.pieceCount(), 1),
                postage.amountMinorUnits(), LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC),
                postage.destinationPostalCode(), postage.destinationCountryCode(), postage.rateCode());
        Indicium indicium = Indicia.sign(fields, psdSigner);
        LedgerCalls.Submitted submitted = calls.submit(LedgerFunction.PRINT_POSTAGE, requestId, Indicia.toJson(indicium));
        return new PrintedPostage(submitted.receipt(), submitted.part("indicium", IndiciumRecord.class),
                submitted.part("registers", PsdRegisters.class));
    }

    // ---- refunds of spoiled pieces ------------------------------------------------------------------------------

    /**
     * Asks for the postage of a spoiled piece back: one this meter printed, for its recorded amount, within the
     * refund window and before any mail centre scanned it. The postal authority approves or rejects it.
     */
    public RefundChange requestRefund(final RequestId requestId, final long pieceNumber, final long amountMinorUnits,
            final String reason) throws LedgerException {
        return calls.refundChange(calls.submit(LedgerFunction.REQUEST_REFUND, requestId, meterId,
                LedgerCalls.piece(pieceNumber), LedgerCalls.amount(amountMinorUnits), LedgerCalls.refundReason(reason)));
    }

    /** The refund of one of this meter's pieces. */
    public Refund refund(final long pieceNumber) throws LedgerException {
        return calls.refund(meterId, pieceNumber);
    }

    /** This meter's refunds in one state ({@code null}: all), one page. */
    public RefundPage refunds(final RefundState state, final int pageSize, final String bookmark) throws LedgerException {
        return calls.refunds(meterId, state, pageSize, bookmark);
    }

    // ---- pull transfers (Fig. 3a) --------------------------------------------------------------------------------

    /** As recipient: asks {@code donorMeterId} for funds; the donor must list this meter as an authorised requester. */
    public TransferChange request(final RequestId requestId, final String donorMeterId, final long amountMinorUnits,
            final Instant deadline) throws LedgerException {
        return calls.transferChange(calls.submit(LedgerFunction.REQUEST_TRANSFER, requestId, meterId, donorMeterId,
                LedgerCalls.amount(amountMinorUnits), LedgerCalls.epochSeconds(deadline)));
    }

    /** As donor: puts the requested funds into escrow until {@code escrowDeadline}. */
    public TransferChange grant(final RequestId requestId, final String transferId, final Instant escrowDeadline)
            throws LedgerException {
        return calls.transferChange(calls.submit(LedgerFunction.GRANT_TRANSFER, requestId, transferId,
                LedgerCalls.epochSeconds(escrowDeadline)));
    }

    public TransferChange deny(final RequestId requestId, final String transferId, final String reason)
            throws LedgerException {
        return calls.transferChange(calls.submit(LedgerFunction.DENY_TRANSFER, requestId, transferId, requireReason(reason)));
    }

    /** As recipient: takes the granted funds out of escrow. */
    public TransferChange accept(final RequestId requestId, final String transferId) throws LedgerException {
        return calls.transferChange(calls.submit(LedgerFunction.ACCEPT_TRANSFER, requestId, transferId));
    }

    /** As recipient: withdraws a request, or sends granted funds back to the donor. */
    public TransferChange cancel(final RequestId requestId, final String transferId) throws LedgerException {
        return calls.transferChange(calls.submit(LedgerFunction.CANCEL_TRANSFER, requestId, transferId));
    }

    // ---- push transfers (Fig. 3b) --------------------------------------------------------------------------------

    /** As donor: puts funds into escrow for {@code recipientMeterId} to acknowledge before {@code deadline}. */
    public TransferChange offer(final RequestId requestId, final String recipientMeterId, final long amountMinorUnits,
            final Instant deadline) throws LedgerException {
        return calls.transferChange(calls.submit(LedgerFunction.OFFER_TRANSFER, requestId, meterId, recipientMeterId,
                LedgerCalls.amount(amountMinorUnits), LedgerCalls.epochSeconds(deadline)));
    }

    public TransferChange acknowledge(final RequestId requestId, final String transferId) throws LedgerException {
        return calls.transferChange(calls.submit(LedgerFunction.ACKNOWLEDGE_TRANSFER, requestId, transferId));
    }

    public TransferChange reject(final RequestId requestId, final String transferId, final String reason)
            throws LedgerException {
        return calls.transferChange(calls.submit(LedgerFunction.REJECT_TRANSFER, requestId, transferId, requireReason(reason)));
    }

    // ---- secure information (Fig. 7, claims 10-12) -----------------------------------------------------------------

    /** The transient-map key the contract reads a sealed package from. */
    static final String PACKAGE_TRANSIENT_KEY = "package";

    /** As recipient: asks {@code senderMeterId} for the named item (pull); answered by a grant with a sealed package. */
    public InformationChange requestInformation(final RequestId requestId, final String senderMeterId,
            final String itemName, final Instant deadline) throws LedgerException {
        return informationChange(calls.submit(LedgerFunction.REQUEST_INFORMATION, requestId, meterId,
                senderMeterId, SealedPackage.requireItemName(itemName), LedgerCalls.epochSeconds(deadline)));
    }

    /**
     * As sender: seals {@code item} to the requesting meter's registered key-agreement key, has this meter's PSD sign the
     * package, and grants the request with it. The item's name must be the one requested.
     */
    public InformationChange grantInformation(final RequestId requestId, final String transferId, final SecureItem item,
            final Instant deliveryDeadline) throws LedgerException, SealingException, GeneralSecurityException {
        final InformationTransfer requested = informationTransfer(transferId);
        if (!requested.itemName().equals(item.name())) {
            throw new IllegalArgumentException("transfer " + transferId + " asks for '" + requested.itemName()
                    + "', not '" + item.name() + "'");
        }
        final byte[] sealed = Sealing.seal(item, new Addressing(transferId, meterId, requested.recipientMeterId()),
                calls.meterKeyAgreementKey(requested.recipientMeterId()), psdSigner);
        return informationChange(calls.submitPackage(LedgerFunction.GRANT_INFORMATION, requestId, sealed,
                LedgerCalls.organisations(calls.dataCenterMsp(), requested.senderOwnerMsp(), requested.recipientOwnerMsp()),
                transferId, LedgerCalls.epochSeconds(deliveryDeadline)));
    }

    public InformationChange denyInformation(final RequestId requestId, final String transferId, final String reason)
            throws LedgerException {
        return informationChange(calls.submit(LedgerFunction.DENY_INFORMATION, requestId, transferId,
                requireReason(reason)));
    }

    /** As recipient: takes delivery. The package is purged from the ledger: {@link #receiveInformation} it first. */
    public InformationChange acceptInformation(final RequestId requestId, final String transferId)
            throws LedgerException {
        return informationChange(calls.submit(LedgerFunction.ACCEPT_INFORMATION, requestId, transferId));
    }

    public InformationChange cancelInformation(final RequestId requestId, final String transferId)
            throws LedgerException {
        return informationChange(calls.submit(LedgerFunction.CANCEL_INFORMATION, requestId, transferId));
    }

    /**
     * As sender: seals {@code item} to {@code recipientMeterId}'s PSD and offers it (push). The transfer id is
     * derived from this meter and the request id, so the package is bound to it before the transaction exists.
     */
    public InformationChange offerInformation(final RequestId requestId, final String recipientMeterId,
            final SecureItem item, final Instant deadline)
            throws LedgerException, SealingException, GeneralSecurityException {
        final String transferId = SealedPackage.transferIdFor(meterId, requestId.value());
        final byte[] sealed = Sealing.seal(item, new Addressing(transferId, meterId, recipientMeterId),
                calls.meterKeyAgreementKey(recipientMeterId), psdSigner);
        return informationChange(calls.submitPackage(LedgerFunction.OFFER_INFORMATION, requestId, sealed,
                LedgerCalls.organisations(calls.dataCenterMsp(), calls.ownerMsp(meterId), calls.ownerMsp(recipientMeterId)),
                meterId, recipientMeterId, item.name(), LedgerCalls.epochSeconds(deadline)));
    }

    public InformationChange acknowledgeInformation(final RequestId requestId, final String transferId)
            throws LedgerException {
        return informationChange(calls.submit(LedgerFunction.ACKNOWLEDGE_INFORMATION, requestId, transferId));
    }

    public InformationChange rejectInformation(final RequestId requestId, final String transferId, final String reason)
            throws LedgerException {
        return informationChange(calls.submit(LedgerFunction.REJECT_INFORMATION, requestId, transferId,
                requireReason(reason)));
    }

    public InformationChange expireInformation(final RequestId requestId, final String transferId)
            throws LedgerException {
        return informationChange(calls.submit(LedgerFunction.EXPIRE_INFORMATION, requestId, transferId));
    }

    public InformationTransfer informationTransfer(final String transferId) throws LedgerException {
        return Json.convert(calls.queryTree(LedgerFunction.GET_INFORMATION_TRANSFER, transferId)
                .path("informationTransfer"), InformationTransfer.class);
    }

    /**
     * As recipient: fetches the sealed package from this organisation's peer, checks it against the SHA-256 on the
     * public record and the sender's signature against the sender's registered key, and unseals it inside this
     * meter's PSD ({@code psd}, normally {@link RecipientPsd#throughBridge}). Reads nothing but the package: the
     * transfer stays open until {@link #acceptInformation} or {@link #acknowledgeInformation}.
     */
    public SecureItem receiveInformation(final String transferId, final RecipientPsd psd)
            throws LedgerException, SealingException, GeneralSecurityException {
        final JsonNode answer = calls.queryTree(LedgerFunction.GET_INFORMATION_PACKAGE, transferId);
        final InformationTransfer transfer = Json.convert(answer.path("informationTransfer"), InformationTransfer.class);
        if (!transfer.recipientMeterId().equals(meterId)) {
            throw new IllegalArgumentException("transfer " + transferId + " is for " + transfer.recipientMeterId()
                    + ", not " + meterId);
        }
        final byte[] sealed = java.util.Base64.getDecoder().decode(answer.path("packageBase64").asText());
        if (!SealedPackage.sha256Hex(sealed).equals(transfer.packageSha256())) {
            throw new SealingException(SealingException.Reason.MALFORMED, "the package from the peer does not match "
                    + "the SHA-256 on the public record of " + transferId);
        }
        // A meter sender signs with its registered key; a data center download with the identity the record names.
        final String senderCertificatePem = transfer.kind() == InformationKind.DOWNLOAD ? transfer.senderCertificatePem()
                : calls.queryTree(LedgerFunction.GET_METER_CERTIFICATE, transfer.senderId())
                        .path("certificatePem").asText();
        final java.security.PublicKey senderKey = LedgerCalls.certificate(senderCertificatePem).getPublicKey();
        if (!LedgerCalls.fingerprint(senderKey).equals(transfer.senderPublicKeyFingerprint())) {
            throw new SealingException(SealingException.Reason.BAD_SIGNATURE, "the sender's key is not the one that "
                    + "opened " + transferId);
        }
        return Sealing.unseal(sealed, new Addressing(transferId, transfer.senderId(), meterId), senderKey, psd);
    }

    private static InformationChange informationChange(final LedgerCalls.Submitted submitted) {
        return LedgerCalls.informationChange(submitted);
    }

    /** Anyone, at or after the deadline: a request lapses, escrowed funds go back to the donor. */
    public TransferChange expire(final RequestId requestId, final String transferId) throws LedgerException {
        return calls.transferChange(calls.submit(LedgerFunction.EXPIRE_TRANSFER, requestId, transferId));
    }

    // ---- distributor allotments (Fig. 4) and requesters ---------------------------------------------------------

    /** Moves funds from this meter into its allotment for one recipient, from which grants to it are paid. */
    public AllotmentChange fundAllotment(final RequestId requestId, final String recipientMeterId,
            final long amountMinorUnits) throws LedgerException {
        return allotmentChange(calls.submit(LedgerFunction.FUND_ALLOTMENT, requestId, meterId, recipientMeterId,
                LedgerCalls.amount(amountMinorUnits)));
    }

    public AllotmentChange releaseAllotment(final RequestId requestId, final String recipientMeterId,
            final long amountMinorUnits) throws LedgerException {
        return allotmentChange(calls.submit(LedgerFunction.RELEASE_ALLOTMENT, requestId, meterId, recipientMeterId,
                LedgerCalls.amount(amountMinorUnits)));
    }

    /** Lets {@code requesterMeterId} request funds from this meter. */
    public RequesterChange authoriseRequester(final RequestId requestId, final String requesterMeterId)
            throws LedgerException {
        LedgerCalls.Submitted submitted = calls.submit(LedgerFunction.AUTHORISE_REQUESTER, requestId, meterId, requesterMeterId);
        return new RequesterChange(submitted.receipt(), submitted.part("authorisedRequester", AuthorisedRequester.class));
    }

    public RequesterChange revokeRequester(final RequestId requestId, final String requesterMeterId)
            throws LedgerException {
        LedgerCalls.Submitted submitted = calls.submit(LedgerFunction.REVOKE_REQUESTER, requestId, meterId, requesterMeterId);
        return new RequesterChange(submitted.receipt(), submitted.part("authorisedRequester", AuthorisedRequester.class));
    }

    // ---- reading -----------------------------------------------------------------------------------------------

    /** This meter's registration, PSD registers and inspection clock. */
    public MeterView balance() throws LedgerException {
        return calls.meter(meterId);
    }

    /** Another meter of the same owner (owners may read their meters). */
    public MeterView meter(final String otherMeterId) throws LedgerException {
        return calls.meter(otherMeterId);
    }

    public TransferPage transfers(final TransferState state, final int pageSize, final String bookmark)
            throws LedgerException {
        return calls.transfers(meterId, state, pageSize, bookmark);
    }

    /** This meter's transfers in one state, all pages, up to {@code max} (at most {@value #MAX_LISTED_TRANSFERS}). */
    public List<Transfer> transfers(final TransferState state, final int max) throws LedgerException {
        return calls.allTransfers(meterId, state, Math.min(max, MAX_LISTED_TRANSFERS));
    }

    public TransferView transfer(final String transferId) throws LedgerException {
        return calls.transfer(transferId);
    }

    /** This meter's allotment for one recipient. */
    public Allotment allotment(final String recipientMeterId) throws LedgerException {
        return calls.allotment(meterId, recipientMeterId);
    }

    public RequesterPage authorisedRequesters(final int pageSize, final String bookmark) throws LedgerException {
        LedgerCalls.requirePageSize(pageSize);
        return calls.query(RequesterPage.class, LedgerFunction.LIST_AUTHORISED_REQUESTERS, meterId, Integer.toString(pageSize),
                bookmark == null ? "" : bookmark);
    }

    /** The newest {@code limit} (1-100) versions of this meter's account. */
    public AccountHistory history(final int limit) throws LedgerException {
        return calls.history("METER:" + meterId, limit);
    }

    /** Any account this meter's owner may read, e.g. ESCROW:transferId or ALLOTMENT:this:recipient. */
    public AccountHistory history(final String accountId, final int limit) throws LedgerException {
        return calls.history(accountId, limit);
    }

    /** The ledger's record of one printed piece of this meter. */
    public IndiciumRecord indicium(final long pieceNumber) throws LedgerException {
        if (pieceNumber < 1) {
            throw new IllegalArgumentException("piece numbers start at 1");
        }
        return calls.query(IndiciumRecord.class, LedgerFunction.GET_INDICIUM, meterId, Long.toString(pieceNumber));
    }

    private AllotmentChange allotmentChange(final LedgerCalls.Submitted submitted) {
        return new AllotmentChange(submitted.receipt(), submitted.part("allotment", Allotment.class),
                submitted.optionalPart("registers", PsdRegisters.class),
                submitted.optionalPart("inflow", org.postalfunds.api.model.MeterInflow.class));
    }

    private static String requireReason(final String reason) {
        if (reason == null || !REASON.matcher(reason).matches()) {
            throw new IllegalArgumentException("a reason is printable text of at most 200 characters");
        }
        return reason;
    }

    /** Ledger, meter id and PSD signer are required; the clock defaults to the system's UTC clock. */
    public static final class Builder {
        private Ledger ledger;
        private String meterId;
        private Signer psdSigner;
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        /** A connection carrying this meter's identity. */
        public Builder ledger(final Ledger value) {
            this.ledger = Objects.requireNonNull(value, "ledger");
            return this;
        }

        public Builder meterId(final String value) {
            this.meterId = Objects.requireNonNull(value, "meterId");
            return this;
        }

        /** Signs indicium digests with the meter's PSD key (for a real meter: {@code bridge.signer(meterId)}). */
        public Builder psdSigner(final Signer value) {
            this.psdSigner = Objects.requireNonNull(value, "psdSigner");
            return this;
        }

        /**
         * The clock whose UTC day goes into indicia: it must be the clock the proposal timestamps come from,
         * which for a Gateway connection is this machine's.
         */
        public Builder clock(final Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        public MeterClient build() {
            Objects.requireNonNull(ledger, "ledger");
            Objects.requireNonNull(meterId, "meterId");
            Objects.requireNonNull(psdSigner, "psdSigner");
            return new MeterClient(this);
        }
    }
}
