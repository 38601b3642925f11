package org.postalfunds.hsm.client;

import java.util.Objects;

/**
 * What the bridge hands back for a sealed package addressed to a meter: the item's name and media type from the
 * package's authenticated header, and the decrypted content. Never a key or an ECDH secret.
 */
public record UnsealedItem(String itemName, String contentType, byte[] content) {
    public UnsealedItem {
        Objects.requireNonNull(itemName, "itemName");
        Objects.requireNonNull(contentType, "contentType");
        content = Objects.requireNonNull(content, "content").clone();
    }

    @Override
    public byte[] content() {
        return content.clone();
    }

    @Override
    public boolean equals(final Object other) {
        return other instanceof UnsealedItem that && itemName.equals(that.itemName)
                && contentType.equals(that.contentType) && java.util.Arrays.equals(content, that.content);
    }

    @Override
    public int hashCode() {
        return Objects.hash(itemName, contentType, java.util.Arrays.hashCode(content));
    }

    @Override
    public String toString() {
        return "UnsealedItem[" + itemName + ", " + contentType + ", " + content.length + " bytes]";
    }
}
