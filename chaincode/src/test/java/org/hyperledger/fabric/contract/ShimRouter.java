package org.hyperledger.fabric.contract;

import java.util.logging.Level;
import java.util.logging.Logger;
import org.hyperledger.fabric.contract.metadata.MetadataBuilder;
import org.hyperledger.fabric.shim.Chaincode;
import org.hyperledger.fabric.shim.ChaincodeStub;

/**
 * The shim's own ContractRouter, set up as its main method does before serving, so a test reaches the contracts
 * exactly as a peer does: a function name and string arguments, converted and answered by the shim. Lives in the
 * router's package for its package-private set-up steps; one per JVM (the shim keeps its metadata in static state).
 */
public final class ShimRouter {
    private static ContractRouter router;

    private ShimRouter() {}

    public static synchronized Chaincode.Response invoke(final ChaincodeStub stub) {
        if (router == null) {
            final ContractRouter created = new ContractRouter(new String[] {"--id", "postal-ledger:test",
                    "--peerAddress", "127.0.0.1:7052"});
            created.findAllContracts();
            MetadataBuilder.initialize(created.getRoutingRegistry(), created.getTypeRegistry());
            // The router logs every call and every refusal with its stack trace; tests assert on refusals instead.
            for (final String name : new String[] {"org.hyperledger.fabric", "org.hyperledger.fabric.shim",
                    "org.hyperledger.fabric.contract", "org.postalfunds.chaincode"}) {
                Logger.getLogger(name).setLevel(Level.OFF);
            }
            router = created;
        }
        return router.invoke(stub);
    }
}
