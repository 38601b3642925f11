package org.postalfunds.chaincode.information;

import java.util.Base64;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.api.Ids;
import org.postalfunds.api.Invariants;
import org.postalfunds.api.Limits;
import org.postalfunds.api.format.SealedPackage;
import org.postalfunds.api.model.InformationKind;
import org.postalfunds.api.model.InformationTransfer;
import org.postalfunds.api.model.Meter;
import org.postalfunds.api.model.TransferAction;
import org.postalfunds.api.model.TransferStep;
import org.postalfunds.chaincode.access.Caller;
import org.postalfunds.chaincode.access.Organisations;
import org.postalfunds.chaincode.command.Command;
import org.postalfunds.chaincode.command.Outcome;
import org.postalfunds.chaincode.meter.Meters;
import org.postalfunds.chaincode.state.Keys;
import org.postalfunds.chaincode.state.LedgerTx;
import org.postalfunds.chaincode.transfer.EscrowEffect;
import org.postalfunds.chaincode.transfer.TransferParty;
import org.postalfunds.chaincode.transfer.TransferStateMachine;
import org.postalfunds.chaincode.transfer.Transition;

/**
 * Secure information transfers (Fig. 7, claims 10-12) on the one transfer state machine: the sender is the table's
 * donor, the sealed package its escrowed item. HOLD puts the package into the parties' private data collection,
 * DELIVER hands it over, RETURN takes it back; either way the package is then purged from the collection, and the
 * public record keeps its SHA-256 and size as the proof of what was delivered.
 *
 * <p>The chaincode never decrypts or verifies signatures: it only parses the package's header (the shared
 * {@link SealedPackage} format) to refuse a package addressed to another transfer, meter or item.
 */
public final class InformationService {
    /** The transient-map key of the sealed package in a grant, offer or download proposal. */
    public static final String PACKAGE_TRANSIENT_KEY = "package";
    /** The sender id of a data center download, as it appears in the package and on the record. */
    public static final String DATA_CENTER_SENDER = Organisations.DATA_CENTER;

    public Outcome request(final Command command, final String requestId, final String recipientMeterId,
            final String senderMeterId, final String itemName, final long deadlineEpochSeconds) {
        final LedgerTx tx = command.tx();
        requireIds(senderMeterId, recipientMeterId, itemName);
        requireDeadline(tx, deadlineEpochSeconds, Limits.MAX_REQUEST_WINDOW_SECONDS);
        final Meter sender = Meters.require(tx, senderMeterId);
        final Meter recipient = Meters.require(tx, recipientMeterId);
        final Transition transition = TransferStateMachine.permit(null, TransferAction.REQUEST,
                partiesOf(command.caller(), InformationKind.PULL, sender.ownerMsp(), sender.publicKeyFingerprint(),
                        recipient), false);
        Meters.requireActive(recipient);
        Meters.requireActive(sender);
        final InformationTransfer opened = open(tx, SealedPackage.transferIdFor(recipientMeterId, requestId),
                InformationKind.PULL, transition, sender.meterId(), sender.ownerMsp(), sender.publicKeyFingerprint(), null,
                recipient, itemName, deadlineEpochSeconds);
        save(tx, opened);
        return outcome(transition, opened);
    }

    public Outcome offer(final Command command, final String requestId, final String senderMeterId,
            final String recipientMeterId, final String itemName, final long deadlineEpochSeconds,
            final byte[] sealedPackage) {
        final LedgerTx tx = command.tx();
        requireIds(senderMeterId, recipientMeterId, itemName);
        requireDeadline(tx, deadlineEpochSeconds, Limits.MAX_ESCROW_WINDOW_SECONDS);
        final Meter sender = Meters.require(tx, senderMeterId);
        final Meter recipient = Meters.require(tx, recipientMeterId);
        final Transition transition = TransferStateMachine.permit(null, TransferAction.OFFER,
                partiesOf(command.caller(), InformationKind.PUSH, sender.ownerMsp(), sender.publicKeyFingerprint(),
                        recipient), false);
        Meters.requireActive(sender);
        Meters.requireActive(recipient);
        final InformationTransfer opened = open(tx, SealedPackage.transferIdFor(senderMeterId, requestId),
                InformationKind.PUSH, transition, sender.meterId(), sender.ownerMsp(), sender.publicKeyFingerprint(), null,
                recipient, itemName, deadlineEpochSeconds);
        final InformationTransfer held = applyEffect(tx, transition.effect(), opened, sealedPackage);
        save(tx, held);
        return outcome(transition, held);
    }

    /** The data center's I/O module (claim 12): a push whose sender is the calling data center identity. */
    public Outcome download(final Command command, final String requestId, final String recipientMeterId,
            final String itemName, final long deadlineEpochSeconds, final byte[] sealedPackage,
            final String callerCertificatePem) {
        final LedgerTx tx = command.tx();
        command.caller().requireDataCenter("downloadInformation");
        requireIds(DATA_CENTER_SENDER, recipientMeterId, itemName);
        requireDeadline(tx, deadlineEpochSeconds, Limits.MAX_ESCROW_WINDOW_SECONDS);
        final Meter recipient = Meters.require(tx, recipientMeterId);
        final Caller caller = command.caller();
        final Transition transition = TransferStateMachine.permit(null, TransferAction.OFFER,
                partiesOf(caller, InformationKind.DOWNLOAD, caller.mspId(), caller.publicKeyFingerprint(), recipient),
                false);
        Meters.requireNotWithdrawn(recipient);
        final InformationTransfer opened = open(tx, SealedPackage.transferIdFor(DATA_CENTER_SENDER, requestId),
                InformationKind.DOWNLOAD, transition, DATA_CENTER_SENDER, caller.mspId(),
                caller.publicKeyFingerprint(), callerCertificatePem, recipient, itemName, deadlineEpochSeconds);
        final InformationTransfer held = applyEffect(tx, transition.effect(), opened, sealedPackage);
        save(tx, held);
        return outcome(transition, held);
    }

    public Outcome grant(final Command command, final String transferId, final long deliveryDeadlineEpochSeconds,
            final byte[] sealedPackage) {
        return advance(command, transferId, TransferAction.GRANT, deliveryDeadlineEpochSeconds, null, sealedPackage);
    }

    public Outcome deny(final Command command, final String transferId, final String reason) {
        return advance(command, transferId, TransferAction.DENY, 0, Ids.requireReason(reason), null);
    }

    public Outcome accept(final Command command, final String transferId) {
        return advance(command, transferId, TransferAction.ACCEPT, 0, null, null);
    }

    public Outcome cancel(final Command command, final String transferId) {
        return advance(command, transferId, TransferAction.CANCEL, 0, null, null);
    }

    public Outcome acknowledge(final Command command, final String transferId) {
        return advance(command, transferId, TransferAction.ACKNOWLEDGE, 0, null, null);
    }

    public Outcome reject(final Command command, final String transferId, final String reason) {
        return advance(command, transferId, TransferAction.REJECT, 0, Ids.requireReason(reason), null);
    }

    public Outcome expire(final Command command, final String transferId) {
        return advance(command, transferId, TransferAction.EXPIRE, 0, null, null);
    }

    private Outcome advance(final Command command, final String transferId, final TransferAction action,
            final long newDeadlineEpochSeconds, final String reason, final byte[] sealedPackage) {
        final LedgerTx tx = command.tx();
        final InformationTransfer transfer = require(tx, transferId);
        final Meter recipient = Meters.require(tx, transfer.recipientMeterId());
        final boolean deadlinePassed = tx.nowEpochSeconds() >= transfer.deadlineEpochSeconds();
        final Transition transition = TransferStateMachine.permit(transfer.state(), action,
                partiesOf(command.caller(), transfer.kind(), transfer.senderOwnerMsp(),
                        transfer.senderPublicKeyFingerprint(), recipient), deadlinePassed);
        long deadline = transfer.deadlineEpochSeconds();
        if (transition.effect() == EscrowEffect.HOLD) {
            requireDeadline(tx, newDeadlineEpochSeconds, Limits.MAX_ESCROW_WINDOW_SECONDS);
            Meters.requireActive(Meters.require(tx, transfer.senderId()));
            deadline = newDeadlineEpochSeconds;
        }
        if (transition.effect() == EscrowEffect.DELIVER) {
            Meters.requireActive(recipient);
        }
        final InformationTransfer advanced = transfer.advance(transition.action(), transition.to(), tx.nowEpochSeconds(), tx.txId(), deadline,
                reason == null ? transfer.reason() : reason);
        final InformationTransfer settled = applyEffect(tx, transition.effect(), advanced, sealedPackage);
        save(tx, settled);
        return outcome(transition, settled);
    }

    /**
     * The escrow effect with a sealed package as the item. Purged rather than left to the collection's
     * block-to-live: the moment is known here (this very transaction), while a block count says nothing about the
     * seconds of a deadline, and purging also removes the package's earlier versions from every member peer.
     */
    private static InformationTransfer applyEffect(final LedgerTx tx, final EscrowEffect effect,
            final InformationTransfer transfer, final byte[] sealedPackage) {
        final String packageKey = Keys.informationPackage(transfer.transferId());
        switch (effect) {
            case NONE -> {
                return transfer;
            }
            case HOLD -> {
                requireMatchingPackage(transfer, sealedPackage);
                tx.writePrivate(transfer.collection(), packageKey, sealedPackage);
                return transfer.holding(SealedPackage.sha256Hex(sealedPackage), sealedPackage.length);
            }
            case DELIVER, RETURN -> {
                if (!transfer.packageHeld()) {
                    return transfer; // a request that never got its package: nothing to purge
                }
                // Every peer holds the private data hashes, so any endorser can prove the package still matches.
                final String held = tx.privateHash(transfer.collection(), packageKey)
                        .map(hash -> HexFormat.of().formatHex(hash)).orElse(null);
                Invariants.check(transfer.packageSha256().equals(held), "package of information transfer "
                        + transfer.transferId() + " does not match its public hash");
                tx.purgePrivate(transfer.collection(), packageKey);
                return transfer.purged();
            }
            default -> throw new IllegalStateException("unknown effect " + effect);
        }
    }

    /** The package must be there, well formed, and addressed exactly as the public record. */
    private static void requireMatchingPackage(final InformationTransfer transfer, final byte[] sealedPackage) {
        if (sealedPackage == null || sealedPackage.length == 0) {
            throw ErrorCode.MISSING_PACKAGE.exception("the sealed package goes in the transient map under '"
                    + PACKAGE_TRANSIENT_KEY + "'");
        }
        final SealedPackage decoded;
        try {
            decoded = SealedPackage.decode(sealedPackage);
        } catch (IllegalArgumentException malformed) {
            throw ErrorCode.MALFORMED_PACKAGE.exception(malformed.getMessage() + " (" + sealedPackage.length
                    + " bytes; at most " + SealedPackage.MAX_PACKAGE_BYTES + ")");
        }
        final SealedPackage.Header header = decoded.header();
        if (!header.transferId().equals(transfer.transferId()) || !header.senderMeterId().equals(transfer.senderId())
                || !header.recipientMeterId().equals(transfer.recipientMeterId())
                || !header.itemName().equals(transfer.itemName())) {
            throw ErrorCode.PACKAGE_MISMATCH.exception("the package is for transfer " + header.transferId() + " from "
                    + header.senderMeterId() + " to " + header.recipientMeterId() + " of '" + header.itemName()
                    + "'; the ledger expects transfer " + transfer.transferId() + " from " + transfer.senderId()
                    + " to " + transfer.recipientMeterId() + " of '" + transfer.itemName() + "'");
        }
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
        if (!Organisations.CONSORTIUM.contains(caller.mspId())) {
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

    private static InformationTransfer open(final LedgerTx tx, final String transferId, final InformationKind kind,
            final Transition transition, final String senderId, final String senderOwnerMsp,
            final String senderFingerprint, final String senderCertificatePem, final Meter recipient,
            final String itemName, final long deadlineEpochSeconds) {
        // The id derives from the opener's meter and request id (the request id's idempotency record comes first),
        // so an existing record here would be a broken invariant, not bad input.
        Invariants.check(!tx.exists(Keys.information(transferId)), "information transfer " + transferId + " exists");
        final long now = tx.nowEpochSeconds();
        final InformationTransfer opened = new InformationTransfer(transferId, kind, transition.to(), senderId,
                recipient.meterId(), senderOwnerMsp, recipient.ownerMsp(), senderFingerprint, senderCertificatePem, itemName,
                SecureInformationCollections.between(senderOwnerMsp, recipient.ownerMsp()), null, 0, false,
                deadlineEpochSeconds, now, now, null,
                List.of(new TransferStep(transition.action(), transition.to(), now, tx.txId())));
        // Key-level policy: the data center and both parties' organisations, as for a funds transfer.
        tx.requireEndorsement(Keys.information(transferId),
                List.of(Organisations.DATA_CENTER, senderOwnerMsp, recipient.ownerMsp()));
        return opened;
    }

    private static void save(final LedgerTx tx, final InformationTransfer transfer) {
        tx.write(Keys.information(transfer.transferId()), transfer);
    }

    private static Outcome outcome(final Transition transition, final InformationTransfer transfer) {
        final String state = transition.to().name();
        return Outcome.event("Information" + state.charAt(0) + state.substring(1).toLowerCase(java.util.Locale.ROOT))
                .with("informationTransfer", transfer);
    }

    /**
     * The caller's parties: the sender is the table's donor (a meter acting with its registered PSD key, or for a
     * download any data center identity with the downloading key), the recipient is the recipient meter itself.
     */
    private static Set<TransferParty> partiesOf(final Caller caller, final InformationKind kind,
            final String senderOwnerMsp, final String senderFingerprint, final Meter recipient) {
        final Set<TransferParty> parties = EnumSet.of(TransferParty.ANYONE);
        final boolean sender = kind == InformationKind.DOWNLOAD ? caller.isDataCenter()
                : caller.actsAs(senderOwnerMsp, senderFingerprint);
        if (sender) {
            parties.add(TransferParty.DONOR);
        }
        if (caller.actsAs(recipient.ownerMsp(), recipient.publicKeyFingerprint())) {
            parties.add(TransferParty.RECIPIENT);
        }
        return parties;
    }

    private static void requireIds(final String senderId, final String recipientMeterId, final String itemName) {
        Ids.require(senderId, "senderMeterId");
        Ids.require(recipientMeterId, "recipientMeterId");
        try {
            SealedPackage.requireItemName(itemName);
        } catch (IllegalArgumentException invalid) {
            throw ErrorCode.INVALID_ARGUMENT.exception(invalid.getMessage());
        }
        if (senderId.equals(recipientMeterId)) {
            throw ErrorCode.SELF_TRANSFER.exception("meter " + senderId + " cannot send information to itself");
        }
    }

    private static void requireDeadline(final LedgerTx tx, final long deadlineEpochSeconds, final long maxWindowSeconds) {
        final long now = tx.nowEpochSeconds();
        if (deadlineEpochSeconds <= now || deadlineEpochSeconds - now > maxWindowSeconds) {
            throw ErrorCode.INVALID_DEADLINE.exception("deadline must be after the transaction time " + now
                    + " and at most " + maxWindowSeconds + " seconds later, was " + deadlineEpochSeconds);
        }
    }
}
