package org.postalfunds.testnetwork;

/** The network a test run gets from {@link PostalNetworkExtension}: native processes or containers; closed at the end of the run. */
interface ProvidedNetwork extends AutoCloseable {
    NetworkDescription description();

    @Override
    void close();
}
