package org.postalfunds.hsm.pkcs11;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How to reach a PSD token: PKCS#11 library, token label, where the PIN comes from, and limits.
 *
 * <p>Immutable; build with {@link #newBuilder()}. Holds no PIN, so it is safe to log.
 */
public final class TokenConfig {
    /** Default upper bound of meter keys one token holds (SoftHSM2 slows down with many objects). */
    public static final int DEFAULT_MAX_METER_KEYS = 10_000;
    /** PKCS#11 labels are at most 32 characters. */
    public static final int MAX_LABEL_LENGTH = 32;

    private final Path library;
    private final String tokenLabel;
    private final PinSource pinSource;
    private final int maxMeterKeys;

    private TokenConfig(final Builder builder) {
        this.library = Objects.requireNonNull(builder.library, "library");
        this.tokenLabel = Objects.requireNonNull(builder.tokenLabel, "tokenLabel");
        this.pinSource = Objects.requireNonNull(builder.pinSource, "pinSource");
        this.maxMeterKeys = builder.maxMeterKeys;
        if (tokenLabel.isBlank() || tokenLabel.length() > MAX_LABEL_LENGTH) {
            throw new IllegalArgumentException("token label must be 1 to " + MAX_LABEL_LENGTH + " characters");
        }
        if (maxMeterKeys < 1) {
            throw new IllegalArgumentException("maxMeterKeys must be positive");
        }
    }

    public static Builder newBuilder() {
        return new Builder();
    }

    public Path library() {
        return library;
    }

    public String tokenLabel() {
        return tokenLabel;
    }

    public PinSource pinSource() {
        return pinSource;
    }

    public int maxMeterKeys() {
        return maxMeterKeys;
    }

    @Override
    public String toString() {
        return "TokenConfig[library=" + library + ", tokenLabel=" + tokenLabel + ", pin from " + pinSource
                + ", maxMeterKeys=" + maxMeterKeys + "]";
    }

    /** Builder of {@link TokenConfig}. */
    public static final class Builder {
        private Path library;
        private String tokenLabel;
        private PinSource pinSource;
        private int maxMeterKeys = DEFAULT_MAX_METER_KEYS;

        private Builder() {
        }

        /** The PKCS#11 module, e.g. /usr/lib/softhsm/libsofthsm2.so. */
        public Builder library(final Path library) {
            this.library = library;
            return this;
        }

        /** The token's label (CK_TOKEN_INFO.label); the slot is found from it. */
        public Builder tokenLabel(final String tokenLabel) {
            this.tokenLabel = tokenLabel;
            return this;
        }

        public Builder pinSource(final PinSource pinSource) {
            this.pinSource = pinSource;
            return this;
        }

        public Builder maxMeterKeys(final int maxMeterKeys) {
            this.maxMeterKeys = maxMeterKeys;
            return this;
        }

        public TokenConfig build() {
            return new TokenConfig(this);
        }
    }
}
