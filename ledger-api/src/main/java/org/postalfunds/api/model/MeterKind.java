package org.postalfunds.api.model;

/** What a meter is physically; decides whether it may print. */
public enum MeterKind {
    /** A postage meter with a printing mechanism. */
    POSTAL_METER(true),
    /** A hand-held metering unit (Fig. 6): holds and moves funds like any meter, has nothing to print with. */
    HANDHELD_METERING_UNIT(false);

    private final boolean printsPostage;

    MeterKind(final boolean printsPostage) {
        this.printsPostage = printsPostage;
    }

    public boolean printsPostage() {
        return printsPostage;
    }
}
