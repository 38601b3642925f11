package org.postalfunds.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.postalfunds.api.LedgerFunction;
import org.postalfunds.api.Limits;
import org.postalfunds.api.model.Allotment;
import org.postalfunds.api.model.Escrow;
import org.postalfunds.api.model.Inspection;
import org.postalfunds.api.model.Meter;
import org.postalfunds.api.model.MeterStatus;
import org.postalfunds.api.model.MeterView;
import org.postalfunds.api.model.Movement;
import org.postalfunds.api.model.PsdRegisters;
import org.postalfunds.api.model.Transfer;
import org.postalfunds.api.model.TransferPage;
import org.postalfunds.api.model.TransferState;
import org.postalfunds.api.model.TransferView;
import org.postalfunds.client.ledger.Ledger;
import org.postalfunds.client.ledger.LedgerCall;
import org.postalfunds.client.ledger.LedgerException;
import org.postalfunds.client.model.AccountHistory;
import org.postalfunds.client.model.Json;
import org.postalfunds.client.model.MeterChange;
import org.postalfunds.client.model.Receipt;
import org.postalfunds.client.model.TransferChange;

/** Chaincode calls and the parsing of their JSON answers, shared by the role clients. */
final class LedgerCalls {
    /** The contract's page size bound. */
    static final int MAX_PAGE_SIZE = Limits.MAX_PAGE_SIZE;
    /** The contract's history bound. */
    static final int MAX_HISTORY_ENTRIES = Limits.MAX_HISTORY_ENTRIES;

    /** A submit's receipt together with the whole answer, for the typed parts each action reports. */
    record Submitted(Receipt receipt, JsonNode answer) {
        <T> T part(final String field, final Class<T> type) {
            JsonNode node = answer.get(field);
            if (node == null || node.isNull()) {
                throw new IllegalStateException(receipt.event() + " answered without '" + field + "'");
            }
            return Json.convert(node, type);
        }

        <T> T optionalPart(final String field, final Class<T> type) {
            JsonNode node = answer.get(field);
            return node == null || node.isNull() ? null : Json.convert(node, type);
        }
    }

    private final Ledger ledger;

    LedgerCalls(final Ledger ledger) {
        this.ledger = Objects.requireNonNull(ledger, "ledger");
    }

    Ledger ledger() {
        return ledger;
    }

    Submitted submit(final LedgerFunction function, final RequestId requestId, final String... arguments) throws LedgerException {
        return submit(function, requestId, java.util.Map.of(), arguments);
    }

    /** A submit whose proposal also carries transient data (kept off the ledger, e.g. a sealed package). */
    Submitted submit(final LedgerFunction function, final RequestId requestId, final java.util.Map<String, byte[]> transientData,
            final String... arguments) throws LedgerException {
        return submit(LedgerCall.transaction(function, requestId.value(), arguments).withTransient(transientData), requestId);
    }

    /**
     * A submit carrying a sealed package, endorsed by exactly {@code endorsers}. A real gateway refuses to send
     * transient data to an organisation outside the collection's distribution policy when it picks the endorsers
     * itself (FAILED_PRECONDITION "... retry specifying trusted endorsing organizations to protect transient data"),
     * and the information record's key needs DataCenterMSP, which is no member of a pair collection of two mailers.
     * Naming the endorsers is the client taking responsibility: what travels is sealed to the recipient's PSD and
     * signed, so the data center's peer sees ciphertext only and, outside the collection, stores none of it.
     */
    Submitted submitPackage(final LedgerFunction function, final RequestId requestId, final byte[] sealed,
            final java.util.Set<String> endorsers, final String... arguments) throws LedgerException {
        return submit(LedgerCall.transaction(function, requestId.value(), arguments)
                .withTransient(java.util.Map.of(PACKAGE_TRANSIENT_KEY, sealed))
                .withEndorsingOrganizations(endorsers.toArray(new String[0])), requestId);
    }

    /** A submit endorsed by exactly {@code endorsers}: for writes under key-level policies the gateway cannot foresee. */
    Submitted submitEndorsedBy(final LedgerFunction function, final RequestId requestId,
            final java.util.Set<String> endorsers, final String... arguments) throws LedgerException {
        return submit(LedgerCall.transaction(function, requestId.value(), arguments)
                .withEndorsingOrganizations(endorsers.toArray(new String[0])), requestId);
    }

    /** The transient-map key the contract reads a sealed package from. */
    static final String PACKAGE_TRANSIENT_KEY = "package";
    /** The data center's MSP id, read once from the ledger's consortium record (it never changes). */
    private volatile String dataCenterMsp;

    /**
     * The data center's MSP id: it endorses every information record (key-level policy: the data center AND both
     * owners). Read from the ledger's consortium record on first use, not from a constant.
     */
    String dataCenterMsp() throws LedgerException {
        String known = dataCenterMsp;
        if (known == null) {
            known = query(org.postalfunds.api.model.Consortium.class, LedgerFunction.GET_CONSORTIUM).dataCenterMsp();
            dataCenterMsp = known;
        }
        return known;
    }

    /** A set of MSP ids, duplicates allowed (two meters of one owner). */
    static java.util.Set<String> organisations(final String... mspIds) {
        return new java.util.TreeSet<>(java.util.Arrays.asList(mspIds));
    }

    /** The organisation owning a registered meter, from its public certificate record. */
    String ownerMsp(final String meterId) throws LedgerException {
        String owner = queryTree(LedgerFunction.GET_METER_CERTIFICATE, meterId).path("ownerMsp").asText();
        if (owner.isEmpty()) {
            throw new IllegalStateException("the ledger names no owner for meter " + meterId);
        }
        return owner;
    }

    private Submitted submit(final LedgerCall call, final RequestId requestId) throws LedgerException {
        String function = call.function();
        byte[] answer = ledger.submit(call);
        JsonNode tree = Json.treeFromLedger(answer);
        List<Movement> movements = new ArrayList<>();
        for (JsonNode movement : tree.path("movements")) {
            movements.add(Json.convert(movement, Movement.class));
        }
        Receipt receipt = new Receipt(tree.path("event").asText(), tree.path("requestId").asText(),
                tree.path("txId").asText(), movements, Json.text(answer));
        if (!receipt.requestId().equals(requestId.value())) {
            // The contract echoes the id it recorded; anything else means we are not talking to this contract.
            throw new IllegalStateException(function + " answered for request " + receipt.requestId() + ", not " + requestId);
        }
        return new Submitted(receipt, tree);
    }

    <T> T query(final Class<T> type, final LedgerFunction function, final String... arguments) throws LedgerException {
        return Json.fromLedger(ledger.evaluate(LedgerCall.query(function, arguments)), type);
    }

    JsonNode queryTree(final LedgerFunction function, final String... arguments) throws LedgerException {
        return Json.treeFromLedger(ledger.evaluate(LedgerCall.query(function, arguments)));
    }

    // ---- secure information, shared by the meter and the data center ---------------------------------------------

    /** A registered meter's PSD key, from its certificate on the ledger (the key secure information is sealed to). */
    /**
     * The key to seal secure information to: the meter's key-agreement key from the ledger, checked to be issued by
     * the signing key of the meter's registered certificate (the contract checked it too, at registration).
     *
     * @throws org.postalfunds.client.secure.SealingException NO_KEY_AGREEMENT_KEY when the meter has none
     */
    java.security.PublicKey meterKeyAgreementKey(final String meterId) throws LedgerException,
            java.security.GeneralSecurityException, org.postalfunds.client.secure.SealingException {
        final com.fasterxml.jackson.databind.JsonNode published = queryTree(LedgerFunction.GET_METER_CERTIFICATE, meterId);
        final String agreementPem = published.path("keyAgreementCertificatePem").asText("");
        if (agreementPem.isEmpty()) {
            throw new org.postalfunds.client.secure.SealingException(
                    org.postalfunds.client.secure.SealingException.Reason.NO_KEY_AGREEMENT_KEY, "meter " + meterId
                            + " has no key-agreement key on the ledger; register it with one to send it secure information");
        }
        final java.security.PublicKey signingKey = certificate(published.path("certificatePem").asText()).getPublicKey();
        return org.postalfunds.api.format.KeyAgreementCertificate.verify(
                org.postalfunds.api.format.KeyAgreementCertificate.parsePem(agreementPem), meterId, signingKey);
    }

    static java.security.cert.X509Certificate certificate(final String pem) throws java.security.GeneralSecurityException {
        if (pem == null || pem.isBlank()) {
            throw new java.security.cert.CertificateException("no certificate");
        }
        return (java.security.cert.X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                .generateCertificate(new java.io.ByteArrayInputStream(pem.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    }

    /** SHA-256 of the SubjectPublicKeyInfo, hex: the contract's key fingerprint. */
    static String fingerprint(final java.security.PublicKey key) throws java.security.GeneralSecurityException {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(key.getEncoded()));
    }

    static org.postalfunds.client.model.InformationChange informationChange(final Submitted submitted) {
        return new org.postalfunds.client.model.InformationChange(submitted.receipt(),
                submitted.part("informationTransfer", org.postalfunds.api.model.InformationTransfer.class));
    }

    // ---- answers shared by several roles ---------------------------------------------------------------------

    org.postalfunds.client.model.RefundChange refundChange(final Submitted submitted) {
        return new org.postalfunds.client.model.RefundChange(submitted.receipt(),
                submitted.part("refund", org.postalfunds.api.model.Refund.class),
                java.util.Optional.ofNullable(submitted.optionalPart("registers", PsdRegisters.class)));
    }

    org.postalfunds.api.model.Refund refund(final String meterId, final long pieceNumber) throws LedgerException {
        return query(org.postalfunds.api.model.Refund.class, LedgerFunction.GET_REFUND, meterId, piece(pieceNumber));
    }

    /** A meter's refunds in one state, or all of them for a null state, one page. */
    org.postalfunds.api.model.RefundPage refunds(final String meterId, final org.postalfunds.api.model.RefundState state,
            final int pageSize, final String bookmark) throws LedgerException {
        requirePageSize(pageSize);
        return query(org.postalfunds.api.model.RefundPage.class, LedgerFunction.LIST_REFUNDS, meterId,
                state == null ? "" : state.name(), Integer.toString(pageSize), bookmark == null ? "" : bookmark);
    }

    /** Every refund of the meter in the state (null: all), page by page, up to {@code max}. */
    List<org.postalfunds.api.model.Refund> allRefunds(final String meterId,
            final org.postalfunds.api.model.RefundState state, final int max) throws LedgerException {
        if (max < 1) {
            throw new IllegalArgumentException("max must be at least 1");
        }
        List<org.postalfunds.api.model.Refund> all = new ArrayList<>();
        String bookmark = "";
        do {
            org.postalfunds.api.model.RefundPage page = refunds(meterId, state, Math.min(MAX_PAGE_SIZE, max - all.size()),
                    bookmark);
            all.addAll(page.refunds());
            bookmark = page.bookmark();
        } while (!bookmark.isEmpty() && all.size() < max);
        return all;
    }

    static String piece(final long pieceNumber) {
        if (pieceNumber < 1) {
            throw new IllegalArgumentException("piece numbers start at 1, was " + pieceNumber);
        }
        return Long.toString(pieceNumber);
    }

    /** A refund's reason: required, printable, at most Limits.MAX_REFUND_REASON_LENGTH characters. */
    static String refundReason(final String reason) {
        if (reason == null || reason.isBlank() || reason.length() > Limits.MAX_REFUND_REASON_LENGTH
                || !org.postalfunds.api.Ids.isReason(reason)) {
            throw new IllegalArgumentException("a refund's reason is required: printable text of at most "
                    + Limits.MAX_REFUND_REASON_LENGTH + " characters");
        }
        return reason;
    }

    TransferChange transferChange(final Submitted submitted) {
        return new TransferChange(submitted.receipt(), submitted.part("transfer", Transfer.class),
                submitted.optionalPart("escrow", Escrow.class));
    }

    MeterChange meterChange(final Submitted submitted) {
        return new MeterChange(submitted.receipt(), submitted.part("meter", Meter.class),
                submitted.optionalPart("registers", PsdRegisters.class),
                submitted.optionalPart("previousStatus", MeterStatus.class),
                submitted.optionalPart("inspection", Inspection.class));
    }

    MeterView meter(final String meterId) throws LedgerException {
        return query(MeterView.class, LedgerFunction.GET_METER, meterId);
    }

    TransferView transfer(final String transferId) throws LedgerException {
        return query(TransferView.class, LedgerFunction.GET_TRANSFER, transferId);
    }

    TransferPage transfers(final String meterId, final TransferState state, final int pageSize, final String bookmark)
            throws LedgerException {
        requirePageSize(pageSize);
        return query(TransferPage.class, LedgerFunction.LIST_TRANSFERS, meterId, state.name(), Integer.toString(pageSize),
                bookmark == null ? "" : bookmark);
    }

    /** Every transfer of the meter in the state, page by page, up to {@code max}. */
    List<Transfer> allTransfers(final String meterId, final TransferState state, final int max) throws LedgerException {
        if (max < 1) {
            throw new IllegalArgumentException("max must be at least 1");
        }
        List<Transfer> all = new ArrayList<>();
        String bookmark = "";
        do {
            TransferPage page = transfers(meterId, state, Math.min(MAX_PAGE_SIZE, max - all.size()), bookmark);
            all.addAll(page.transfers());
            bookmark = page.bookmark();
        } while (!bookmark.isEmpty() && all.size() < max);
        return all;
    }

    Allotment allotment(final String distributorMeterId, final String recipientMeterId) throws LedgerException {
        return Json.convert(queryTree(LedgerFunction.GET_ALLOTMENT, distributorMeterId, recipientMeterId).path("allotment"),
                Allotment.class);
    }

    AccountHistory history(final String accountId, final int limit) throws LedgerException {
        if (limit < 1 || limit > MAX_HISTORY_ENTRIES) {
            throw new IllegalArgumentException("history limit must be 1.." + MAX_HISTORY_ENTRIES + ", was " + limit);
        }
        return query(AccountHistory.class, LedgerFunction.GET_ACCOUNT_HISTORY, accountId, Integer.toString(limit));
    }

    static void requirePageSize(final int pageSize) {
        if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
            throw new IllegalArgumentException("page size must be 1.." + MAX_PAGE_SIZE + ", was " + pageSize);
        }
    }

    static String epochSeconds(final java.time.Instant instant) {
        return Long.toString(instant.getEpochSecond());
    }

    static String amount(final long minorUnits) {
        if (minorUnits <= 0) {
            throw new IllegalArgumentException("amounts must be greater than zero, was " + minorUnits + " minor units");
        }
        return Long.toString(minorUnits);
    }
}
