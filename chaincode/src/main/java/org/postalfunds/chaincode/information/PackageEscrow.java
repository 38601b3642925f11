package org.postalfunds.chaincode.information;

import java.util.HexFormat;
import java.util.Locale;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.api.Invariants;
import org.postalfunds.api.format.SealedPackage;
import org.postalfunds.api.model.InformationKind;
import org.postalfunds.api.model.InformationTransfer;
import org.postalfunds.api.model.Meter;
import org.postalfunds.api.model.TransferState;
import org.postalfunds.api.model.TransferStep;
import org.postalfunds.chaincode.command.Command;
import org.postalfunds.chaincode.command.Outcome;
import org.postalfunds.chaincode.escrow.EscrowKind;
import org.postalfunds.chaincode.escrow.EscrowedItem.Sealed;
import org.postalfunds.chaincode.escrow.Parties;
import org.postalfunds.chaincode.meter.Meters;
import org.postalfunds.chaincode.state.Keys;
import org.postalfunds.chaincode.state.LedgerTx;

/**
 * A sealed package as the escrowed item: the public record at {@code information~{id}} keeps its SHA-256 and size,
 * the bytes go into the parties' private data collection on HOLD and are purged on DELIVER or RETURN.
 *
 * <p>Purged rather than left to the collection's block-to-live: the moment is known here (this very transaction),
 * while a block count says nothing about the seconds of a deadline, and purging also removes the package's earlier
 * versions from every member peer.
 */
final class PackageEscrow implements EscrowKind<InformationTransfer, Sealed> {

    @Override
    public String recordKey(final String transferId) {
        return Keys.information(transferId);
    }

    @Override
    public InformationTransfer require(final LedgerTx tx, final String transferId) {
        return InformationService.require(tx, transferId);
    }

    /** The sender as recorded at opening (its key then); its meter is loaded only to hold. */
    @Override
    public Parties parties(final LedgerTx tx, final InformationTransfer transfer) {
        return new Parties(transfer.senderId(), transfer.senderOwnerMsp(), transfer.senderPublicKeyFingerprint(),
                transfer.kind() == InformationKind.DOWNLOAD, null, Meters.require(tx, transfer.recipientMeterId()));
    }

    @Override
    public Sealed itemOf(final InformationTransfer transfer) {
        return Sealed.recorded(transfer.packageSha256(), transfer.packageSizeBytes());
    }

    @Override
    public InformationTransfer advanced(final InformationTransfer transfer, final TransferStep step,
            final long deadlineEpochSeconds, final String reason) {
        return transfer.advance(step.action(), step.state(), step.atEpochSeconds(), step.txId(), deadlineEpochSeconds,
                reason);
    }

    @Override
    public void requireMayHandle(final LedgerTx tx, final Meter meter) {
        Meters.requireActive(meter);
    }

    /** The package must be there, well formed, and addressed exactly as the public record. */
    @Override
    public InformationTransfer hold(final Command command, final InformationTransfer transfer, final Parties parties,
            final Sealed item) {
        if (!item.carriesBytes()) {
            throw ErrorCode.MISSING_PACKAGE.exception("the sealed package goes in the transient map under '"
                    + InformationService.PACKAGE_TRANSIENT_KEY + "'");
        }
        final SealedPackage decoded;
        try {
            decoded = SealedPackage.decode(item.sealedBytes());
        } catch (IllegalArgumentException malformed) {
            throw ErrorCode.MALFORMED_PACKAGE.exception(malformed.getMessage() + " (" + item.sizeBytes()
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
        command.tx().writePrivate(transfer.collection(), Keys.informationPackage(transfer.transferId()),
                item.sealedBytes());
        return transfer.holding(item.sha256Hex(), item.sizeBytes());
    }

    @Override
    public InformationTransfer deliver(final Command command, final InformationTransfer transfer,
            final Parties parties, final Sealed item) {
        return purge(command.tx(), transfer);
    }

    @Override
    public InformationTransfer giveBack(final Command command, final InformationTransfer transfer,
            final Parties parties, final Sealed item) {
        return purge(command.tx(), transfer);
    }

    /**
     * Delivered or returned, the package leaves the collection; the public record keeps its hash as the proof. Every
     * peer holds the private data hashes, so any endorser can prove the package still matches before it goes.
     */
    private static InformationTransfer purge(final LedgerTx tx, final InformationTransfer transfer) {
        if (!transfer.packageHeld()) {
            return transfer; // a request that never got its package: nothing to purge
        }
        final String packageKey = Keys.informationPackage(transfer.transferId());
        final String held = tx.privateHash(transfer.collection(), packageKey)
                .map(hash -> HexFormat.of().formatHex(hash)).orElse(null);
        Invariants.check(transfer.packageSha256().equals(held), "package of information transfer "
                + transfer.transferId() + " does not match its public hash");
        tx.purgePrivate(transfer.collection(), packageKey);
        return transfer.purged();
    }

    @Override
    public void save(final LedgerTx tx, final InformationTransfer transfer, final TransferState previous) {
        tx.write(Keys.information(transfer.transferId()), transfer);
    }

    /** {@code Information<State>} with the public record. */
    @Override
    public Outcome outcome(final LedgerTx tx, final InformationTransfer transfer) {
        final String state = transfer.state().name();
        return Outcome.event("Information" + state.charAt(0) + state.substring(1).toLowerCase(Locale.ROOT))
                .with("informationTransfer", transfer);
    }
}
