package org.postalfunds.client.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.hyperledger.fabric.protos.common.Block;
import org.hyperledger.fabric.protos.common.BlockData;
import org.hyperledger.fabric.protos.common.BlockHeader;
import org.hyperledger.fabric.protos.common.Envelope;
import org.hyperledger.fabric.protos.common.Payload;
import org.hyperledger.fabric.protos.peer.ChaincodeActionPayload;
import org.hyperledger.fabric.protos.peer.ChaincodeEndorsedAction;
import org.hyperledger.fabric.protos.peer.Endorsement;
import org.hyperledger.fabric.protos.peer.Transaction;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postalfunds.client.Consortium;
import org.postalfunds.client.MeterClient;
import org.postalfunds.client.RequestId;
import org.postalfunds.client.ledger.BlockFeed;
import org.postalfunds.client.ledger.LedgerException;
import org.postalfunds.client.model.Postage;

/** Verifying the chain from its blocks: a sound chain passes; altered, re-hashed or under-endorsed blocks do not. */
class ChainVerificationTest {
    private static final Set<String> DATA_CENTER = Set.of(Consortium.DATA_CENTER);
    private final Consortium consortium = new Consortium();
    private final ChainVerifier verifier = new ChainVerifier("postal-ledger", DATA_CENTER);

    @BeforeEach
    void aLedgerWithTransfersPrintsAndAnInvalidatedTransaction() throws Exception {
        MeterClient a = consortium.fundedMeter("meter-A1", Consortium.MAILER_A, 5_000);
        consortium.fundedMeter("meter-B1", Consortium.MAILER_B, 5_000);
        a.printPostage(RequestId.random(), new Postage(85, "10115", "DE", "LETTER-STD"));
        consortium.meter("meter-B1").acknowledge(RequestId.random(),
                a.offer(RequestId.random(), "meter-B1", 700, consortium.clock().instant().plus(Duration.ofHours(1))).transferId());
        // A read conflict: the first attempt is in a block, flagged invalid; the retry commits.
        consortium.network.beforeNextCommit(() -> {
            try {
                consortium.dataCenter.refill(RequestId.random(), "meter-A1", 1);
            } catch (LedgerException e) {
                throw new IllegalStateException(e);
            }
        });
        consortium.dataCenter.refill(RequestId.random(), "meter-A1", 100);
    }

    @Test
    void the_chain_as_committed_verifies_block_by_block() throws Exception {
        ChainReport report = consortium.auditor.verifyChain("postal-ledger", DATA_CENTER, LedgerIndex.Progress.NONE);

        assertThat(report.checks()).allSatisfy(check -> assertThat(check.passed()).as(check.name() + " " + check.findings()).isTrue());
        assertThat(report.blocks()).isEqualTo(consortium.network.height());
        assertThat(report.transactions()).isEqualTo(consortium.network.height() - 1);
        assertThat(report.endorsements()).isEqualTo(4 * report.transactions());
    }

    @Test
    void a_transaction_altered_after_ordering_breaks_its_blocks_data_hash_and_its_creators_signature() throws Exception {
        List<Block> blocks = new ArrayList<>(consortium.network.blocks());
        int target = 5;
        Block original = blocks.get(target);
        Envelope envelope = Envelope.parseFrom(original.getData().getData(0));
        byte[] payload = envelope.getPayload().toByteArray();
        payload[payload.length - 1] ^= 1;
        Envelope altered = envelope.toBuilder().setPayload(ByteString.copyFrom(payload)).build();
        blocks.set(target, original.toBuilder().setData(BlockData.newBuilder().addData(altered.toByteString())).build());

        ChainReport report = verifier.verify(feed(blocks), LedgerIndex.Progress.NONE);

        assertThat(failed(report)).contains("every block's data hash covers its transactions");
        assertThat(findings(report)).anySatisfy(f -> assertThat(f).contains("block " + target + "'s data hash"));
    }

    @Test
    void a_block_rewritten_with_fresh_hashes_no_longer_links_to_the_next_one() throws Exception {
        List<Block> blocks = new ArrayList<>(consortium.network.blocks());
        int target = 4;
        Block original = blocks.get(target);
        Block rewritten = original.toBuilder().setData(BlockData.newBuilder()
                .addData(blocks.get(target + 1).getData().getData(0))).build();
        BlockHeader header = original.getHeader().toBuilder()
                .setDataHash(ByteString.copyFrom(ChainVerifier.dataHash(rewritten))).build();
        blocks.set(target, rewritten.toBuilder().setHeader(header).build());

        ChainReport report = verifier.verify(feed(blocks), LedgerIndex.Progress.NONE);

        assertThat(failed(report)).containsExactly("the blocks are chained by their header hashes");
        assertThat(findings(report)).containsExactly(
                "block " + (target + 1) + "'s previous hash is not the hash of block " + target + "'s header");
    }

    @Test
    void an_endorsement_whose_signature_does_not_verify_is_reported() throws Exception {
        List<Block> blocks = new ArrayList<>(consortium.network.blocks());
        int target = 3;
        Block original = blocks.get(target);
        Envelope envelope = Envelope.parseFrom(original.getData().getData(0));
        Payload payload = Payload.parseFrom(envelope.getPayload());
        Transaction transaction = Transaction.parseFrom(payload.getData());
        ChaincodeActionPayload action = ChaincodeActionPayload.parseFrom(transaction.getActions(0).getPayload());
        ChaincodeEndorsedAction endorsed = action.getAction();
        Endorsement first = endorsed.getEndorsements(0);
        Endorsement forged = first.toBuilder().setSignature(endorsed.getEndorsements(1).getSignature()).build();
        ChaincodeActionPayload changed = action.toBuilder().setAction(endorsed.toBuilder().setEndorsements(0, forged)).build();
        Transaction changedTransaction = transaction.toBuilder().setActions(0,
                transaction.getActions(0).toBuilder().setPayload(changed.toByteString())).build();
        Payload changedPayload = payload.toBuilder().setData(changedTransaction.toByteString()).build();
        Envelope changedEnvelope = envelope.toBuilder().setPayload(changedPayload.toByteString()).build();
        Block rebuilt = org.postalfunds.client.ledger.BlockBuilder.block(target, blocks.get(target - 1).getHeader(),
                changedEnvelope.toByteString(), org.hyperledger.fabric.protos.peer.TxValidationCode.VALID);
        blocks.set(target, rebuilt);

        ChainReport report = verifier.verify(feed(blocks), LedgerIndex.Progress.NONE);

        assertThat(failed(report)).contains("every endorsement signature verifies", "every transaction is signed by its creator");
        assertThat(findings(report)).anySatisfy(f -> assertThat(f).contains("the endorsement of DataCenterMSP does not verify"));
    }

    @Test
    void a_transaction_committed_without_the_data_centers_endorsement_is_reported() throws Exception {
        MeterClient b = consortium.meter("meter-B1");
        consortium.network.endorseNextWith(Set.of(Consortium.MAILER_B));
        b.authoriseRequester(RequestId.random(), "meter-A1");

        ChainReport report = consortium.auditor.verifyChain("postal-ledger", DATA_CENTER, LedgerIndex.Progress.NONE);

        assertThat(failed(report)).containsExactly("every valid transaction of postal-ledger is endorsed by [DataCenterMSP]");
        assertThat(findings(report)).singleElement().asString().contains("[MailerBMSP] only");
    }

    private static List<String> failed(final ChainReport report) {
        return report.checks().stream().filter(check -> !check.passed()).map(AuditCheck::name).toList();
    }

    private static List<String> findings(final ChainReport report) {
        return report.checks().stream().flatMap(check -> check.findings().stream()).toList();
    }

    private static BlockFeed feed(final List<Block> blocks) {
        return new BlockFeed() {
            private int next;

            @Override
            public Optional<Block> next(final Duration wait) {
                return next < blocks.size() ? Optional.of(blocks.get(next++)) : Optional.empty();
            }

            @Override
            public boolean ended() {
                return next >= blocks.size();
            }

            @Override
            public void close() {
            }
        };
    }
}
