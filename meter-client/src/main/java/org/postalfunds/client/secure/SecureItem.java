package org.postalfunds.client.secure;

import java.util.Arrays;
import org.postalfunds.api.format.SealedPackage;

/**
 * A piece of secure information as the sender hands it over and the recipient receives it: a named item (a rate
 * table, a configuration, a certificate) with its media type and content, at most
 * {@link SealedPackage#MAX_CONTENT_BYTES} bytes.
 */
public final class SecureItem {
    private final String name;
    private final String contentType;
    private final byte[] content;

    public SecureItem(final String name, final String contentType, final byte[] content) {
        this.name = SealedPackage.requireItemName(name);
        this.contentType = SealedPackage.requireContentType(contentType);
        if (content == null || content.length > SealedPackage.MAX_CONTENT_BYTES) {
            throw new IllegalArgumentException("content must be at most " + SealedPackage.MAX_CONTENT_BYTES
                    + " bytes, was " + (content == null ? "null" : content.length));
        }
        this.content = content.clone();
    }

    public String name() {
        return name;
    }

    public String contentType() {
        return contentType;
    }

    public byte[] content() {
        return content.clone();
    }

    @Override
    public boolean equals(final Object other) {
        return other instanceof SecureItem that && name.equals(that.name) && contentType.equals(that.contentType)
                && Arrays.equals(content, that.content);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * name.hashCode() + contentType.hashCode()) + Arrays.hashCode(content);
    }

    @Override
    public String toString() {
        return "SecureItem[" + name + ", " + contentType + ", " + content.length + " bytes]";
    }
}
