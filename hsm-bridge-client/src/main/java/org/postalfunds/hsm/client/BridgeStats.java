package org.postalfunds.hsm.client;

import java.time.Duration;
import java.util.List;

/**
 * Request counters of the bridge since it started.
 *
 * @param counters one entry per RPC and outcome
 * @param uptime time since the bridge started
 */
public record BridgeStats(List<Counter> counters, Duration uptime) {
    public BridgeStats {
        counters = List.copyOf(counters);
    }

    /** Requests of one RPC that ended with one outcome (a gRPC status code name). */
    public record Counter(String method, String outcome, long count) {
    }

    /** The count for an RPC and outcome, 0 when none happened. */
    public long count(final String method, final String outcome) {
        return counters.stream().filter(c -> c.method().equals(method) && c.outcome().equals(outcome))
                .mapToLong(Counter::count).sum();
    }

    /** All requests of an RPC, whatever their outcome. */
    public long total(final String method) {
        return counters.stream().filter(c -> c.method().equals(method)).mapToLong(Counter::count).sum();
    }
}
