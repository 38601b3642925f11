package org.postalfunds.chaincode.meter;

/** What may happen to a meter: the data center's lifecycle steps, and the meter's own use of its funds. */
public enum MeterAction {
    REGISTER,
    REFILL,
    SUSPEND,
    RESUME,
    RECORD_INSPECTION,
    WITHDRAW,
    /** The data center reports the PSD failed or stolen: the meter stops and its key is revoked for good. */
    REPORT_FAILURE,
    /** The failed meter's funds and open items move to a replacement meter (a step at a time; see PsdReplacement). */
    REPLACE,
    /** Print postage, send or receive a transfer, fund or release an allotment. */
    MOVE_FUNDS
}
