package org.postalfunds.client.model;

import java.util.Optional;
import org.postalfunds.api.model.Meter;
import org.postalfunds.api.model.Replacement;

/** A failed (or replaced) meter and its replacement's record, if one was started. */
public record ReplacementView(Meter failedMeter, Replacement replacement) {
    public Optional<Replacement> record() {
        return Optional.ofNullable(replacement);
    }
}
