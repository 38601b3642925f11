package org.postalfunds.chaincode.information;

import java.util.TreeSet;

/**
 * Which private data collection holds a package: one explicit collection per pair of organisations (sender's owner,
 * recipient's owner), named {@code secureInfo-<MSP>-<MSP>} in sorted order, or {@code secureInfo-<MSP>} when both
 * meters belong to one organisation. Defined in network/collections_config.json (members: exactly those
 * organisations; memberOnlyRead and memberOnlyWrite; the write endorsed by every member's peer).
 */
public final class SecureInformationCollections {
    public static final String PREFIX = "secureInfo-";

    private SecureInformationCollections() {}

    public static String between(final String senderMsp, final String recipientMsp) {
        final TreeSet<String> members = new TreeSet<>();
        members.add(senderMsp);
        members.add(recipientMsp);
        return PREFIX + String.join("-", members);
    }
}
