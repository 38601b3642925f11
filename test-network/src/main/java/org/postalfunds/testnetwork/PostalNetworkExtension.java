package org.postalfunds.testnetwork;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

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

    private static RunningNetwork network(final ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(RunningNetwork.class,
                key -> RunningNetwork.startOrReuse(NetworkScripts.forThisProject()), RunningNetwork.class);
    }
}
