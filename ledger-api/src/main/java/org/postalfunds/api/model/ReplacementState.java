package org.postalfunds.api.model;

/** IN_PROGRESS: open items of the failed meter remain (call replacePsd again); COMPLETE: the failed meter is REPLACED. */
public enum ReplacementState {
    IN_PROGRESS,
    COMPLETE
}
