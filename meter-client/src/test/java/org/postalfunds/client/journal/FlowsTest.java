package org.postalfunds.client.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postalfunds.api.model.TransferState;
import org.postalfunds.client.Consortium;
import org.postalfunds.client.MeterClient;
import org.postalfunds.client.RequestId;

/** The flow journal on the in-process contract: a client that crashed mid-flow resumes from its file alone. */
class FlowsTest {
    private final Consortium consortium = new Consortium();
    private MeterClient recipient;
    private MeterClient donor;
    @TempDir
    Path dir;

    @BeforeEach
    void meters() throws Exception {
        recipient = consortium.fundedMeter("meter-A1", Consortium.MAILER_A, 1_000);
        donor = consortium.fundedMeter("meter-B1", Consortium.MAILER_B, 50_000);
        donor.authoriseRequester(RequestId.random(), "meter-A1");
    }

    private Flows flows(final MeterClient meter) throws Exception {
        return new Flows(meter, FlowJournal.open(dir.resolve(meter.meterId() + ".journal.json"), meter.meterId()),
                consortium.clock());
    }

    private Instant inHours(final long hours) {
        return consortium.clock().instant().plus(Duration.ofHours(hours));
    }

    @Test
    void a_recipient_that_crashed_between_grant_and_accept_accepts_on_resume_from_its_journal_alone() throws Exception {
        final Flows recipientFlows = flows(recipient);
        final String transfer = recipientFlows.request("f1", "meter-B1", 700, inHours(1));
        flows(donor).grant("f1", transfer, "meter-A1", 700, inHours(2));
        assertThat(recipientFlows.journal().openFlows()).singleElement()
                .satisfies(flow -> assertThat(flow.transferId()).isEqualTo(transfer));

        // The process dies here; a new one opens the same file.
        final Flows restarted = flows(recipient);
        final Flows.Resumed resumed = restarted.resume(Duration.ofMillis(100));

        assertThat(resumed.completed()).isEqualTo(1);
        assertThat(restarted.journal().openFlows()).isEmpty();
        assertThat(recipient.transfer(transfer).transfer().state()).isEqualTo(TransferState.ACCEPTED);
        assertThat(consortium.available("meter-A1")).isEqualTo(1_700);
        assertThat(consortium.available("meter-B1")).isEqualTo(49_300);
    }

    @Test
    void a_step_begun_and_committed_but_not_journaled_as_committed_is_repeated_with_its_request_id_and_moves_once()
            throws Exception {
        final Flows recipientFlows = flows(recipient);
        final String transfer = recipientFlows.request("f2", "meter-B1", 300, inHours(1));
        flows(donor).grant("f2", transfer, "meter-A1", 300, inHours(2));
        // The accept committed, then the client died before writing it down: the journal says "begun".
        recipient.accept(Flows.requestId("f2", "accept"), transfer);
        recipientFlows.journal().record("f2", new FlowJournal.Step("accept", Flows.requestId("f2", "accept").value(), null,
                false), null);

        final Flows.Resumed resumed = flows(recipient).resume(Duration.ofMillis(100));

        assertThat(resumed.stepsRepeated()).isEqualTo(1);
        assertThat(consortium.available("meter-A1")).isEqualTo(1_300);
        assertThat(flows(recipient).journal().openFlows()).isEmpty();
    }

    @Test
    void an_ungranted_request_is_cancelled_and_an_offer_past_its_deadline_expires_back() throws Exception {
        final Flows recipientFlows = flows(recipient);
        final String requested = recipientFlows.request("f3", "meter-B1", 100, inHours(1));
        final Flows donorFlows = flows(donor);
        final String offered = donorFlows.offer("f4", "meter-A1", 400, inHours(1));

        assertThat(flows(recipient).resume(Duration.ofMillis(50)).cancelled()).isEqualTo(1);
        assertThat(recipient.transfer(requested).transfer().state()).isEqualTo(TransferState.CANCELLED);
        // Before its deadline the offer is the recipient's to answer: kept.
        assertThat(flows(donor).resume(Duration.ZERO).stillOpen()).isEqualTo(1);
        consortium.clock().advance(Duration.ofHours(2));
        assertThat(flows(donor).resume(Duration.ZERO).expired()).isEqualTo(1);
        assertThat(donor.transfer(offered).transfer().state()).isEqualTo(TransferState.EXPIRED);
        assertThat(consortium.available("meter-B1")).isEqualTo(50_000);
        assertThat(Files.readString(dir.resolve("meter-B1.journal.json"))).contains("\"flows\" : [ ]");
    }
}
