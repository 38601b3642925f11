package org.postalfunds.client.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.hyperledger.fabric.client.identity.Identities;
import org.postalfunds.hsm.MeterSubject;
import org.postalfunds.hsm.client.PsdBridgeClient;
import org.postalfunds.hsm.enrol.EnrolledMeter;
import org.postalfunds.hsm.enrol.MeterEnrolment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code postal meter enrol}: the meter operator's half of enrolment, without a ledger profile. The key is made in
 * the PSD token and the CSR signed there (through the bridge, as an operator), the certificate comes from the owner's
 * Fabric CA with the meter's enrollment secret, and is stored beside the key in the token and written to a file for
 * the data center's {@code datacenter register --certificate}.
 */
@Command(name = "enrol", mixinStandardHelpOptions = true,
        description = {"Enrol a meter at its owner's Fabric CA: key and CSR made in the PSD token through the HSM bridge, "
                + "certificate stored beside the key and written to --certificate-out. Resumes an enrolment interrupted "
                + "after the key was made; refuses an enrolled meter."})
final class MeterEnrolCommand implements Callable<Integer> {
    @ParentCommand
    MeterCommands meterCommands;

    @Parameters(paramLabel = "METER", description = "Meter id (the CSR's CN).")
    String meterId;

    @Option(names = "--bridge", required = true, paramLabel = "FILE", description = "Operator's HSM bridge settings (JSON).")
    Path bridgeFile;

    @Option(names = "--owner-org", required = true, paramLabel = "NAME", description = "The owner organisation's name (O=) in the CSR.")
    String ownerOrg;

    @Option(names = "--owner-msp", required = true, paramLabel = "MSP", description = "The owner organisation's MSP id, e.g. MailerAMSP.")
    String ownerMsp;

    @Option(names = "--country", paramLabel = "CC", description = "Two-letter country code (C=) in the CSR.")
    String country;

    @Mixin
    FabricCaOptions fabricCa;

    @Option(names = "--enrollment-id", paramLabel = "ID", description = "The meter's identity at the Fabric CA (default: the meter id).")
    String enrollmentId;

    @Option(names = "--enrollment-secret-file", required = true, paramLabel = "FILE",
            description = "Owner-only file holding the meter's enrollment secret (from 'postal ca register-meter').")
    Path secretFile;

    @Option(names = "--certificate-out", required = true, paramLabel = "PEM", description = "Where to write the issued certificate.")
    Path certificateOut;

    @Option(names = "--key-agreement-certificate-out", paramLabel = "PEM", description = "Where to write the PSD's "
            + "key-agreement certificate (its second key, issued by the signing key), for 'datacenter register "
            + "--key-agreement-certificate'. Default: beside --certificate-out, with '-key-agreement' before '.pem'.")
    Path keyAgreementOut;

    @Override
    public Integer call() throws Exception {
        MeterSubject subject = new MeterSubject(meterId, ownerOrg, MeterSubject.CLIENT_UNIT, country);
        if (Files.exists(certificateOut)) {
            throw new BadInputException(certificateOut + " exists; give a new file for the certificate");
        }
        final Path agreementOut = keyAgreementOut != null ? keyAgreementOut : keyAgreementPathBeside(certificateOut);
        if (Files.exists(agreementOut)) {
            throw new BadInputException(agreementOut + " exists; give a new file for the key-agreement certificate");
        }
        var issuer = DataCenterCommands.fabricCaIssuer(meterId, fabricCa, enrollmentId, secretFile);
        EnrolledMeter enrolled;
        try (PsdBridgeClient bridge = Credentials.connectBridge(Profile.loadBridge(bridgeFile))) {
            enrolled = new MeterEnrolment(bridge, issuer, ownerMsp).enrol(subject);
        }
        Files.writeString(certificateOut, Identities.toPemString(enrolled.certificate()), StandardCharsets.US_ASCII);
        if (enrolled.keyAgreementCertificate() != null) {
            Files.writeString(agreementOut, Identities.toPemString(enrolled.keyAgreementCertificate()),
                    StandardCharsets.US_ASCII);
        }
        meterCommands.root.out().println("enrolled meter " + meterId + " as "
                + enrolled.certificate().getSubjectX500Principal().getName() + " (issuer "
                + enrolled.certificate().getIssuerX500Principal().getName() + "); certificate stored in the token and written to "
                + certificateOut + (enrolled.keyAgreementCertificate() == null ? ""
                        : "; its key-agreement certificate written to " + agreementOut));
        return ExitCodes.OK;
    }

    /** {@code meter-A1.pem} -> {@code meter-A1-key-agreement.pem}. */
    static Path keyAgreementPathBeside(final Path certificate) {
        final String name = certificate.getFileName().toString();
        final String stem = name.endsWith(".pem") ? name.substring(0, name.length() - 4) : name;
        return certificate.resolveSibling(stem + "-key-agreement.pem");
    }
}
