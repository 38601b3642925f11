package org.hyperledger.fabric.contract;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.hyperledger.fabric.contract.metadata.MetadataBuilder;
import org.hyperledger.fabric.shim.Chaincode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postalfunds.chaincode.LedgerFixture;
import org.postalfunds.chaincode.fake.FakeStub;

/**
 * The contract as the peer reaches it: through the shim's ContractRouter, with string arguments. Lives in the
 * router's package to call the same set-up steps its main method runs before serving.
 */
class ContractRoutingTest {
    private static ContractRouter router;
    private final LedgerFixture fx = new LedgerFixture();

    @BeforeAll
    static void routeLikeTheChaincodeServer() {
        router = new ContractRouter(new String[] {"--id", "postal-ledger:test", "--peerAddress", "127.0.0.1:7052"});
        router.findAllContracts();
        MetadataBuilder.initialize(router.getRoutingRegistry(), router.getTypeRegistry());
    }

    private Chaincode.Response invoke(final org.postalfunds.chaincode.fake.TestIdentity caller, final String... args) {
        final FakeStub stub = fx.ledger.newTransaction(String.format("%064x", System.nanoTime()), fx.now(),
                caller.creator());
        final List<byte[]> bytes = new ArrayList<>();
        for (final String arg : args) {
            bytes.add(arg.getBytes(UTF_8));
        }
        stub.setArgs(bytes);
        final Chaincode.Response response = router.invoke(stub);
        if (response.getStatus() == Chaincode.Response.Status.SUCCESS) {
            fx.ledger.commit(stub, LedgerFixture.ALL_ORGS);
        }
        return response;
    }

    @Test
    void every_transaction_is_in_the_contract_metadata_with_its_intent() {
        final String metadata = MetadataBuilder.getMetadata();
        for (final String function : List.of("registerMeter", "refillMeter", "printPostage", "requestTransfer",
                "grantTransfer", "acceptTransfer", "offerTransfer", "expireTransfer", "auditTotals", "listTransfers")) {
            assertThat(metadata).contains("\"name\":\"" + function + "\"");
        }
        assertThat(metadata).contains("PostalLedgerContract");
    }

    @Test
    void a_refill_routed_with_string_arguments_moves_funds_and_a_bad_one_returns_the_error_code() {
        fx.registerMeter("m1", "MailerAMSP");
        final Chaincode.Response refill = invoke(fx.dataCenter, "refillMeter", "r1", "m1", "250");
        assertThat(refill.getStatus()).isEqualTo(Chaincode.Response.Status.SUCCESS);
        assertThat(refill.getStringPayload()).contains("\"event\":\"Refilled\"");
        assertThat(fx.available("m1")).isEqualTo(250);

        final Chaincode.Response refused = invoke(fx.mailerA, "refillMeter", "r2", "m1", "250");
        assertThat(refused.getStatus()).isEqualTo(Chaincode.Response.Status.INTERNAL_SERVER_ERROR);
        assertThat(refused.getMessage()).startsWith("NOT_AUTHORISED: ");
        assertThat(refused.getStringPayload()).isEqualTo("NOT_AUTHORISED");
    }

    @Test
    void a_query_routed_by_its_qualified_name_answers() {
        fx.registerMeter("m1", "MailerAMSP");
        final Chaincode.Response meter = invoke(fx.mailerA, "PostalLedgerContract:getMeter", "m1");
        assertThat(meter.getStatus()).isEqualTo(Chaincode.Response.Status.SUCCESS);
        assertThat(meter.getStringPayload()).contains("\"meterId\":\"m1\"");
    }
}
