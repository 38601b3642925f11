package org.postalfunds.console;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The flows of funds as a Sankey diagram's links: the data center's refills into meters, meters' funds into postage
 * printed, and funds settled from meter to meter. It reads at 1,000 meters because only the {@code top} meters by
 * funds moved keep their own node; the others are grouped per owner organisation ("other meters of MailerAMSP (412)").
 * A Sankey diagram must have no cycle, and meters send to each other both ways, so funds a meter receives end in a
 * node of their own ("meter-B1 received"): the diagram shows where funds came from and went, per period, not a
 * meter's running balance (the meter's timeline shows that).
 */
public final class FlowDiagram {
    public static final String REFILLS = "data center refills";
    public static final String POSTAGE = "postage printed";
    public static final String RECEIVED = " received";
    /** Meters shown with their own node unless asked otherwise; 5 to 200 may be asked for. */
    public static final int DEFAULT_TOP = 25;
    public static final int MIN_TOP = 5;
    public static final int MAX_TOP = 200;

    /** One link: from a node to a node, the funds (minor units) and how many movements made them. */
    public record Link(String from, String to, long amountMinorUnits, long movements) {
    }

    /** One flow before grouping: {@code from} and {@code to} are meter ids, or {@link #REFILLS} / {@link #POSTAGE}. */
    public record Flow(String from, String to, long amountMinorUnits, long movements) {
    }

    private final Map<String, long[]> throughput = new HashMap<>();
    private final List<Flow> flows = new ArrayList<>();

    /** Adds a flow (a zero amount is ignored); a meter's throughput counts for the ranking of meters. */
    public FlowDiagram add(final Flow flow) {
        if (flow.amountMinorUnits() <= 0) {
            return this;
        }
        flows.add(flow);
        for (String end : List.of(flow.from(), flow.to())) {
            if (!end.equals(REFILLS) && !end.equals(POSTAGE)) {
                long[] sum = throughput.computeIfAbsent(end, id -> new long[1]);
                sum[0] = Math.addExact(sum[0], flow.amountMinorUnits());
            }
        }
        return this;
    }

    public int meters() {
        return throughput.size();
    }

    /**
     * The links, the {@code top} meters by funds moved on their own, the rest grouped by their owner organisation
     * ({@code owner} answers a meter's MSP id), largest first.
     */
    public List<Link> links(final int top, final Function<String, String> owner) {
        List<String> ranked = new ArrayList<>(throughput.keySet());
        ranked.sort(Comparator.comparingLong((String id) -> -throughput.get(id)[0]).thenComparing(Comparator.naturalOrder()));
        Map<String, String> node = new HashMap<>();
        Map<String, Integer> groupSizes = new TreeMap<>();
        for (int i = 0; i < ranked.size(); i++) {
            String meterId = ranked.get(i);
            if (i < top) {
                node.put(meterId, meterId);
            } else {
                String org = owner.apply(meterId);
                groupSizes.merge(org == null || org.isEmpty() ? "unknown" : org, 1, Integer::sum);
            }
        }
        for (int i = top; i < ranked.size(); i++) {
            String org = owner.apply(ranked.get(i));
            String key = org == null || org.isEmpty() ? "unknown" : org;
            node.put(ranked.get(i), "other meters of " + key + " (" + groupSizes.get(key) + ")");
        }
        Map<List<String>, long[]> merged = new LinkedHashMap<>();
        for (Flow flow : flows) {
            String from = flow.from().equals(REFILLS) ? REFILLS : node.get(flow.from());
            // Refills go into the meter's own node (where its funds start); transfers into the recipient's received node.
            String to = flow.to().equals(POSTAGE) ? POSTAGE
                    : flow.from().equals(REFILLS) ? node.get(flow.to()) : node.get(flow.to()) + RECEIVED;
            long[] sum = merged.computeIfAbsent(List.of(from, to), key -> new long[2]);
            sum[0] = Math.addExact(sum[0], flow.amountMinorUnits());
            sum[1] += flow.movements();
        }
        List<Link> links = new ArrayList<>();
        merged.forEach((pair, sum) -> links.add(new Link(pair.get(0), pair.get(1), sum[0], sum[1])));
        links.sort(Comparator.comparingLong((Link l) -> -l.amountMinorUnits()).thenComparing(Link::from)
                .thenComparing(Link::to));
        return links;
    }

    /** The {@code top} parameter: absent is the default; otherwise a whole number from 5 to 200. */
    static int top(final String parameter) {
        if (parameter == null || parameter.isEmpty()) {
            return DEFAULT_TOP;
        }
        if (!parameter.matches("[0-9]{1,3}") || Integer.parseInt(parameter) < MIN_TOP
                || Integer.parseInt(parameter) > MAX_TOP) {
            throw HttpProblem.badRequest("top must be a whole number from " + MIN_TOP + " to " + MAX_TOP
                    + " (the meters that keep their own node); \"" + (parameter.length() > 20 ? parameter.substring(0, 20)
                    : parameter) + "\" is not one");
        }
        return Integer.parseInt(parameter);
    }
}
