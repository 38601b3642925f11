package org.postalfunds.client.scenarios;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.hyperledger.fabric.client.FileCheckpointer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postalfunds.client.MeterClient;
import org.postalfunds.client.Money;
import org.postalfunds.client.RequestId;
import org.postalfunds.client.audit.IndiciumCheck;
import org.postalfunds.client.faults.LiveNetwork;
import org.postalfunds.client.ledger.LedgerConnection;
import org.postalfunds.client.ledger.LedgerException;
import org.postalfunds.api.model.IndiciumVerdict;
import org.postalfunds.api.model.MeterKind;
import org.postalfunds.api.model.MeterStatus;
import org.postalfunds.client.model.Postage;
import org.postalfunds.client.model.PrintedPostage;
import org.postalfunds.api.model.TransferState;
import org.postalfunds.client.secure.SecureItem;
import org.postalfunds.client.watch.GrantBook;
import org.postalfunds.client.watch.Reaction;
import org.postalfunds.client.watch.WatchListener;
import org.postalfunds.client.watch.WatchPolicy;
import org.postalfunds.client.watch.Watcher;
import org.postalfunds.hsm.client.PsdBridgeClient;
import org.postalfunds.hsm.testing.BridgeFixture;
import org.postalfunds.testnetwork.ClientIdentities.ClientIdentity;
import org.postalfunds.testnetwork.NetworkDescription;
import org.postalfunds.testnetwork.PostalNetwork;

/**
 * Every scenario of the patent end to end on the real network, through the client library, one test per scenario
 * family, meters shared where their state allows. Every meter's key is in a SoftHSM2 token behind the HSM bridge
 * (mutual TLS): created there, enrolled at its owner's Fabric CA with a CSR signed there, and every proposal,
 * transaction, indicium and key agreement of the meters goes through the bridge. After each: the postal authority's
 * conservation audit and the chain verified block by block, from the ledger alone.
 */
@PostalNetwork
@Tag("softhsm")
class PatentScenariosOnRealPeersTest {
    private static BridgeFixture bridge;
    private static PsdBridgeClient operator;
    private static LiveNetwork net;
    private static ClientIdentity a1;
    private static ClientIdentity a2;
    private static ClientIdentity b1;
    private static ClientIdentity b2;
    private static MeterClient meterA1;
    private static MeterClient meterA2;
    private static MeterClient meterB1;
    private static MeterClient meterB2;

    @BeforeAll
    static void meters(final NetworkDescription network) throws Exception {
        bridge = BridgeFixture.start("scenarios");
        operator = bridge.operator();
        net = new LiveNetwork(network).signingThroughBridge(operator, meterId -> {
            try {
                return bridge.meter(meterId);
            } catch (java.security.GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        });
        a1 = net.registeredMeter("MailerA", "sc-A1", 500_000);
        a2 = net.registeredMeter("MailerA", "sc-A2", 100_000);
        b1 = net.registeredMeter("MailerB", "sc-B1", 500_000);
        b2 = net.registeredMeter("MailerB", "sc-B2", 0);
        meterA1 = net.meter(a1);
        meterA2 = net.meter(a2);
        meterB1 = net.meter(b1);
        meterB2 = net.meter(b2);
    }

    @AfterEach
    void theLedgerAloneProvesIt() throws Exception {
        net.auditPasses();
        net.chainVerifies();
    }

    @AfterAll
    static void close() throws Exception {
        net.close();
        operator.close();
        bridge.close();
    }

    private static Instant in(final long amount, final ChronoUnit unit) {
        return Instant.now().plus(amount, unit);
    }

    private static long available(final ClientIdentity meter) throws Exception {
        net.awaitPeersInStep(Duration.ofSeconds(10));
        return net.auditor().meter(meter.name()).registers().availableMinorUnits();
    }

    private static void refused(final String code, final ThrowingCallable call) {
        final LedgerException refusal = catchThrowableOfType(LedgerException.class, call);
        assertThat(refusal).as("refused with " + code).isNotNull();
        assertThat(refusal.errorCode().map(Enum::name)).hasValue(code);
    }

    @Test
    void refill_then_print_with_a_psd_signed_indicium_the_auditor_verifies() throws Exception {
        final long before = available(a1);
        net.dataCenter().refill(RequestId.random(), a1.name(), 20_000);
        final PrintedPostage printed = meterA1.printPostage(RequestId.random(), new Postage(85, "10115", "DE", "LETTER-STD"));

        assertThat(available(a1)).isEqualTo(before + 20_000 - 85);
        assertThat(printed.registers().controlSumHolds()).isTrue();
        final IndiciumCheck check = net.auditor().verifyIndicium(printed.record().indicium());
        assertThat(check.verdict()).isEqualTo(IndiciumVerdict.GENUINE);
        assertThat(check.signatureValid()).hasValue(true);
    }

    @Test
    void pull_transfers_granted_and_accepted_denied_cancelled_before_and_after_the_grant() throws Exception {
        meterB1.authoriseRequester(RequestId.random(), a2.name());
        final long donorBefore = available(b1);
        final long recipientBefore = available(a2);

        final String accepted = meterA2.request(RequestId.random(), b1.name(), 3_000, in(1, ChronoUnit.HOURS)).transferId();
        meterB1.grant(RequestId.random(), accepted, in(1, ChronoUnit.HOURS));
        assertThat(meterA2.accept(RequestId.random(), accepted).transfer().state()).isEqualTo(TransferState.ACCEPTED);

        final String denied = meterA2.request(RequestId.random(), b1.name(), 1_000, in(1, ChronoUnit.HOURS)).transferId();
        assertThat(meterB1.deny(RequestId.random(), denied, "not this month").transfer().state()).isEqualTo(TransferState.DENIED);

        final String withdrawn = meterA2.request(RequestId.random(), b1.name(), 1_000, in(1, ChronoUnit.HOURS)).transferId();
        assertThat(meterA2.cancel(RequestId.random(), withdrawn).transfer().state()).isEqualTo(TransferState.CANCELLED);

        final String sentBack = meterA2.request(RequestId.random(), b1.name(), 2_000, in(1, ChronoUnit.HOURS)).transferId();
        meterB1.grant(RequestId.random(), sentBack, in(1, ChronoUnit.HOURS));
        assertThat(meterA2.cancel(RequestId.random(), sentBack).transfer().state()).isEqualTo(TransferState.CANCELLED);

        assertThat(available(b1)).isEqualTo(donorBefore - 3_000);
        assertThat(available(a2)).isEqualTo(recipientBefore + 3_000);
    }

    @Test
    void push_transfers_acknowledged_and_rejected() throws Exception {
        final long donorBefore = available(a1);
        final long recipientBefore = available(b2);
        final String taken = meterA1.offer(RequestId.random(), b2.name(), 4_000, in(1, ChronoUnit.HOURS)).transferId();
        assertThat(meterB2.acknowledge(RequestId.random(), taken).transfer().state()).isEqualTo(TransferState.ACKNOWLEDGED);
        final String refusedOffer = meterA1.offer(RequestId.random(), b2.name(), 1_500, in(1, ChronoUnit.HOURS)).transferId();
        assertThat(meterB2.reject(RequestId.random(), refusedOffer, "not ordered").transfer().state())
                .isEqualTo(TransferState.REJECTED);
        assertThat(available(a1)).isEqualTo(donorBefore - 4_000);
        assertThat(available(b2)).isEqualTo(recipientBefore + 4_000);
    }

    @Test
    void a_distributor_serves_many_recipients_by_policy_through_its_watcher(@TempDir final Path dir) throws Exception {
        final ClientIdentity distributor = net.registeredMeter("MailerB", "sc-dist", 200_000);
        final List<ClientIdentity> recipients = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            recipients.add(net.registeredMeter("MailerA", "sc-rcpt" + i, 0));
        }
        final LedgerConnection distributorLedger = net.connect("MailerB", distributor);
        final MeterClient dist = net.meterOn(distributorLedger, distributor);
        final StringBuilder listed = new StringBuilder();
        for (final ClientIdentity r : recipients) {
            dist.authoriseRequester(RequestId.random(), r.name());
            listed.append(listed.length() == 0 ? "" : ",").append("{\"meterId\":\"").append(r.name())
                    .append("\",\"maxPerRequest\":\"30.00\",\"maxPerDay\":\"60.00\"}");
        }
        final WatchPolicy policy = WatchPolicy.parse("{\"meterId\":\"" + distributor.name() + "\",\"distributor\":{"
                + "\"recipients\":[" + listed + "],\"maxPerDay\":\"150.00\",\"escrowHours\":1,\"denyOverLimit\":true}}",
                Money.CENTS);
        final List<Reaction> reactions = new CopyOnWriteArrayList<>();
        final Watcher watcher;
        try (FileCheckpointer checkpoint = new FileCheckpointer(dir.resolve("watch.checkpoint"))) {
            watcher = Watcher.builder().meter(dist).policy(policy).checkpointer(checkpoint)
                    .grantBook(GrantBook.open(dir.resolve("grants.json"))).startBlock(distributorLedger.blockHeight())
                    .listener(new WatchListener() {
                        @Override
                        public void handled(final Reaction reaction) {
                            reactions.add(reaction);
                        }

                        @Override
                        public void caughtUp(final long eventsHandled) {
                        }
                    }).build();
            final Thread running = new Thread(() -> {
                try {
                    watcher.run();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, "distributor-watcher");
            running.start();

            // Four recipients ask at once within their limits; one asks again over its per-request limit.
            final List<MeterClient> clients = new ArrayList<>();
            for (final ClientIdentity r : recipients) {
                clients.add(net.meter(r));
            }
            final List<String> within = new ArrayList<>();
            final long[] amounts = {2_000, 1_500, 3_000, 2_500};
            for (int i = 0; i < clients.size(); i++) {
                within.add(clients.get(i).request(RequestId.random(), distributor.name(), amounts[i], in(1, ChronoUnit.HOURS))
                        .transferId());
            }
            final String over = clients.get(1).request(RequestId.random(), distributor.name(), 4_000,
                    in(1, ChronoUnit.HOURS)).transferId();

            final long until = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (System.nanoTime() < until && (within.stream().anyMatch(t -> state(dist, t) != TransferState.GRANTED)
                    || state(dist, over) != TransferState.DENIED)) {
                Thread.sleep(300);
            }
            watcher.stop();
            running.join(10_000);
            for (int i = 0; i < clients.size(); i++) {
                assertThat(clients.get(i).accept(RequestId.random(), within.get(i)).transfer().state())
                        .isEqualTo(TransferState.ACCEPTED);
                assertThat(available(recipients.get(i))).isEqualTo(amounts[i]);
            }
            assertThat(dist.transfer(over).transfer().state()).isEqualTo(TransferState.DENIED);
            assertThat(dist.transfer(over).transfer().reason()).startsWith("OVER_LIMIT");
            assertThat(available(distributor)).isEqualTo(200_000 - 9_000);
        }
        System.out.printf("[scenarios] distributor watcher: %d reactions: %s%n", reactions.size(),
                reactions.stream().map(r -> r.action().toString()).toList());
    }

    private static TransferState state(final MeterClient meter, final String transferId) {
        try {
            return meter.transfer(transferId).transfer().state();
        } catch (LedgerException e) {
            return null;
        }
    }

    @Test
    void a_chain_a_to_b_to_c_push_then_pull() throws Exception {
        final ClientIdentity a = net.registeredMeter("MailerA", "sc-chainA", 50_000);
        final ClientIdentity b = net.registeredMeter("MailerB", "sc-chainB", 0);
        final ClientIdentity c = net.registeredMeter("MailerA", "sc-chainC", 0);
        final MeterClient ma = net.meter(a);
        final MeterClient mb = net.meter(b);
        final MeterClient mc = net.meter(c);
        final String ab = ma.offer(RequestId.random(), b.name(), 5_000, in(1, ChronoUnit.HOURS)).transferId();
        mb.acknowledge(RequestId.random(), ab);
        mb.authoriseRequester(RequestId.random(), c.name());
        final String bc = mc.request(RequestId.random(), b.name(), 3_000, in(1, ChronoUnit.HOURS)).transferId();
        mb.grant(RequestId.random(), bc, in(1, ChronoUnit.HOURS));
        mc.accept(RequestId.random(), bc);
        assertThat(List.of(available(a), available(b), available(c))).containsExactly(45_000L, 2_000L, 3_000L);
    }

    @Test
    void a_hand_held_unit_holds_and_moves_funds_but_is_refused_printing() throws Exception {
        final ClientIdentity h = net.registeredMeter("MailerB", "sc-handheld", 10_000, MeterKind.HANDHELD_METERING_UNIT);
        final MeterClient handheld = net.meter(h);
        refused("PRINTING_NOT_SUPPORTED", () -> handheld.printPostage(RequestId.random(),
                new Postage(85, "10115", "DE", "LETTER-STD")));
        final long a1Before = available(a1);
        final String out = handheld.offer(RequestId.random(), a1.name(), 2_000, in(1, ChronoUnit.HOURS)).transferId();
        meterA1.acknowledge(RequestId.random(), out);
        final String back = meterA1.offer(RequestId.random(), h.name(), 500, in(1, ChronoUnit.HOURS)).transferId();
        handheld.acknowledge(RequestId.random(), back);
        assertThat(available(h)).isEqualTo(8_500);
        assertThat(available(a1)).isEqualTo(a1Before + 1_500);
        assertThat(net.auditor().meter(h.name()).registers().pieceCount()).isZero();
    }

    @Test
    void a_donor_refuses_a_requester_it_has_not_authorised() throws Exception {
        final ClientIdentity stranger = net.registeredMeter("MailerA", "sc-stranger", 0);
        final MeterClient client = net.meter(stranger);
        final long before = available(b1);
        refused("REQUESTER_NOT_AUTHORISED", () -> client.request(RequestId.random(), b1.name(), 1_000,
                in(1, ChronoUnit.HOURS)));
        assertThat(available(b1)).isEqualTo(before);
        assertThat(client.transfers(TransferState.REQUESTED, 10)).isEmpty();
    }

    @Test
    void an_escrow_past_its_deadline_expires_back_to_the_donor() throws Exception {
        final long donorBefore = available(a1);
        final Instant deadline = Instant.now().plusSeconds(12);
        final String offered = meterA1.offer(RequestId.random(), b2.name(), 2_500, deadline).transferId();
        assertThat(available(a1)).isEqualTo(donorBefore - 2_500);
        refused("DEADLINE_NOT_REACHED", () -> meterB2.expire(RequestId.random(), offered));
        Thread.sleep(Math.max(0, Duration.between(Instant.now(), deadline).toMillis()) + 2_000);
        // Anyone may expire it; here the recipient, who never answered. Its acknowledgement is now too late.
        refused("DEADLINE_PASSED", () -> meterB2.acknowledge(RequestId.random(), offered));
        assertThat(meterB2.expire(RequestId.random(), offered).transfer().state()).isEqualTo(TransferState.EXPIRED);
        assertThat(available(a1)).isEqualTo(donorBefore);
    }

    @Test
    void a_meter_suspended_then_withdrawn_in_the_middle_of_a_transfer() throws Exception {
        final ClientIdentity r = net.registeredMeter("MailerA", "sc-leaving", 1_000);
        final MeterClient leaving = net.meter(r);
        meterB1.authoriseRequester(RequestId.random(), r.name());
        final long donorBefore = available(b1);
        final String transfer = leaving.request(RequestId.random(), b1.name(), 3_000, in(1, ChronoUnit.HOURS)).transferId();
        meterB1.grant(RequestId.random(), transfer, in(1, ChronoUnit.HOURS));

        net.dataCenter().suspend(RequestId.random(), r.name(), "inspection failed");
        refused("METER_SUSPENDED", () -> leaving.accept(RequestId.random(), transfer));
        refused("TRANSFERS_OPEN", () -> net.dataCenter().withdraw(RequestId.random(), r.name()));
        // Releasing actions work in any status: the escrow goes back to the donor, then the meter can leave.
        assertThat(leaving.cancel(RequestId.random(), transfer).transfer().state()).isEqualTo(TransferState.CANCELLED);
        assertThat(net.dataCenter().withdraw(RequestId.random(), r.name()).meter().status()).isEqualTo(MeterStatus.WITHDRAWN);
        assertThat(available(b1)).isEqualTo(donorBefore);
        assertThat(available(r)).isZero();
    }

    @Test
    void secure_information_pulled_pushed_and_downloaded_from_the_data_center() throws Exception {
        final SecureItem rates = new SecureItem("rate-table", "application/json",
                ("{\"letter\":85,\"run\":\"" + System.nanoTime() + "\"}").getBytes(StandardCharsets.UTF_8));
        final String pulled = meterB2.requestInformation(RequestId.random(), a1.name(), rates.name(),
                in(1, ChronoUnit.HOURS)).transferId();
        meterA1.grantInformation(RequestId.random(), pulled, rates, in(1, ChronoUnit.HOURS));
        assertThat(meterB2.receiveInformation(pulled, net.psdOf(b2))).isEqualTo(rates);
        assertThat(meterB2.acceptInformation(RequestId.random(), pulled).informationTransfer().state())
                .isEqualTo(TransferState.ACCEPTED);

        final SecureItem config = new SecureItem("config", "text/plain", "mode=eco".getBytes(StandardCharsets.UTF_8));
        final String pushed = meterA1.offerInformation(RequestId.random(), b2.name(), config, in(1, ChronoUnit.HOURS))
                .transferId();
        assertThat(meterB2.receiveInformation(pushed, net.psdOf(b2))).isEqualTo(config);
        assertThat(meterB2.acknowledgeInformation(RequestId.random(), pushed).informationTransfer().state())
                .isEqualTo(TransferState.ACKNOWLEDGED);

        final SecureItem firmware = new SecureItem("certificate", "text/plain", "CA=2027".getBytes(StandardCharsets.UTF_8));
        final String downloaded = net.dataCenter().downloadInformation(RequestId.random(), b2.name(), firmware,
                in(1, ChronoUnit.HOURS), net.dataCenterSigner()).transferId();
        assertThat(meterB2.receiveInformation(downloaded, net.psdOf(b2))).isEqualTo(firmware);
        assertThat(meterB2.acknowledgeInformation(RequestId.random(), downloaded).informationTransfer().state())
                .isEqualTo(TransferState.ACKNOWLEDGED);
    }

}
