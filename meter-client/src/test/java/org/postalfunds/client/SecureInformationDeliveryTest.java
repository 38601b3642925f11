package org.postalfunds.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.postalfunds.api.ErrorCode;
import org.postalfunds.api.LedgerFunction;
import org.postalfunds.api.format.SealedPackage;
import org.postalfunds.api.model.InformationKind;
import org.postalfunds.api.model.InformationTransfer;
import org.postalfunds.api.model.MeterKind;
import org.postalfunds.api.model.MeterRegistration;
import org.postalfunds.api.model.TransferState;
import org.postalfunds.client.ledger.Ledger;
import org.postalfunds.client.ledger.LedgerCall;
import org.postalfunds.client.ledger.LedgerException;
import org.postalfunds.client.model.InformationChange;
import org.postalfunds.client.model.Json;
import org.postalfunds.api.model.MeterKind;
import org.postalfunds.api.model.MeterRegistration;
import org.postalfunds.api.model.TransferState;
import org.postalfunds.client.secure.RecipientPsd;
import org.postalfunds.client.secure.SecureItem;
import org.postalfunds.hsm.client.PsdBridgeClient;
import org.postalfunds.hsm.testing.BridgeFixture;

/**
 * Secure information end to end: the real contract in-process (private data collections, transient map, each
 * client on its own organisation's peer), the meters' PSD keys in a real SoftHSM2 token behind the real bridge over
 * mutual TLS. The sender's PSD signs the package and the proposals; the recipient's token unseals it.
 */
@Tag("softhsm")
class SecureInformationDeliveryTest {
    private static BridgeFixture bridge;
    private static PsdBridgeClient bridgeA;
    private static PsdBridgeClient bridgeB;
    private static Consortium consortium;
    private static MeterClient meterA;
    private static MeterClient meterB;
    private static Ledger ledgerB;

    @BeforeAll
    static void metersWithKeysInTheToken() throws Exception {
        bridge = BridgeFixture.start("delivery");
        consortium = new Consortium();
        // The token's certificates are valid from now on; the ledger's clock must agree.
        consortium.clock().set(Instant.now());
        final org.postalfunds.hsm.client.MeterPublicKey keysA;
        final org.postalfunds.hsm.client.MeterPublicKey keysB;
        try (PsdBridgeClient operator = bridge.operator()) {
            keysA = operator.createMeterKey("mA1");
            keysB = operator.createMeterKey("mB1");
        }
        final X509Certificate certificateA = keysA.certificate();
        final X509Certificate certificateB = keysB.certificate();
        // Each registered with its token's key-agreement certificate: what senders seal to.
        register("mA1", Consortium.MAILER_A, certificateA, keysA.keyAgreementCertificate());
        register("mB1", Consortium.MAILER_B, certificateB, keysB.keyAgreementCertificate());
        bridgeA = bridge.meter("mA1");
        bridgeB = bridge.meter("mB1");
        meterA = MeterClient.builder().meterId("mA1").psdSigner(bridgeA.signer("mA1")).clock(consortium.clock())
                .ledger(consortium.network.connect(Consortium.MAILER_A, certificateA, bridgeA.signer("mA1"))).build();
        ledgerB = consortium.network.connect(Consortium.MAILER_B, certificateB, bridgeB.signer("mB1"));
        meterB = MeterClient.builder().meterId("mB1").psdSigner(bridgeB.signer("mB1")).clock(consortium.clock())
                .ledger(ledgerB).build();
    }

    private static void register(final String meterId, final String ownerMsp, final X509Certificate certificate,
            final X509Certificate keyAgreement) throws LedgerException {
        consortium.dataCenter.register(RequestId.random(), MeterRegistration.builder().meterId(meterId)
                .ownerMsp(ownerMsp).certificate(certificate).keyAgreementCertificate(keyAgreement)
                .kind(MeterKind.POSTAL_METER).model("PM-2000").limits(Consortium.LIMITS).build());
    }

    @AfterAll
    static void stop() throws Exception {
        for (final PsdBridgeClient client : new PsdBridgeClient[] {bridgeA, bridgeB}) {
            if (client != null) {
                client.close();
            }
        }
        if (bridge != null) {
            bridge.close();
        }
    }

    private static Instant inHours(final int hours) {
        return consortium.clock().instant().plus(Duration.ofHours(hours));
    }

    /** The package as the recipient's peer gives it out, for comparing with the public record. */
    private static byte[] packageOnThePeer(final String transferId) throws LedgerException {
        final JsonNode answer = Json.treeFromLedger(ledgerB.evaluate(
                LedgerCall.query(LedgerFunction.GET_INFORMATION_PACKAGE, transferId)));
        return Base64.getDecoder().decode(answer.path("packageBase64").asText());
    }

    @Test
    void a_pull_delivers_the_requested_item_sealed_by_the_sender_and_unsealed_in_the_recipients_token()
            throws Exception {
        final SecureItem rateTable = new SecureItem("rate-table-2027", "application/json",
                "{\"LETTER-STD\":95}".getBytes(UTF_8));

        final InformationChange requested = meterB.requestInformation(RequestId.random(), "mA1", "rate-table-2027",
                inHours(24));
        final String transferId = requested.transferId();
        final InformationChange granted = meterA.grantInformation(RequestId.random(), transferId, rateTable, inHours(48));
        final byte[] onThePeer = packageOnThePeer(transferId);
        final SecureItem received = meterB.receiveInformation(transferId, RecipientPsd.throughBridge(bridgeB, "mB1"));
        final InformationChange accepted = meterB.acceptInformation(RequestId.random(), transferId);

        assertThat(received).isEqualTo(rateTable);
        assertThat(granted.informationTransfer().packageSha256()).isEqualTo(SealedPackage.sha256Hex(onThePeer));
        assertThat(granted.informationTransfer().packageSizeBytes()).isEqualTo(onThePeer.length);
        assertThat(new String(onThePeer, UTF_8)).doesNotContain("LETTER-STD");
        final InformationTransfer delivered = accepted.informationTransfer();
        assertThat(delivered.state()).isEqualTo(TransferState.ACCEPTED);
        assertThat(delivered.packageHeld()).isFalse();
        assertThat(delivered.packageSha256()).isEqualTo(SealedPackage.sha256Hex(onThePeer));
        // Delivered means purged: the package is gone from the ledger, its hash stays.
        assertThatThrownBy(() -> packageOnThePeer(transferId)).isInstanceOfSatisfying(LedgerException.class,
                refused -> assertThat(refused.errorCode()).hasValue(ErrorCode.PACKAGE_NOT_AVAILABLE));
    }

    @Test
    void a_push_delivers_an_offered_item_that_the_recipient_acknowledges() throws Exception {
        final SecureItem configuration = new SecureItem("meter-configuration", "application/octet-stream",
                new byte[] {1, 2, 3, 4, 5, 6, 7, 8});

        final InformationChange offered = meterA.offerInformation(RequestId.random(), "mB1", configuration, inHours(12));
        final SecureItem received = meterB.receiveInformation(offered.transferId(),
                RecipientPsd.throughBridge(bridgeB, "mB1"));
        final InformationChange acknowledged = meterB.acknowledgeInformation(RequestId.random(), offered.transferId());

        assertThat(offered.informationTransfer().kind()).isEqualTo(InformationKind.PUSH);
        assertThat(received).isEqualTo(configuration);
        assertThat(acknowledged.informationTransfer().state()).isEqualTo(TransferState.ACKNOWLEDGED);
        assertThat(consortium.network.fakeLedger().privateHistory("secureInfo-MailerAMSP-MailerBMSP",
                "\u0000information-package\u0000" + offered.transferId() + "\u0000")).isEmpty();
    }

    @Test
    void a_data_center_download_is_signed_by_its_identity_and_unsealed_in_the_meters_token() throws Exception {
        final SecureItem certificateBundle = new SecureItem("ca-bundle", "text/plain", "-----BEGIN...".getBytes(UTF_8));

        final InformationChange downloaded = consortium.dataCenter.downloadInformation(RequestId.random(), "mB1",
                certificateBundle, inHours(6), Consortium.signer(consortium.dataCenterIdentity));
        final SecureItem received = meterB.receiveInformation(downloaded.transferId(),
                RecipientPsd.throughBridge(bridgeB, "mB1"));
        final InformationChange acknowledged = meterB.acknowledgeInformation(RequestId.random(), downloaded.transferId());

        assertThat(downloaded.informationTransfer().kind()).isEqualTo(InformationKind.DOWNLOAD);
        assertThat(downloaded.informationTransfer().collection()).isEqualTo("secureInfo-DataCenterMSP-MailerBMSP");
        assertThat(received).isEqualTo(certificateBundle);
        assertThat(acknowledged.informationTransfer().packageHeld()).isFalse();
    }

    @Test
    void the_sender_cannot_open_what_it_sealed_for_the_recipient() throws Exception {
        final InformationChange offered = meterA.offerInformation(RequestId.random(), "mB1",
                new SecureItem("keys", "application/octet-stream", new byte[] {9}), inHours(1));

        // The sender's organisation may fetch the package (it is a collection member), but its token holds the
        // wrong key and the package is addressed to mB1.
        assertThatThrownBy(() -> meterA.receiveInformation(offered.transferId(),
                RecipientPsd.throughBridge(bridgeA, "mA1"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is for mB1");
    }
}
