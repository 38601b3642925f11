package org.postalfunds.client;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.api.LedgerFunction;
import org.postalfunds.api.model.Allotment;
import org.postalfunds.api.model.AuditTotals;
import org.postalfunds.api.model.Indicium;
import org.postalfunds.api.model.IndiciumVerification;
import org.postalfunds.api.model.MeterView;
import org.postalfunds.api.model.Refund;
import org.postalfunds.api.model.RefundPage;
import org.postalfunds.api.model.RefundState;
import org.postalfunds.api.model.Transfer;
import org.postalfunds.api.model.TransferState;
import org.postalfunds.api.model.TransferView;
import org.postalfunds.client.audit.AuditReport;
import org.postalfunds.client.audit.Auditor;
import org.postalfunds.client.audit.ChainReport;
import org.postalfunds.client.audit.ChainVerifier;
import org.postalfunds.client.audit.IndiciumCheck;
import org.postalfunds.client.audit.LedgerIndex;
import org.postalfunds.client.indicium.Indicia;
import org.postalfunds.client.ledger.BlockFeed;
import org.postalfunds.client.ledger.EventFeed;
import org.postalfunds.client.ledger.Ledger;
import org.postalfunds.client.ledger.LedgerException;
import org.postalfunds.client.model.AccountHistory;
import org.postalfunds.client.model.IndiciumScanResult;
import org.postalfunds.client.model.RefundChange;

/**
 * The postal authority (or the data center, for its own reconciliation) auditing the ledger: balances of
 * every meter, account histories, the conservation check, and indicium verification with duplicate and
 * forgery detection. Every check the contract makes, this client makes again from what it reads.
 *
 * <pre>{@code
 * AuditorClient auditor = AuditorClient.of(connection);   // a PostalAuthorityMSP identity
 * AuditReport report = auditor.audit(LedgerIndex.Progress.NONE);
 * if (!report.passed()) { ... report.checks() ... }
 * }</pre>
 */
public final class AuditorClient {
    private final LedgerCalls calls;

    private AuditorClient(final Ledger ledger) {
        this.calls = new LedgerCalls(ledger);
    }

    public static AuditorClient of(final Ledger ledger) {
        return new AuditorClient(ledger);
    }

    /** The contract's conservation report. */
    public AuditTotals totals() throws LedgerException {
        return calls.query(AuditTotals.class, LedgerFunction.AUDIT_TOTALS);
    }

    /** Every meter ever registered, learnt from the events, and every transfer and allotment. */
    public LedgerIndex index(final LedgerIndex.Progress progress) throws LedgerException, InterruptedException {
        try (EventFeed feed = calls.ledger().replay()) {
            return LedgerIndex.build(feed, progress);
        }
    }

    /** Registration, registers and inspection clock of every meter, in meter id order. */
    public List<MeterView> balances(final LedgerIndex.Progress progress) throws LedgerException, InterruptedException {
        List<MeterView> meters = new ArrayList<>();
        for (String meterId : index(progress).meterIds()) {
            meters.add(calls.meter(meterId));
        }
        return meters;
    }

    public MeterView meter(final String meterId) throws LedgerException {
        return calls.meter(meterId);
    }

    /** The postal authority's view of a failed meter's replacement: the old -> new link and what moved. */
    public org.postalfunds.client.model.ReplacementView replacement(final String failedMeterId) throws LedgerException {
        return calls.query(org.postalfunds.client.model.ReplacementView.class,
                org.postalfunds.api.LedgerFunction.GET_REPLACEMENT, failedMeterId);
    }

    public TransferView transfer(final String transferId) throws LedgerException {
        return calls.transfer(transferId);
    }

    public List<Transfer> transfers(final String meterId, final TransferState state, final int max) throws LedgerException {
        return calls.allTransfers(meterId, state, Math.min(max, MeterClient.MAX_LISTED_TRANSFERS));
    }

    public Allotment allotment(final String distributorMeterId, final String recipientMeterId) throws LedgerException {
        return calls.allotment(distributorMeterId, recipientMeterId);
    }

    /** The newest {@code limit} (1-100) versions of any account, e.g. METER:m1, ESCROW:t1. */
    public AccountHistory history(final String accountId, final int limit) throws LedgerException {
        return calls.history(accountId, limit);
    }

    /**
     * The conservation check, re-derived: all accounts sum to zero, every meter's and allotment's control
     * sum holds, the per-meter registers add up to the contract's totals, every escrow belongs to an open
     * transfer and holds its amount, and no escrow is still open past its deadline.
     */
    public AuditReport audit(final LedgerIndex.Progress progress) throws LedgerException, InterruptedException {
        AuditorClient client = this;
        return Auditor.audit(new Auditor.LedgerReader() {
            @Override
            public AuditTotals totals() throws LedgerException {
                return client.totals();
            }

            @Override
            public LedgerIndex index() throws LedgerException, InterruptedException {
                return client.index(progress);
            }

            @Override
            public MeterView meter(final String meterId) throws LedgerException {
                return calls.meter(meterId);
            }

            @Override
            public TransferView transfer(final String transferId) throws LedgerException {
                return calls.transfer(transferId);
            }

            @Override
            public Allotment allotment(final String distributorMeterId, final String recipientMeterId)
                    throws LedgerException {
                return calls.allotment(distributorMeterId, recipientMeterId);
            }
        });
    }

    /**
     * Verifies the chain itself from the blocks the auditor's peer serves, from block 0 to the current height:
     * hash chain, data hashes, transaction ids, creator signatures, endorsement signatures, and that every
     * valid transaction of the contract was endorsed by {@code requiredEndorsers}.
     */
    public ChainReport verifyChain(final String chaincodeName, final Set<String> requiredEndorsers,
            final LedgerIndex.Progress progress) throws LedgerException, InterruptedException {
        try (BlockFeed blocks = calls.ledger().blocks()) {
            return new ChainVerifier(chaincodeName, requiredEndorsers).verify(blocks, progress);
        }
    }

    /**
     * Checks a presented indicium without recording anything: the client's own signature check against the
     * meter's registered key, and the ledger's verdict (genuine, forged, not on the ledger, conflicting).
     */
    public IndiciumCheck verifyIndicium(final Indicium presented) throws LedgerException {
        IndiciumVerification ledger = calls.query(IndiciumVerification.class, LedgerFunction.VERIFY_INDICIUM, Indicia.toJson(presented));
        return new IndiciumCheck(presented, signatureValid(presented), ledger, Optional.empty());
    }

    /**
     * Records a sighting of the indicium on a mail piece (postal authority only): the ledger counts it,
     * and every sighting after the first is a DUPLICATE, the sign of a copied indicium.
     */
    public IndiciumCheck scanIndicium(final RequestId requestId, final Indicium presented) throws LedgerException {
        LedgerCalls.Submitted submitted = calls.submit(LedgerFunction.RECORD_INDICIUM_SCAN, requestId, Indicia.toJson(presented));
        IndiciumScanResult scan = new IndiciumScanResult(submitted.receipt(),
                submitted.part("verification", IndiciumVerification.class));
        return new IndiciumCheck(presented, signatureValid(presented), scan.verification(),
                Optional.of(scan.receipt()));
    }

    // ---- refunds of spoiled pieces (the postal authority answers) ----------------------------------------------

    /**
     * Postal authority only: credits the refund's postage back to its credit meter (postage revenue -> meter). The
     * approval writes meter accounts, whose key-level policy is the data center AND the meter's owner, and the
     * postal authority's gateway would pick endorsers by the chaincode policy alone: so the data center and the
     * owners of the printing and the credited meter endorse, named here.
     */
    public RefundChange approveRefund(final RequestId requestId, final String meterId, final long pieceNumber)
            throws LedgerException {
        Refund pending = calls.refund(meterId, pieceNumber);
        String creditOwner = pending.creditMeterId().equals(meterId) ? pending.ownerMsp()
                : calls.ownerMsp(pending.creditMeterId());
        return calls.refundChange(calls.submitEndorsedBy(LedgerFunction.APPROVE_REFUND, requestId,
                LedgerCalls.organisations(calls.dataCenterMsp(), pending.ownerMsp(), creditOwner), meterId,
                LedgerCalls.piece(pieceNumber)));
    }

    /** Postal authority only: refuses the refund, with a reason the meter's owner reads. */
    public RefundChange rejectRefund(final RequestId requestId, final String meterId, final long pieceNumber,
            final String reason) throws LedgerException {
        return calls.refundChange(calls.submit(LedgerFunction.REJECT_REFUND, requestId, meterId,
                LedgerCalls.piece(pieceNumber), LedgerCalls.refundReason(reason)));
    }

    public Refund refund(final String meterId, final long pieceNumber) throws LedgerException {
        return calls.refund(meterId, pieceNumber);
    }

    public RefundPage refunds(final String meterId, final RefundState state, final int pageSize, final String bookmark)
            throws LedgerException {
        return calls.refunds(meterId, state, pageSize, bookmark);
    }

    /** A meter's refunds in one state ({@code null}: all), all pages, up to {@code max}. */
    public List<Refund> allRefunds(final String meterId, final RefundState state, final int max) throws LedgerException {
        return calls.allRefunds(meterId, state, Math.min(max, MeterClient.MAX_LISTED_TRANSFERS));
    }

    /** Empty when the ledger knows no such meter. */
    private Optional<Boolean> signatureValid(final Indicium presented) throws LedgerException {
        MeterView meter;
        try {
            meter = calls.meter(presented.meterId());
        } catch (LedgerException e) {
            if (e.errorCode().filter(ErrorCode.UNKNOWN_METER::equals).isPresent()) {
                return Optional.empty();
            }
            throw e;
        }
        return Optional.of(presented.signedBy(publicKey(meter.meter().certificatePem())));
    }

    private static PublicKey publicKey(final String certificatePem) {
        try {
            return CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(certificatePem.getBytes(StandardCharsets.US_ASCII)))
                    .getPublicKey();
        } catch (CertificateException e) {
            throw new IllegalStateException("the ledger holds a meter certificate that does not parse: " + e.getMessage(), e);
        }
    }
}
