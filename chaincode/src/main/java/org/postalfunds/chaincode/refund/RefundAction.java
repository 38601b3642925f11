package org.postalfunds.chaincode.refund;

/** What may happen to a refund: the meter asks, the postal authority answers. */
public enum RefundAction {
    REQUEST,
    APPROVE,
    REJECT
}
