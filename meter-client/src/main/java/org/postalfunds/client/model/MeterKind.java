package org.postalfunds.client.model;

/** What a meter is physically; only a postal meter has a printing mechanism. */
public enum MeterKind {
    POSTAL_METER,
    HANDHELD_METERING_UNIT
}
