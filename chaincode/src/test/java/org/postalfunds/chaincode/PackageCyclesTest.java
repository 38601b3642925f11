package org.postalfunds.chaincode;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * The contract's packages form layers: contracts (root) over the services (audit, indicium, information, transfer,
 * meter), the one escrow workflow both transfer services drive (escrow), the unit of work (command), the books
 * (ledger), identities (access), state and support. A package cycle would mean two of them can only be understood
 * together. The graph is read from the compiled classes by the JDK's
 * own jdeps, so it sees every dependency, also fully qualified names and static imports.
 */
class PackageCyclesTest {
    private static final String ROOT = "org.postalfunds.chaincode";
    private static final Pattern EDGE = Pattern.compile("^\\s+(" + Pattern.quote(ROOT) + "[\\w.]*)\\s+->\\s+("
            + Pattern.quote(ROOT) + "[\\w.]*)\\s", Pattern.MULTILINE);

    static Map<String, Set<String>> packageGraph() throws Exception {
        Path classes = Path.of(PostalLedgerContract.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow(() -> new AssertionError("no jdeps in this JDK"));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = jdeps.run(new PrintWriter(out), new PrintWriter(err), "-verbose:package", "-e",
                Pattern.quote(ROOT) + ".*", classes.toString());
        assertThat(status).as("jdeps: " + err).isZero();
        Map<String, Set<String>> graph = new TreeMap<>();
        Matcher edge = EDGE.matcher(out.toString());
        while (edge.find()) {
            if (!edge.group(1).equals(edge.group(2))) {
                graph.computeIfAbsent(edge.group(1), p -> new TreeSet<>()).add(edge.group(2));
            }
        }
        return graph;
    }

    /** Strongly connected components with more than one package (Tarjan). */
    static List<Set<String>> cycles(final Map<String, Set<String>> graph) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        List<Set<String>> components = new ArrayList<>();
        Set<String> nodes = new TreeSet<>(graph.keySet());
        graph.values().forEach(nodes::addAll);
        for (String node : nodes) {
            if (!index.containsKey(node)) {
                connect(node, graph, index, low, stack, components);
            }
        }
        return components.stream().filter(component -> component.size() > 1).toList();
    }

    private static void connect(final String node, final Map<String, Set<String>> graph, final Map<String, Integer> index,
            final Map<String, Integer> low, final Deque<String> stack, final List<Set<String>> components) {
        index.put(node, index.size());
        low.put(node, index.get(node));
        stack.push(node);
        for (String next : graph.getOrDefault(node, Set.of())) {
            if (!index.containsKey(next)) {
                connect(next, graph, index, low, stack, components);
                low.put(node, Math.min(low.get(node), low.get(next)));
            } else if (stack.contains(next)) {
                low.put(node, Math.min(low.get(node), index.get(next)));
            }
        }
        if (low.get(node).equals(index.get(node))) {
            Set<String> component = new TreeSet<>();
            String member;
            do {
                member = stack.pop();
                component.add(member);
            } while (!member.equals(node));
            components.add(component);
        }
    }

    @Test
    void the_contract_s_packages_have_no_cycle() throws Exception {
        Map<String, Set<String>> graph = packageGraph();

        assertThat(graph).as("jdeps found the contract's packages").containsKeys(ROOT, ROOT + ".transfer", ROOT + ".ledger");
        assertThat(cycles(graph)).as("package cycles in " + graph).isEmpty();
    }

    @Test
    void nothing_depends_on_the_contracts_and_the_bottom_layers_depend_on_no_service() throws Exception {
        Map<String, Set<String>> graph = packageGraph();

        graph.forEach((from, to) -> assertThat(to).as(from).doesNotContain(ROOT));
        for (String bottom : List.of("support", "state", "access", "ledger")) {
            assertThat(graph.getOrDefault(ROOT + "." + bottom, Set.of())).as(bottom)
                    .doesNotContain(ROOT + ".meter", ROOT + ".transfer", ROOT + ".information", ROOT + ".indicium",
                            ROOT + ".audit", ROOT + ".command", ROOT + ".escrow", ROOT + ".refund",
                            ROOT + ".replacement");
        }
    }

    /** The one escrow workflow knows no item: funds and sealed packages plug into it, not the other way round. */
    @Test
    void the_escrow_workflow_depends_on_neither_item_s_service() throws Exception {
        Map<String, Set<String>> graph = packageGraph();

        assertThat(graph).containsKey(ROOT + ".escrow");
        assertThat(graph.get(ROOT + ".escrow")).doesNotContain(ROOT + ".transfer", ROOT + ".information");
        assertThat(graph.get(ROOT + ".transfer")).contains(ROOT + ".escrow").doesNotContain(ROOT + ".information");
        assertThat(graph.get(ROOT + ".information")).contains(ROOT + ".escrow").doesNotContain(ROOT + ".transfer");
    }

    @Test
    void the_cycle_finder_finds_a_cycle() {
        Map<String, Set<String>> graph = Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a"), "d", Set.of("a"));

        assertThat(cycles(graph)).containsExactly(Set.of("a", "b", "c"));
    }
}
