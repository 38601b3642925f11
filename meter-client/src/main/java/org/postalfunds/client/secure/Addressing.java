package org.postalfunds.client.secure;

/**
 * Which transfer a package belongs to and between which meters: bound into every package as associated data, so a
 * package lifted from one transfer cannot be replayed into another or to another meter.
 */
public record Addressing(String transferId, String senderMeterId, String recipientMeterId) {
    public Addressing {
        if (transferId == null || senderMeterId == null || recipientMeterId == null) {
            throw new IllegalArgumentException("transferId, senderMeterId and recipientMeterId are required");
        }
        if (senderMeterId.equals(recipientMeterId)) {
            throw new IllegalArgumentException("a meter does not send secure information to itself");
        }
    }
}
