package org.postalfunds.api.model;

/**
 * States of a refund of a spoiled indicium: REQUESTED by the meter, then APPROVED (postage credited back) or
 * REJECTED by the postal authority. Both answers are final: an indicium is refunded, or refused, once.
 */
public enum RefundState {
    REQUESTED,
    APPROVED,
    REJECTED
}
