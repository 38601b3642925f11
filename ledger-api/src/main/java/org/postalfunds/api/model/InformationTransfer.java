package org.postalfunds.api.model;

import java.util.ArrayList;
import java.util.List;

/**
 * The public record of a secure information transfer. The sealed package itself lives only in {@link #collection()}
 * (a private data collection of the two parties' organisations); the public state proves what was delivered by its
 * SHA-256 and size.
 *
 * @param senderId the sender meter's id, or {@code DataCenterMSP} for a data center download
 * @param senderPublicKeyFingerprint SHA-256 of the sender's SubjectPublicKeyInfo: the key whose signature the
 *     recipient must find on the package (the sender meter's PSD key, or the data center identity that downloaded)
 * @param senderCertificatePem for a download only: the downloading data center identity's certificate, whose key
 *     signed the package (a meter sender's certificate is its registration)
 * @param packageSha256 lower-case hex SHA-256 of the sealed package; absent until a grant, offer or download
 * @param packageHeld true while the package is in the collection; false once purged (or before it arrives)
 * @param deadlineEpochSeconds of the request while REQUESTED, of the delivery once the package is held
 * @param steps every step so far, oldest first (at most three)
 */
public record InformationTransfer(
        String transferId,
        InformationKind kind,
        TransferState state,
        String senderId,
        String recipientMeterId,
        String senderOwnerMsp,
        String recipientOwnerMsp,
        String senderPublicKeyFingerprint,
        String senderCertificatePem,
        String itemName,
        String collection,
        String packageSha256,
        long packageSizeBytes,
        boolean packageHeld,
        long deadlineEpochSeconds,
        long createdAtEpochSeconds,
        long updatedAtEpochSeconds,
        String reason,
        List<TransferStep> steps) implements TransferRecord {

    public InformationTransfer {
        steps = steps == null ? List.of() : List.copyOf(steps);
    }

    /** The record after one more step of the transfer table: {@code action} led to state {@code to}. */
    public InformationTransfer advance(final TransferAction action, final TransferState to, final long nowEpochSeconds,
            final String txId, final long newDeadlineEpochSeconds, final String newReason) {
        final List<TransferStep> moreSteps = new ArrayList<>(steps);
        moreSteps.add(new TransferStep(action, to, nowEpochSeconds, txId));
        return new InformationTransfer(transferId, kind, to, senderId, recipientMeterId, senderOwnerMsp,
                recipientOwnerMsp, senderPublicKeyFingerprint, senderCertificatePem, itemName, collection, packageSha256, packageSizeBytes,
                packageHeld, newDeadlineEpochSeconds, createdAtEpochSeconds, nowEpochSeconds, newReason, moreSteps);
    }

    /** The record once the sealed package of that hash and size is held. */
    public InformationTransfer holding(final String sha256Hex, final long sizeBytes) {
        return new InformationTransfer(transferId, kind, state, senderId, recipientMeterId, senderOwnerMsp,
                recipientOwnerMsp, senderPublicKeyFingerprint, senderCertificatePem, itemName, collection, sha256Hex, sizeBytes, true,
                deadlineEpochSeconds, createdAtEpochSeconds, updatedAtEpochSeconds, reason, steps);
    }

    /** The record once the package is purged from the collection. */
    public InformationTransfer purged() {
        return new InformationTransfer(transferId, kind, state, senderId, recipientMeterId, senderOwnerMsp,
                recipientOwnerMsp, senderPublicKeyFingerprint, senderCertificatePem, itemName, collection, packageSha256, packageSizeBytes,
                false, deadlineEpochSeconds, createdAtEpochSeconds, updatedAtEpochSeconds, reason, steps);
    }
}
