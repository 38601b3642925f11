package org.postalfunds.client.model;

import java.util.List;

/**
 * The public record of a secure information transfer (chaincode: SecureInformation:getInformationTransfer). The
 * package itself is never on it: only its SHA-256 and size, the proof of what was delivered.
 *
 * @param kind PULL, PUSH or DOWNLOAD
 * @param senderId the sender meter, or DataCenterMSP for a data center download
 * @param senderCertificatePem for a DOWNLOAD: the downloading data center identity's certificate
 * @param packageHeld true while the sealed package waits in the parties' private data collection
 */
public record InformationTransfer(
        String transferId,
        String kind,
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
        List<TransferStep> steps) {

    public InformationTransfer {
        steps = steps == null ? List.of() : List.copyOf(steps);
    }
}
