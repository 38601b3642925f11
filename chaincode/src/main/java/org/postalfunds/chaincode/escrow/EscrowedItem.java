package org.postalfunds.chaincode.escrow;

import java.util.Arrays;
import java.util.Objects;
import org.postalfunds.api.format.SealedPackage;

/**
 * What a transfer holds in escrow between its grant or offer and its settlement: funds, or a sealed package. The
 * workflow hands it to the item's own effects; it never looks inside.
 */
public sealed interface EscrowedItem {

    /** Funds in minor units: held on the transfer's escrow account, moved by double entry. */
    record Funds(long amountMinorUnits) implements EscrowedItem {}

    /**
     * A sealed package: its SHA-256 and size go on the public record, its bytes only into the parties' private data
     * collection.
     *
     * @param sha256Hex lower-case hex SHA-256 of the bytes; null while there is no package
     * @param sealedBytes the package as carried by the proposal's transient map; null once recorded (the workflow
     *     then knows it by its hash only)
     */
    record Sealed(String sha256Hex, long sizeBytes, byte[] sealedBytes) implements EscrowedItem {

        public Sealed {
            sealedBytes = sealedBytes == null ? null : sealedBytes.clone();
        }

        /** The package a grant, offer or download carries; {@code bytes} null or empty when it carries none. */
        public static Sealed carried(final byte[] bytes) {
            return bytes == null || bytes.length == 0 ? new Sealed(null, 0, null)
                    : new Sealed(SealedPackage.sha256Hex(bytes), bytes.length, bytes);
        }

        /** The package a record names by hash and size. */
        public static Sealed recorded(final String sha256Hex, final long sizeBytes) {
            return new Sealed(sha256Hex, sizeBytes, null);
        }

        public boolean carriesBytes() {
            return sealedBytes != null;
        }

        @Override
        public byte[] sealedBytes() {
            return sealedBytes == null ? null : sealedBytes.clone();
        }

        /** By value: the bytes' content, not the array's identity. */
        @Override
        public boolean equals(final Object other) {
            return other instanceof Sealed that && sizeBytes == that.sizeBytes
                    && Objects.equals(sha256Hex, that.sha256Hex) && Arrays.equals(sealedBytes, that.sealedBytes);
        }

        @Override
        public int hashCode() {
            return 31 * Objects.hash(sha256Hex, sizeBytes) + Arrays.hashCode(sealedBytes);
        }

        @Override
        public String toString() {
            return "Sealed[sha256Hex=" + sha256Hex + ", sizeBytes=" + sizeBytes + "]";
        }
    }
}
