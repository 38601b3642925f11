package org.postalfunds.chaincode.state;

import org.hyperledger.fabric.shim.ledger.CompositeKey;

/**
 * The key layout, in one place. Every key is a composite key (object type + attributes), so related keys can be
 * listed with a partial-key query and never collide.
 *
 * <pre>
 * meter~{meterId}                              Meter: registration, status, inspection clock
 * meter-key~{publicKeyFingerprint}             meterId: one meter per PSD key
 * revoked-key~{publicKeyFingerprint}           RevokedKey: a failed PSD's key; every call signed with it is refused
 * replacement~{failedMeterId}                  Replacement: progress of a failed meter's replacement
 * account~METER~{meterId}                      PsdRegisters: the meter account and its issued-funds and
 *                                              postage-revenue sub-accounts (state-based endorsement)
 * account~INFLOW~{meterId}                     MeterInflow: credits into the meter not yet folded into its
 *                                              registers, and a ceiling of its balance (SBE: as the meter account)
 * account~ALLOTMENT~{distributor}~{recipient}  Allotment: a distributor's vault share for one recipient (SBE)
 * account~ESCROW~{transferId}                  Escrow: funds granted or offered, not yet settled (SBE)
 * transfer~{transferId}                        Transfer (SBE)
 * transfer-by-meter~{meterId}~{state}~{id}     index: a meter's transfers by state
 * requester~{donor}~{requester}                AuthorisedRequester: who may request from a donor
 * indicium~{meterId}~{pieceNumber, 19 digits}  IndiciumRecord
 * indicium-scan~{meterId}~{pieceNumber}        IndiciumScan: presentations of an indicium to the authority
 * refund~{meterId}~{pieceNumber, 19 digits}    Refund: of one spoiled indicium of the printing meter
 * refund-by-state~{meterId}~{state}~{piece}    index: a meter's refunds by state
 * refund-day~{meterId}~{yyyy-mm-dd}            RefundDay: a meter's refund requests on one UTC day (rate limit)
 * request~{callerMsp}~{requestId}              RequestRecord: idempotency, the first outcome
 * config~inspection                            InspectionPeriods
 * config~consortium                            Consortium: the members' MSP ids and roles (SBE: every member)
 * information~{transferId}                     InformationTransfer: public record of a secure information transfer (SBE)
 * information-package~{transferId}             the sealed package, in the parties' private data collection only
 * </pre>
 */
public final class Keys {
    public static final String ACCOUNT = "account";
    /** The account kind of a meter's inflow key: part of the meter's money, not an account class of its own. */
    public static final String INFLOW = "INFLOW";
    public static final String TRANSFER_BY_METER = "transfer-by-meter";
    public static final String REQUESTER = "requester";
    public static final String REFUND = "refund";
    public static final String REFUND_BY_STATE = "refund-by-state";

    private Keys() {}

    public static String meter(final String meterId) {
        return key("meter", meterId);
    }

    public static String meterPublicKey(final String fingerprint) {
        return key("meter-key", fingerprint);
    }

    public static String revokedKey(final String fingerprint) {
        return key("revoked-key", fingerprint);
    }

    public static String replacement(final String failedMeterId) {
        return key("replacement", failedMeterId);
    }

    public static String meterAccount(final String meterId) {
        return key(ACCOUNT, "METER", meterId);
    }

    /** Where credits into a meter wait for its own transactions to fold them into its registers. */
    public static String meterInflow(final String meterId) {
        return key(ACCOUNT, INFLOW, meterId);
    }

    public static String allotment(final String distributorMeterId, final String recipientMeterId) {
        return key(ACCOUNT, "ALLOTMENT", distributorMeterId, recipientMeterId);
    }

    public static String escrow(final String transferId) {
        return key(ACCOUNT, "ESCROW", transferId);
    }

    public static String transfer(final String transferId) {
        return key("transfer", transferId);
    }

    public static String transferByMeter(final String meterId, final String state, final String transferId) {
        return key(TRANSFER_BY_METER, meterId, state, transferId);
    }

    public static String requester(final String donorMeterId, final String requesterMeterId) {
        return key(REQUESTER, donorMeterId, requesterMeterId);
    }

    public static String indicium(final String meterId, final long pieceNumber) {
        return key("indicium", meterId, pieceNumberAttribute(pieceNumber));
    }

    public static String indiciumScan(final String meterId, final long pieceNumber) {
        return key("indicium-scan", meterId, pieceNumberAttribute(pieceNumber));
    }

    public static String refund(final String meterId, final long pieceNumber) {
        return key(REFUND, meterId, pieceNumberAttribute(pieceNumber));
    }

    public static String refundByState(final String meterId, final String state, final long pieceNumber) {
        return key(REFUND_BY_STATE, meterId, state, pieceNumberAttribute(pieceNumber));
    }

    public static String refundDay(final String meterId, final String utcDay) {
        return key("refund-day", meterId, utcDay);
    }

    public static String request(final String callerMsp, final String requestId) {
        return key("request", callerMsp, requestId);
    }

    public static String information(final String transferId) {
        return key("information", transferId);
    }

    /** The key of a sealed package inside its private data collection (never in the public state). */
    public static String informationPackage(final String transferId) {
        return key("information-package", transferId);
    }

    public static String consortiumConfig() {
        return key("config", "consortium");
    }

    public static String inspectionConfig() {
        return key("config", "inspection");
    }

    /** Zero-padded so that keys sort in piece order. */
    private static String pieceNumberAttribute(final long pieceNumber) {
        return String.format("%019d", pieceNumber);
    }

    private static String key(final String objectType, final String... attributes) {
        return new CompositeKey(objectType, attributes).toString();
    }
}
