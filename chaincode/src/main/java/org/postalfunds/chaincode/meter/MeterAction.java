package org.postalfunds.chaincode.meter;

/** What may happen to a meter: the data center's lifecycle steps, and the meter's own use of its funds. */
public enum MeterAction {
    REGISTER,
    REFILL,
    SUSPEND,
    RESUME,
    RECORD_INSPECTION,
    WITHDRAW,
    /** Print postage, send or receive a transfer, fund or release an allotment. */
    MOVE_FUNDS
}
