package org.postalfunds.client.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HexFormat;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.postalfunds.api.model.MeterStatus;
import org.postalfunds.api.model.ReplacementState;
import org.postalfunds.api.model.TransferState;
import org.postalfunds.client.DataCenterClient;
import org.postalfunds.client.RequestId;
import org.postalfunds.client.audit.AuditReport;
import org.postalfunds.client.audit.ChainReport;
import org.postalfunds.client.cli.ExitCodes;
import org.postalfunds.client.ledger.FailureKind;
import org.postalfunds.client.ledger.LedgerException;
import org.postalfunds.hsm.client.BridgeException;
import org.postalfunds.hsm.client.PsdBridgeClient;
import org.postalfunds.testnetwork.NetworkDescription;
import org.postalfunds.testnetwork.PostalNetwork;

/**
 * A failed PSD replaced mid-transfer on the real network (issue 19), through the {@code postal} command line with the
 * meters' keys in a real SoftHSM2 token behind the bridge: MailerA's meter has an escrow out (its offer to MailerB's
 * meter) and one in (MailerB's offer to it) when the data center reports its PSD failed. Its identity is then refused
 * by the contract, and once revoked in the token, by the bridge; a replacement endorsed by the data center alone is
 * invalidated; endorsed by the data center and the postal authority it moves the balance and both escrows to the
 * newly enrolled replacement, and both transfers complete against it. The audit and the chain verify after each step.
 */
@PostalNetwork
@Tag("softhsm")
class PsdReplacementOnRealPeersTest {
    private static RealCli cli;

    @BeforeAll
    static void start(final NetworkDescription network) throws Exception {
        cli = new RealCli(network, "psd-replacement");
    }

    @AfterAll
    static void close() throws Exception {
        if (cli != null) {
            cli.close();
        }
    }

    @Test
    void a_meter_with_open_escrows_is_replaced_mid_transfer_and_its_key_refused_by_contract_and_bridge()
            throws Exception {
        final RealCli.Meter failed = cli.meter("MailerA", "psd-old", "100.00");
        final RealCli.Meter peer = cli.meter("MailerB", "psd-peer", "100.00");
        final RealCli.Meter replacement = cli.meter("MailerA", "psd-new", null);
        final String outgoing = cli.as(failed, "--json", "offer", peer.id(), "20.00").ok().json()
                .at("/transfer/transferId").asText();
        final String incoming = cli.as(peer, "--json", "offer", failed.id(), "10.00").ok().json()
                .at("/transfer/transferId").asText();
        green();

        // 1. The data center reports the PSD failed: FAILED, key revoked on the ledger.
        final JsonNode reported = cli.dataCenter("--json", "report-failure", failed.id(), "--reason", "PSD tamper alarm")
                .ok().json();
        assertThat(reported.at("/meter/status").asText()).isEqualTo("FAILED");
        // The token still holds the key, so the meter's call is signed and reaches the peers: the contract refuses it.
        final RealCli.Run byContract = cli.as(failed, "print-postage", "0.85", "--postal-code", "10115",
                "--country", "DE", "--out", cli.file("printed").toString());
        assertThat(byContract.exitCode()).as(byContract.toString()).isEqualTo(ExitCodes.REFUSED);
        assertThat(byContract.err()).contains("METER_KEY_REVOKED");
        green();

        // 2. Revoked in the token too: the bridge refuses to sign for it at all.
        cli.dataCenter("revoke-key", failed.id(), "--reason", "PSD tamper alarm", "--bridge",
                cli.operatorBridge().toString()).ok();
        final RealCli.Run byBridge = cli.as(failed, "balance");
        assertThat(byBridge.exitCode()).as(byBridge.toString()).isEqualTo(ExitCodes.REFUSED);
        assertThat(byBridge.err()).contains("METER_KEY_REVOKED");
        try (PsdBridgeClient bridge = cli.bridge.meter(failed.id())) {
            final BridgeException refused = catchThrowableOfType(BridgeException.class,
                    () -> bridge.signDigest(failed.id(), HexFormat.of().parseHex("00".repeat(32))));
            assertThat(refused.keyRevoked()).as(refused.getMessage()).isTrue();
        }

        // 3. A replacement endorsed by the data center (and the owner) without the postal authority: invalidated.
        final DataCenterClient dataCenterAlone = DataCenterClient.of(RealPeers.endorsedBy(
                cli.adminConnection("DataCenter"), "DataCenterMSP", "MailerAMSP", "MailerBMSP"));
        final LedgerException invalidated = catchThrowableOfType(LedgerException.class,
                () -> dataCenterAlone.replacePsdStep(RequestId.random(), failed.id(), replacement.id()));
        assertThat(invalidated).as("a replacement without the postal authority's endorsement").isNotNull();
        assertThat(invalidated.kind()).isEqualTo(FailureKind.INVALIDATED);
        assertThat(invalidated.getMessage()).contains("ENDORSEMENT_POLICY_FAILURE");
        assertThat(cli.auditor().replacement(failed.id()).record()).isEmpty();
        assertThat(cli.auditor().meter(failed.id()).registers().descendingRegisterMinorUnits()).isEqualTo(8_000);

        // 4. The replacement, endorsed by both (the gateway collects every key-level policy's organisations).
        final JsonNode replaced = cli.dataCenter("--json", "replace", failed.id(), replacement.id()).ok().json();
        assertThat(replaced.at("/replacement/state").asText()).isEqualTo(ReplacementState.COMPLETE.name());
        assertThat(replaced.at("/replacement/transfersMoved").asLong()).isEqualTo(2);
        assertThat(replaced.at("/replacement/fundsMovedMinorUnits").asLong()).isEqualTo(8_000);
        assertThat(cli.auditor().meter(failed.id()).meter().status()).isEqualTo(MeterStatus.REPLACED);
        assertThat(cli.auditor().meter(failed.id()).meter().replacedByMeterId()).isEqualTo(replacement.id());
        assertThat(cli.auditor().meter(replacement.id()).meter().replacesMeterId()).isEqualTo(failed.id());
        final JsonNode shown = cli.dataCenter("--json", "replacement", failed.id()).ok().json();
        assertThat(shown.at("/replacement/replacementMeterId").asText()).isEqualTo(replacement.id());
        green();

        // 5. Both transfers complete against the replacement, from either side.
        cli.as(peer, "acknowledge", outgoing).ok();
        cli.as(replacement, "acknowledge", incoming).ok();
        assertThat(cli.auditor().transfer(outgoing).transfer().donorMeterId()).isEqualTo(replacement.id());
        assertThat(cli.auditor().transfer(incoming).transfer().state()).isEqualTo(TransferState.ACKNOWLEDGED);
        assertThat(cli.auditor().meter(replacement.id()).registers().descendingRegisterMinorUnits()).isEqualTo(9_000);
        assertThat(cli.auditor().meter(peer.id()).registers().descendingRegisterMinorUnits()).isEqualTo(11_000);
        assertThat(cli.auditor().meter(failed.id()).registers().descendingRegisterMinorUnits()).isZero();
        green();
    }

    /** Conservation and chain verification, through the postal authority's peer. */
    private static void green() throws Exception {
        final AuditReport audit = cli.auditor().audit(progress -> { });
        assertThat(audit.passed()).as("conservation audit: %s", audit.checks()).isTrue();
        final ChainReport chain = cli.auditor().verifyChain(cli.network.chaincodeName(), Set.of("DataCenterMSP"),
                progress -> { });
        assertThat(chain.passed()).as("chain verification: %s", chain.checks()).isTrue();
    }
}
