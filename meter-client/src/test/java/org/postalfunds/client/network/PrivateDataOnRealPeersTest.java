package org.postalfunds.client.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.hyperledger.fabric.client.CloseableIterator;
import org.hyperledger.fabric.protos.ledger.rwset.CollectionPvtReadWriteSet;
import org.hyperledger.fabric.protos.ledger.rwset.NsPvtReadWriteSet;
import org.hyperledger.fabric.protos.ledger.rwset.TxPvtReadWriteSet;
import org.hyperledger.fabric.protos.ledger.rwset.kvrwset.KVRWSet;
import org.hyperledger.fabric.protos.ledger.rwset.kvrwset.KVWrite;
import org.hyperledger.fabric.protos.peer.BlockAndPrivateData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.api.LedgerFunction;
import org.postalfunds.api.format.SealedPackage;
import org.postalfunds.api.model.InformationTransfer;
import org.postalfunds.api.model.TransferState;
import org.postalfunds.client.MeterClient;
import org.postalfunds.client.RequestId;
import org.postalfunds.client.ledger.LedgerCall;
import org.postalfunds.client.ledger.LedgerConnection;
import org.postalfunds.client.ledger.LedgerException;
import org.postalfunds.client.model.InformationChange;
import org.postalfunds.client.model.Json;
import org.postalfunds.client.secure.SecureItem;
import org.postalfunds.testnetwork.ClientIdentities.ClientIdentity;
import org.postalfunds.testnetwork.NetworkDescription;
import org.postalfunds.testnetwork.PostalNetwork;

/**
 * Secure information on real peers: the sealed package travels in the transient map into the collection
 * secureInfo-MailerAMSP-MailerBMSP. Both members' peers hold it (each asked directly, through the Gateway's choice of
 * organisation), the peers of DataCenter and PostalAuthority (outside the collection) give nothing for it, the public
 * record's SHA-256 is that of the bytes the peers hold and the recipient unseals; on delivery, rejection, cancellation
 * and expiry it is purged: the block that wrote it, read again from each member peer with its private data, no longer
 * carries it.
 */
@PostalNetwork
class PrivateDataOnRealPeersTest {
    private static final String COLLECTION = "secureInfo-MailerAMSP-MailerBMSP";
    private static final List<String> MEMBERS = List.of("MailerAMSP", "MailerBMSP");
    private static final List<String> OUTSIDERS = List.of("DataCenterMSP", "PostalAuthorityMSP");
    private static RealPeers peers;

    private ClientIdentity meterA;
    private ClientIdentity meterB;
    private MeterClient sender;
    private MeterClient recipient;
    private LedgerConnection senderLedger;
    private LedgerConnection recipientLedger;
    private final SecureItem item = new SecureItem("rate-table-2025", "application/json",
            ("{\"letter\":85,\"run\":\"" + System.nanoTime() + "\"}").getBytes(StandardCharsets.UTF_8));

    @BeforeAll
    static void start(final NetworkDescription network) {
        peers = new RealPeers(network);
    }

    @AfterAll
    static void close() {
        peers.close();
    }

    @BeforeEach
    void meters() throws Exception {
        meterA = peers.registeredMeter("MailerA", "pd-A", 0);
        meterB = peers.registeredMeter("MailerB", "pd-B", 0);
        senderLedger = peers.connect("MailerA", meterA);
        recipientLedger = peers.connect("MailerB", meterB);
        sender = client(senderLedger, meterA);
        recipient = client(recipientLedger, meterB);
    }

    @org.junit.jupiter.api.AfterEach
    void conservation() throws Exception {
        peers.auditPasses();
    }

    @Test
    void a_delivered_package_was_on_both_member_peers_only_matched_its_hash_and_is_purged_from_both() throws Exception {
        final long from = recipientLedger.blockHeight();
        final String transferId = recipient.requestInformation(RequestId.random(), meterA.name(), item.name(),
                Instant.now().plus(1, ChronoUnit.HOURS)).informationTransfer().transferId();
        final InformationChange granted = sender.grantInformation(RequestId.random(), transferId, item,
                Instant.now().plus(1, ChronoUnit.HOURS));
        final byte[] held = heldByBothMembersOnly(transferId, granted.informationTransfer(), from);

        assertThat(recipient.receiveInformation(transferId, RealPeers.psd(meterB))).isEqualTo(item);
        final InformationTransfer accepted = recipient.acceptInformation(RequestId.random(), transferId).informationTransfer();
        assertThat(accepted.state()).isEqualTo(TransferState.ACCEPTED);
        assertThat(accepted.packageSha256()).isEqualTo(SealedPackage.sha256Hex(held));
        purgedFromBothMembers(transferId, from, held);
    }

    @Test
    void a_rejected_offer_is_purged_from_both_member_peers() throws Exception {
        final long from = recipientLedger.blockHeight();
        final InformationChange offered = sender.offerInformation(RequestId.random(), meterB.name(), item,
                Instant.now().plus(1, ChronoUnit.HOURS));
        final String transferId = offered.informationTransfer().transferId();
        final byte[] held = heldByBothMembersOnly(transferId, offered.informationTransfer(), from);

        assertThat(recipient.rejectInformation(RequestId.random(), transferId, "not ordered").informationTransfer().state())
                .isEqualTo(TransferState.REJECTED);
        purgedFromBothMembers(transferId, from, held);
    }

    @Test
    void a_cancelled_grant_is_purged_from_both_member_peers() throws Exception {
        final long from = recipientLedger.blockHeight();
        final String transferId = recipient.requestInformation(RequestId.random(), meterA.name(), item.name(),
                Instant.now().plus(1, ChronoUnit.HOURS)).informationTransfer().transferId();
        final InformationChange granted = sender.grantInformation(RequestId.random(), transferId, item,
                Instant.now().plus(1, ChronoUnit.HOURS));
        final byte[] held = heldByBothMembersOnly(transferId, granted.informationTransfer(), from);

        assertThat(recipient.cancelInformation(RequestId.random(), transferId).informationTransfer().state())
                .isEqualTo(TransferState.CANCELLED);
        purgedFromBothMembers(transferId, from, held);
    }

    @Test
    void an_expired_offer_is_purged_from_both_member_peers() throws Exception {
        final long from = recipientLedger.blockHeight();
        final Instant deadline = Instant.now().plusSeconds(4);
        final InformationChange offered = sender.offerInformation(RequestId.random(), meterB.name(), item, deadline);
        final String transferId = offered.informationTransfer().transferId();
        final byte[] held = heldByBothMembersOnly(transferId, offered.informationTransfer(), from);

        // The deadline is on the transaction clock: only time passing makes an expiry valid.
        final LedgerException early = catchThrowableOfType(LedgerException.class,
                () -> recipient.expireInformation(RequestId.random(), transferId));
        if (early != null) {
            assertThat(early.errorCode()).hasValue(ErrorCode.DEADLINE_NOT_REACHED);
            final long wait = java.time.Duration.between(Instant.now(), deadline.plusSeconds(1)).toMillis();
            if (wait > 0) {
                Thread.sleep(wait);
            }
            assertThat(recipient.expireInformation(RequestId.random(), transferId).informationTransfer().state())
                    .isEqualTo(TransferState.EXPIRED);
        }
        purgedFromBothMembers(transferId, from, held);
    }

    /** Both members' peers give the same bytes, whose SHA-256 the public record carries; outsiders' peers nothing. */
    private byte[] heldByBothMembersOnly(final String transferId, final InformationTransfer record, final long from)
            throws Exception {
        assertThat(record.collection()).isEqualTo(COLLECTION);
        final List<byte[]> copies = new ArrayList<>();
        for (String member : MEMBERS) {
            final JsonNode answer = Json.treeFromLedger(recipientLedger.evaluate(LedgerCall
                    .query(LedgerFunction.GET_INFORMATION_PACKAGE, transferId).withEndorsingOrganizations(member)));
            copies.add(Base64.getDecoder().decode(answer.path("packageBase64").asText()));
        }
        assertThat(copies.get(0)).isEqualTo(copies.get(1));
        assertThat(SealedPackage.sha256Hex(copies.get(0))).isEqualTo(record.packageSha256());
        assertThat((long) copies.get(0).length).isEqualTo(record.packageSizeBytes());
        for (String outsider : OUTSIDERS) {
            final LedgerException nothing = catchThrowableOfType(LedgerException.class, () -> recipientLedger.evaluate(
                    LedgerCall.query(LedgerFunction.GET_INFORMATION_PACKAGE, transferId)
                            .withEndorsingOrganizations(outsider)));
            assertThat(nothing).as("the peer of %s gives out the package", outsider).isNotNull();
            assertThat(nothing.errorCode()).hasValue(ErrorCode.PACKAGE_NOT_AVAILABLE);
        }
        // The block that wrote it, read from each member peer with its private data, carries the same bytes.
        for (LedgerConnection member : List.of(senderLedger, recipientLedger)) {
            assertThat(packageWrites(member, from, transferId)).as("the package in a member peer's private blocks")
                    .anySatisfy(write -> assertThat(write.getValue().toByteArray()).isEqualTo(copies.get(0)));
        }
        return copies.get(0);
    }

    /**
     * Re-reads, from each member peer with its private data, every block since {@code from}: before settlement the same
     * reading found the package's bytes (see {@link #heldByBothMembersOnly}); now no block carries them.
     */
    private void purgedFromBothMembers(final String transferId, final long from, final byte[] held) throws Exception {
        final InformationTransfer after = recipient.informationTransfer(transferId);
        assertThat(after.packageHeld()).isFalse();
        assertThat(after.packageSha256()).isEqualTo(SealedPackage.sha256Hex(held));
        for (LedgerConnection member : List.of(senderLedger, recipientLedger)) {
            final List<KVWrite> writes = packageWrites(member, from, transferId);
            assertThat(writes).as("the package bytes, still in a member peer's private data store")
                    .noneMatch(write -> write.getValue().size() > 0);
        }
    }

    /** The private writes of the package's key in blocks {@code from}.. now, as this connection's peer delivers them. */
    private static List<KVWrite> packageWrites(final LedgerConnection ledger, final long from, final String transferId)
            throws LedgerException {
        final long last = ledger.blockHeight() - 1;
        final List<KVWrite> writes = new ArrayList<>();
        try (CloseableIterator<BlockAndPrivateData> blocks = ledger.network().newBlockAndPrivateDataEventsRequest()
                .startBlock(from).build().getEvents()) {
            while (blocks.hasNext()) {
                final BlockAndPrivateData block = blocks.next();
                for (TxPvtReadWriteSet tx : block.getPrivateDataMapMap().values()) {
                    for (NsPvtReadWriteSet ns : tx.getNsPvtRwsetList()) {
                        for (CollectionPvtReadWriteSet collection : ns.getCollectionPvtRwsetList()) {
                            if (!collection.getCollectionName().equals(COLLECTION)) {
                                continue;
                            }
                            for (KVWrite write : parse(collection.getRwset().toByteArray()).getWritesList()) {
                                if (write.getKey().contains(transferId)) {
                                    writes.add(write);
                                }
                            }
                        }
                    }
                }
                if (block.getBlock().getHeader().getNumber() >= last) {
                    break;
                }
            }
        }
        return writes;
    }

    private static KVRWSet parse(final byte[] rwset) {
        try {
            return KVRWSet.parseFrom(rwset);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }

    private static MeterClient client(final LedgerConnection ledger, final ClientIdentity meter) throws Exception {
        return MeterClient.builder().ledger(ledger).meterId(meter.name())
                .psdSigner(org.hyperledger.fabric.client.identity.Signers.newPrivateKeySigner(RealPeers.privateKey(meter)))
                .clock(java.time.Clock.systemUTC()).build();
    }
}
