package org.postalfunds.testnetwork;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.postalfunds.testnetwork.containers.ContainerConsortium;

/**
 * The extension behind {@link PostalNetwork}. The network lives in the root context's store, so it is made once
 * per test run whatever the number of classes, and the store closes it (tears it down) when the run ends.
 */
public final class PostalNetworkExtension implements BeforeAllCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(PostalNetworkExtension.class);

    @Override
    public void beforeAll(final ExtensionContext context) {
        network(context);
    }

    @Override
    public boolean supportsParameter(final ParameterContext parameter, final ExtensionContext context) {
        return parameter.getParameter().getType() == NetworkDescription.class;
    }

    @Override
    public Object resolveParameter(final ParameterContext parameter, final ExtensionContext context) {
        return network(context).description();
    }

    private static ProvidedNetwork network(final ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(ProvidedNetwork.class,
                key -> start(NetworkScripts.forThisProject()), ProvidedNetwork.class);
    }

    /** -Dnetwork.mode=containers: the consortium in containers from the per-org bundles; otherwise (native) the scripts' processes. */
    private static ProvidedNetwork start(final NetworkScripts scripts) {
        final String mode = System.getProperty("network.mode", "native");
        return switch (mode.isBlank() ? "native" : mode) {
            case "native" -> RunningNetwork.startOrReuse(scripts);
            case "containers" -> {
                final java.nio.file.Path state = java.nio.file.Path.of(System.getProperty("postal.containers.state",
                        scripts.projectRoot().resolve(".containers/network").toString()));
                final ContainerConsortium consortium = ContainerConsortium.start(scripts.projectRoot(), state,
                        Integer.getInteger("network.orderers", 1));
                yield new ProvidedNetwork() {
                    @Override
                    public NetworkDescription description() {
                        return consortium.description();
                    }

                    @Override
                    public void close() {
                        consortium.close();
                    }
                };
            }
            default -> throw new IllegalArgumentException("network.mode is native or containers, not " + mode);
        };
    }
}
