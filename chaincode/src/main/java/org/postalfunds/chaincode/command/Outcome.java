package org.postalfunds.chaincode.command;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/** What a submit handler reports: the event name of the state change and the details for the result and event. */
public final class Outcome {
    private final String event;
    private final SortedMap<String, Object> details = new TreeMap<>();

    private Outcome(final String event) {
        this.event = event;
    }

    public static Outcome event(final String name) {
        return new Outcome(name);
    }

    public Outcome with(final String key, final Object value) {
        details.put(key, value);
        return this;
    }

    public String eventName() {
        return event;
    }

    public Map<String, Object> details() {
        return details;
    }
}
