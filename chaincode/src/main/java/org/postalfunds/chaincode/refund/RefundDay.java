package org.postalfunds.chaincode.refund;

/** How many refunds one meter requested on one UTC day: the per-meter rate limit's counter. */
public record RefundDay(String meterId, String utcDay, long requests) {}
