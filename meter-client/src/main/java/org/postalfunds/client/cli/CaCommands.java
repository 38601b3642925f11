package org.postalfunds.client.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.postalfunds.hsm.MeterIds;
import org.postalfunds.hsm.enrol.FabricCaClient;
import org.postalfunds.hsm.enrol.FabricCaException;
import org.postalfunds.hsm.enrol.FabricCaRegistrar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code postal ca ...}: the meter owner organisation's Fabric CA, as its CA admin (no ledger profile needed). */
@Command(name = "ca", mixinStandardHelpOptions = true,
        description = "The owner organisation's Fabric CA: register meters (as the CA's admin, a registrar).")
final class CaCommands implements Callable<Integer> {
    /** Fabric CA's identity type for clients: with NodeOUs it becomes OU=client, what a meter's certificate needs. */
    static final String METER_IDENTITY_TYPE = "client";

    @ParentCommand
    PostalCli root;

    @Spec
    CommandSpec spec;

    @Command(name = "register-meter", mixinStandardHelpOptions = true,
            description = {"Register a meter at the Fabric CA as an identity of type client (enrollment id = meter id), "
                    + "with a generated secret written to an owner-only file. Hand that file to the meter's operator for "
                    + "'postal meter enrol' (or to the data center for 'datacenter register --enrol')."})
    int registerMeter(
            @Parameters(paramLabel = "METER", description = "Meter id; becomes the enrollment id and the certificate's CN.") final String meterId,
            @Mixin final FabricCaOptions ca,
            @Option(names = "--registrar-certificate", required = true, paramLabel = "PEM",
                    description = "The CA admin's certificate (e.g. msp/signcerts/cert.pem from fabric-ca-client enroll).") final Path registrarCertificate,
            @Option(names = "--registrar-key", required = true, paramLabel = "PEM",
                    description = "The CA admin's private key (unencrypted PEM, e.g. msp/keystore/*_sk).") final Path registrarKey,
            @Option(names = "--secret-out", required = true, paramLabel = "FILE",
                    description = "New file for the generated enrollment secret (created owner-only; an existing file is refused).") final Path secretOut)
            throws Exception {
        MeterIds.requireValid(meterId);
        FabricCaClient client = ca.client();
        FabricCaRegistrar registrar;
        try {
            registrar = FabricCaRegistrar.fromPemFiles(registrarCertificate, registrarKey);
        } catch (java.io.IOException | java.security.GeneralSecurityException e) {
            throw new BadInputException("cannot use the registrar " + registrarCertificate + " / " + registrarKey + ": "
                    + e.getMessage(), e);
        }
        String secret = FabricCaOptions.newSecret();
        // The file first: a secret the CA holds but nobody kept would leave the name registered and unusable.
        FabricCaOptions.writeSecret(secretOut, secret);
        try {
            client.register(registrar, meterId, secret, METER_IDENTITY_TYPE);
        } catch (FabricCaException | RuntimeException e) {
            Files.deleteIfExists(secretOut);
            throw e;
        }
        root.out().println("registered meter " + meterId + " at " + client.url() + " as a " + METER_IDENTITY_TYPE
                + " identity; its enrollment secret is in " + secretOut);
        return ExitCodes.OK;
    }

    /** Without a subcommand there is nothing to do: show what there is. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodes.USAGE;
    }
}
