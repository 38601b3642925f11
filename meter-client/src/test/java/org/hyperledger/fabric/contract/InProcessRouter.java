package org.hyperledger.fabric.contract;

import java.util.logging.Level;
import java.util.logging.Logger;
import org.hyperledger.fabric.contract.metadata.MetadataBuilder;
import org.hyperledger.fabric.shim.Chaincode;
import org.hyperledger.fabric.shim.ChaincodeStub;

/**
 * The shim's own ContractRouter, set up the way its main method does before serving, so the contract is
 * reached exactly as a peer reaches it: function name and string arguments. Lives in the router's package
 * for its package-private set-up steps. One per JVM: the shim keeps its metadata in static state.
 */
public final class InProcessRouter {
    private static ContractRouter router;

    private InProcessRouter() {
    }

    public static synchronized Chaincode.Response invoke(final ChaincodeStub stub) {
        if (router == null) {
            ContractRouter created = new ContractRouter(new String[] {"--id", "postal-ledger:in-process",
                    "--peerAddress", "127.0.0.1:7052"});
            created.findAllContracts();
            MetadataBuilder.initialize(created.getRoutingRegistry(), created.getTypeRegistry());
            // The router logs every call, and every refusal with its stack trace; tests assert on refusals instead.
            for (String name : new String[] {"org.hyperledger.fabric", "org.hyperledger.fabric.shim",
                    "org.hyperledger.fabric.contract", "org.postalfunds.chaincode"}) {
                Logger.getLogger(name).setLevel(Level.OFF);
            }
            router = created;
        }
        return router.invoke(stub);
    }
}
