package org.postalfunds.client.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postalfunds.api.model.TransferState;
import org.postalfunds.client.DataCenterClient;
import org.postalfunds.client.MeterClient;
import org.postalfunds.client.RequestId;
import org.postalfunds.client.ledger.FailureKind;
import org.postalfunds.client.ledger.LedgerConnection;
import org.postalfunds.client.ledger.LedgerException;
import org.postalfunds.client.model.TransferChange;
import org.postalfunds.testnetwork.ClientIdentities.ClientIdentity;
import org.postalfunds.testnetwork.NetworkDescription;
import org.postalfunds.testnetwork.PostalNetwork;

/**
 * Key-level endorsement on real peers: the chaincode's policy is AND(DataCenter, OR(MailerA, MailerB)), but a meter's
 * account key carries DataCenter AND its owner, a transfer's and an escrow's keys DataCenter AND both owners. The
 * endorsing organisations are forced per call (the Gateway's endorsing-organisations option); a set that misses a
 * key's owner is endorsed, ordered, and then invalidated by every peer with ENDORSEMENT_POLICY_FAILURE, changing
 * nothing; the same request id with the owners' peers then commits once.
 */
@PostalNetwork
class KeyLevelEndorsementOnRealPeersTest {
    private static RealPeers peers;

    @BeforeAll
    static void start(final NetworkDescription network) {
        peers = new RealPeers(network);
    }

    @AfterAll
    static void close() {
        peers.close();
    }

    @Test
    void a_refill_without_the_owners_peer_is_invalidated_at_commit_and_with_it_commits_once() throws Exception {
        final ClientIdentity meterA = peers.registeredMeter("MailerA", "kle-refill-A", 1_000);
        final LedgerConnection dataCenter = peers.connect("DataCenter", peers.enrol("DataCenter", "kle-operator"));
        final RequestId refill = RequestId.random();

        // DataCenter's peer alone satisfies neither the chaincode's policy nor the account key's.
        final LedgerException alone = catchThrowableOfType(LedgerException.class, () -> DataCenterClient
                .of(RealPeers.endorsedBy(dataCenter, "DataCenterMSP")).refill(refill, meterA.name(), 500));
        assertInvalidatedByPolicy(alone);
        // DataCenter and MailerB satisfy the chaincode's policy, but not the key of a MailerA meter's account.
        final LedgerException otherMailer = catchThrowableOfType(LedgerException.class, () -> DataCenterClient
                .of(RealPeers.endorsedBy(dataCenter, "DataCenterMSP", "MailerBMSP")).refill(refill, meterA.name(), 500));
        assertInvalidatedByPolicy(otherMailer);
        assertThat(peers.auditor().meter(meterA.name()).registers().availableMinorUnits()).isEqualTo(1_000);

        // With the owner's peer the very same request commits, once.
        DataCenterClient.of(RealPeers.endorsedBy(dataCenter, "DataCenterMSP", "MailerAMSP")).refill(refill, meterA.name(), 500);
        DataCenterClient.of(dataCenter).refill(refill, meterA.name(), 500); // repeated: the first result, nothing moves
        assertThat(peers.auditor().meter(meterA.name()).registers().availableMinorUnits()).isEqualTo(1_500);
        peers.auditPasses();
    }

    @Test
    void a_transfer_between_meters_of_two_mailers_needs_both_owners_peers() throws Exception {
        final ClientIdentity meterA = peers.registeredMeter("MailerA", "kle-donor-A", 10_000);
        final ClientIdentity meterB = peers.registeredMeter("MailerB", "kle-recipient-B", 0);
        final MeterClient donor = peers.meter("MailerA", meterA);
        final TransferChange offer = donor.offer(RequestId.random(), meterB.name(), 4_000, Instant.now().plus(1, ChronoUnit.DAYS));
        final String transferId = offer.transfer().transferId();
        final LedgerConnection recipientLedger = peers.connect("MailerB", meterB);
        final RequestId acknowledge = RequestId.random();

        // Transfer and escrow keys: DataCenter AND MailerA AND MailerB; the recipient's account: DataCenter AND MailerB.
        for (String[] endorsers : new String[][] {{"DataCenterMSP", "MailerBMSP"}, {"DataCenterMSP", "MailerAMSP"}}) {
            final LedgerException refused = catchThrowableOfType(LedgerException.class, () -> recipient(recipientLedger,
                    meterA, meterB, endorsers).acknowledge(acknowledge, transferId));
            assertInvalidatedByPolicy(refused);
            assertThat(peers.auditor().transfer(transferId).transfer().state()).isEqualTo(TransferState.OFFERED);
            assertThat(peers.auditor().meter(meterB.name()).registers().availableMinorUnits()).isZero();
        }

        final TransferChange acknowledged = recipient(recipientLedger, meterA, meterB,
                new String[] {"DataCenterMSP", "MailerAMSP", "MailerBMSP"}).acknowledge(acknowledge, transferId);
        assertThat(acknowledged.transfer().state()).isEqualTo(TransferState.ACKNOWLEDGED);
        assertThat(peers.auditor().meter(meterA.name()).registers().availableMinorUnits()).isEqualTo(6_000);
        assertThat(peers.auditor().meter(meterB.name()).registers().availableMinorUnits()).isEqualTo(4_000);
        peers.auditPasses();
    }

    private static MeterClient recipient(final LedgerConnection ledger, final ClientIdentity donor,
            final ClientIdentity recipient, final String[] endorsers) throws Exception {
        return MeterClient.builder().ledger(RealPeers.endorsedBy(ledger, endorsers)).meterId(recipient.name())
                .psdSigner(org.hyperledger.fabric.client.identity.Signers.newPrivateKeySigner(RealPeers.privateKey(recipient)))
                .clock(java.time.Clock.systemUTC()).build();
    }

    private static void assertInvalidatedByPolicy(final LedgerException failure) {
        assertThat(failure).as("expected an invalidated transaction").isNotNull();
        assertThat(failure.kind()).isEqualTo(FailureKind.INVALIDATED);
        assertThat(failure.getMessage()).contains("ENDORSEMENT_POLICY_FAILURE");
        assertThat(failure.attempts()).as("an endorsement policy failure is not retried").isEqualTo(1);
        assertThat(failure.transactionId()).isPresent();
    }
}
