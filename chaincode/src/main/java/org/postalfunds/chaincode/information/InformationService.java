package org.postalfunds.chaincode.information;


import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.api.Ids;
import org.postalfunds.api.Invariants;
import org.postalfunds.api.format.SealedPackage;
import org.postalfunds.api.model.InformationKind;
import org.postalfunds.api.model.InformationTransfer;
import org.postalfunds.api.model.Meter;
import org.postalfunds.api.model.TransferAction;
import org.postalfunds.chaincode.access.Caller;
import org.postalfunds.chaincode.command.Command;
import org.postalfunds.chaincode.command.Outcome;
import org.postalfunds.chaincode.escrow.EscrowWorkflow;
import org.postalfunds.chaincode.escrow.EscrowedItem.Sealed;
import org.postalfunds.chaincode.escrow.Opening;
import org.postalfunds.chaincode.meter.Meters;
import org.postalfunds.chaincode.state.Keys;
import org.postalfunds.chaincode.state.LedgerTx;

/**
 * Secure information transfers (Fig. 7, claims 10-12) on the one escrow workflow: the sender is the table's donor,
 * the sealed package its escrowed item ({@link PackageEscrow}). This service checks its own arguments, derives the
 * transfer id and builds the item; the workflow does the rest.
 *
 * <p>The chaincode never decrypts or verifies signatures: it only parses the package's header (the shared
 * {@link SealedPackage} format) to refuse a package addressed to another transfer, meter or item.
 */
public final class InformationService {
    /** The transient-map key of the sealed package in a grant, offer or download proposal. */
    public static final String PACKAGE_TRANSIENT_KEY = "package";
    /** The sender id of a data center download, as it appears in the package and on the record. */

    private final EscrowWorkflow<InformationTransfer, Sealed> workflow = new EscrowWorkflow<>(new PackageEscrow());

    public Outcome request(final Command command, final String requestId, final String recipientMeterId,
            final String senderMeterId, final String itemName, final long deadlineEpochSeconds) {
        requireIds(senderMeterId, recipientMeterId, itemName);
        return open(command, InformationKind.PULL, TransferAction.REQUEST,
                SealedPackage.transferIdFor(recipientMeterId, requestId), senderMeterId, recipientMeterId, itemName,
                deadlineEpochSeconds, null, null);
    }

    public Outcome offer(final Command command, final String requestId, final String senderMeterId,
            final String recipientMeterId, final String itemName, final long deadlineEpochSeconds,
            final byte[] sealedPackage) {
        requireIds(senderMeterId, recipientMeterId, itemName);
        return open(command, InformationKind.PUSH, TransferAction.OFFER,
                SealedPackage.transferIdFor(senderMeterId, requestId), senderMeterId, recipientMeterId, itemName,
                deadlineEpochSeconds, Sealed.carried(sealedPackage), null);
    }

    /** The data center's I/O module (claim 12): a push whose sender is the calling data center identity. */
    public Outcome download(final Command command, final String requestId, final String recipientMeterId,
            final String itemName, final long deadlineEpochSeconds, final byte[] sealedPackage,
            final String callerCertificatePem) {
        command.caller().requireDataCenter("downloadInformation");
        // A download's sender id, in the package and on the record, is the data center's MSP id.
        final String dataCenterSender = command.caller().consortium().dataCenterMsp();
        requireIds(dataCenterSender, recipientMeterId, itemName);
        return open(command, InformationKind.DOWNLOAD, TransferAction.OFFER,
                SealedPackage.transferIdFor(dataCenterSender, requestId), dataCenterSender, recipientMeterId,
                itemName, deadlineEpochSeconds, Sealed.carried(sealedPackage), callerCertificatePem);
    }

    /** Sender: answers a request with the sealed package the grant carries. */
    public Outcome grant(final Command command, final String transferId, final long deliveryDeadlineEpochSeconds,
            final byte[] sealedPackage) {
        return workflow.grant(command, transferId, deliveryDeadlineEpochSeconds, Sealed.carried(sealedPackage));
    }

    /** The other steps after opening: deny, accept, cancel, acknowledge, reject, expire. */
    public EscrowWorkflow<InformationTransfer, Sealed> steps() {
        return workflow;
    }

    /**
     * The id derives from the opener's meter and request id, so that a pushing sender can bind its package to the
     * transfer before the offer exists.
     */
    private Outcome open(final Command command, final InformationKind kind, final TransferAction action,
            final String transferId, final String senderId, final String recipientMeterId, final String itemName,
            final long deadlineEpochSeconds, final Sealed item, final String senderCertificatePem) {
        return workflow.open(command, new Opening<>(transferId, action, senderId, kind == InformationKind.DOWNLOAD,
                recipientMeterId, deadlineEpochSeconds, item,
                (parties, first) -> new InformationTransfer(transferId, kind, first.state(), senderId, recipientMeterId,
                        parties.donorOwnerMsp(), parties.recipient().ownerMsp(), parties.donorPublicKeyFingerprint(),
                        senderCertificatePem, itemName,
                        SecureInformationCollections.between(parties.donorOwnerMsp(), parties.recipient().ownerMsp()),
                        null, 0, false, deadlineEpochSeconds, first.atEpochSeconds(), first.atEpochSeconds(), null,
                        List.of(first))));
    }

    public Map<String, Object> view(final LedgerTx tx, final Caller caller, final String transferId) {
        final InformationTransfer transfer = require(tx, transferId);
        if (!caller.mspId().equals(transfer.senderOwnerMsp()) && !caller.mspId().equals(transfer.recipientOwnerMsp())
                && !caller.isDataCenter() && !caller.isPostalAuthority()) {
            throw ErrorCode.NOT_AUTHORISED.exception("information transfer " + transferId
                    + " is visible to its parties' owners, the data center and the postal authority only");
        }
        final Map<String, Object> view = new TreeMap<>();
        view.put("informationTransfer", transfer);
        return view;
    }

    /**
     * The sealed package, for the two parties' organisations only (the collection's members), read from this peer's
     * private store and checked against the public hash. Only the recipient's PSD can open it.
     */
    public Map<String, Object> sealedPackage(final LedgerTx tx, final Caller caller, final String transferId) {
        final InformationTransfer transfer = require(tx, transferId);
        if (!caller.mspId().equals(transfer.senderOwnerMsp()) && !caller.mspId().equals(transfer.recipientOwnerMsp())) {
            throw ErrorCode.NOT_AUTHORISED.exception("the package of information transfer " + transferId
                    + " is readable by its parties' organisations only");
        }
        if (!transfer.packageHeld()) {
            throw ErrorCode.PACKAGE_NOT_AVAILABLE.exception("information transfer " + transferId + " is "
                    + transfer.state() + (transfer.packageSha256() == null ? " and has no package yet"
                            : "; its package was purged, only its hash " + transfer.packageSha256() + " remains"));
        }
        final byte[] sealed;
        try {
            sealed = tx.stub().getPrivateData(transfer.collection(), Keys.informationPackage(transferId));
        } catch (RuntimeException notOnThisPeer) {
            // The peer refuses (creator or peer outside the collection, or data not yet disseminated).
            throw ErrorCode.PACKAGE_NOT_AVAILABLE.exception("this peer does not give out the package of "
                    + transferId + ": " + notOnThisPeer.getMessage());
        }
        if (sealed == null || sealed.length == 0) {
            throw ErrorCode.PACKAGE_NOT_AVAILABLE.exception("this peer holds no package for " + transferId);
        }
        Invariants.check(SealedPackage.sha256Hex(sealed).equals(transfer.packageSha256()),
                "package of information transfer " + transferId + " does not match its public hash");
        final Map<String, Object> view = new TreeMap<>();
        view.put("informationTransfer", transfer);
        view.put("packageBase64", Base64.getEncoder().encodeToString(sealed));
        return view;
    }

    public Map<String, Object> certificate(final LedgerTx tx, final Caller caller, final String meterId) {
        if (!caller.isMember()) {
            throw ErrorCode.NOT_AUTHORISED.exception("meter certificates are for the consortium's organisations, caller is "
                    + caller.mspId());
        }
        final Meter meter = Meters.require(tx, meterId);
        final Map<String, Object> view = new TreeMap<>();
        view.put("meterId", meter.meterId());
        view.put("ownerMsp", meter.ownerMsp());
        view.put("certificatePem", meter.certificatePem());
        view.put("publicKeyFingerprint", meter.publicKeyFingerprint());
        if (meter.keyAgreementCertificatePem() != null) {
            view.put("keyAgreementCertificatePem", meter.keyAgreementCertificatePem());
        }
        view.put("status", meter.status());
        return view;
    }

    public static InformationTransfer require(final LedgerTx tx, final String transferId) {
        Ids.require(transferId, "transferId");
        return tx.read(Keys.information(transferId), InformationTransfer.class)
                .orElseThrow(() -> ErrorCode.UNKNOWN_TRANSFER.exception("no information transfer " + transferId));
    }

    private static void requireIds(final String senderId, final String recipientMeterId, final String itemName) {
        Ids.require(senderId, "senderMeterId");
        Ids.require(recipientMeterId, "recipientMeterId");
        try {
            SealedPackage.requireItemName(itemName);
        } catch (IllegalArgumentException invalid) {
            throw ErrorCode.INVALID_ARGUMENT.exception(invalid.getMessage());
        }
    }
}
