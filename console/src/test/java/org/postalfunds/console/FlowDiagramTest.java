package org.postalfunds.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class FlowDiagramTest {
    @Test
    void refills_go_into_the_meter_transfers_into_the_recipients_received_node_and_postage_out() {
        FlowDiagram diagram = new FlowDiagram()
                .add(new FlowDiagram.Flow(FlowDiagram.REFILLS, "A", 5_000, 1))
                .add(new FlowDiagram.Flow("A", "B", 1_000, 1))
                .add(new FlowDiagram.Flow("B", "A", 300, 1))
                .add(new FlowDiagram.Flow("A", FlowDiagram.POSTAGE, 85, 1))
                .add(new FlowDiagram.Flow("A", "B", 0, 1));

        assertThat(diagram.links(25, id -> "MailerAMSP")).containsExactly(
                new FlowDiagram.Link(FlowDiagram.REFILLS, "A", 5_000, 1),
                new FlowDiagram.Link("A", "B received", 1_000, 1),
                new FlowDiagram.Link("B", "A received", 300, 1),
                new FlowDiagram.Link("A", FlowDiagram.POSTAGE, 85, 1));
    }

    @Test
    void at_a_thousand_meters_only_the_top_keep_a_node_the_rest_are_grouped_per_organisation_and_nothing_is_lost() {
        FlowDiagram diagram = new FlowDiagram();
        long total = 0;
        for (int i = 0; i < 1_000; i++) {
            long refill = 1_000 + i;
            diagram.add(new FlowDiagram.Flow(FlowDiagram.REFILLS, "m" + i, refill, 1));
            diagram.add(new FlowDiagram.Flow("m" + i, "m" + ((i + 1) % 1_000), 10, 1));
            total += refill + 10;
        }
        Map<String, String> owners = new java.util.HashMap<>();
        IntStream.range(0, 1_000).forEach(i -> owners.put("m" + i, i % 2 == 0 ? "MailerAMSP" : "MailerBMSP"));

        List<FlowDiagram.Link> links = diagram.links(25, owners::get);

        Set<String> nodes = new HashSet<>();
        links.forEach(link -> {
            nodes.add(link.from());
            nodes.add(link.to());
        });
        assertThat(nodes).contains("other meters of MailerAMSP (488)", "other meters of MailerBMSP (487)", "m999");
        assertThat(nodes.size()).isLessThanOrEqualTo(1 + 2 * (25 + 2));
        assertThat(links.stream().mapToLong(FlowDiagram.Link::amountMinorUnits).sum()).isEqualTo(total);
        // No cycle: every transfer ends in a received node, which never sends.
        assertThat(links).noneMatch(link -> link.from().endsWith(FlowDiagram.RECEIVED));
    }

    @Test
    void top_is_a_bounded_whole_number() {
        assertThat(FlowDiagram.top(null)).isEqualTo(FlowDiagram.DEFAULT_TOP);
        assertThat(FlowDiagram.top("200")).isEqualTo(200);
        for (String bad : List.of("4", "201", "1e2", "-5", " 9", "٥")) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> FlowDiagram.top(bad)).isInstanceOf(HttpProblem.class);
        }
    }
}
