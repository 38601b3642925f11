package org.postalfunds.client.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.Callable;
import org.hyperledger.fabric.client.identity.Identities;
import org.postalfunds.api.model.InspectionPeriods;
import org.postalfunds.api.model.MeterKind;
import org.postalfunds.api.model.MeterLimits;
import org.postalfunds.api.model.MeterRegistration;
import org.postalfunds.api.model.MeterView;
import org.postalfunds.client.DataCenterClient;
import org.postalfunds.client.Money;
import org.postalfunds.client.RequestId;
import org.postalfunds.client.model.InspectionPeriodsChange;
import org.postalfunds.client.model.MeterChange;
import org.postalfunds.hsm.MeterSubject;
import org.postalfunds.hsm.client.PsdBridgeClient;
import org.postalfunds.hsm.enrol.EnrolmentException;
import org.postalfunds.hsm.enrol.FabricCaIssuer;
import org.postalfunds.hsm.enrol.MeterEnrolment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code postal datacenter ...}: the meter vendor's data center (a DataCenterMSP profile). */
@Command(name = "datacenter", mixinStandardHelpOptions = true,
        description = "Register, refill, inspect, suspend, resume and withdraw meters; report a failed PSD and replace it (DataCenterMSP identity).")
final class DataCenterCommands implements Callable<Integer> {
    /** A PKCS#10 request is a few hundred bytes. */
    private static final int MAX_CSR_BYTES = 16 * 1024;

    @ParentCommand
    PostalCli root;

    @Spec
    CommandSpec spec;

    @Command(name = "register", mixinStandardHelpOptions = true,
            description = {"Register a meter with the certificate of its PSD key. The certificate comes from a file "
                    + "(--certificate), is enrolled here at the owner's Fabric CA from the meter's CSR (--csr), or the whole "
                    + "enrolment runs through the HSM bridge (--enrol with --bridge: key and CSR made in the token). "
                    + "--csr and --enrol need the Fabric CA options and the meter's enrollment secret (a file, "
                    + "from 'postal ca register-meter')."})
    int register(
            @Parameters(paramLabel = "METER", description = "Meter id.") final String meterId,
            @Option(names = "--owner-msp", required = true, description = "The owner organisation's MSP id, e.g. MailerAMSP.") final String ownerMsp,
            @Option(names = "--kind", defaultValue = "POSTAL_METER", description = "POSTAL_METER or HANDHELD_METERING_UNIT (default ${DEFAULT-VALUE}).") final MeterKind kind,
            @Option(names = "--model", defaultValue = "PM-2000", description = "Meter model (default ${DEFAULT-VALUE}).") final String model,
            @Option(names = "--max-balance", required = true, paramLabel = "AMOUNT", description = "Most the meter may hold, in currency units.") final String maxBalance,
            @Option(names = "--max-postage-per-piece", required = true, paramLabel = "AMOUNT") final String maxPerPiece,
            @Option(names = "--max-transfer", required = true, paramLabel = "AMOUNT", description = "Most one transfer out of it may carry.") final String maxTransfer,
            @Option(names = "--certificate", paramLabel = "PEM", description = "The meter's issued certificate.") final Path certificateFile,
            @Option(names = "--key-agreement-certificate", paramLabel = "PEM", description = "With --certificate: the PSD's "
                    + "key-agreement certificate (from 'meter enrol'), which senders seal secure information to; without "
                    + "one the meter cannot receive secure information.") final Path keyAgreementFile,
            @Option(names = "--csr", paramLabel = "FILE", description = "The meter's PKCS#10 request (DER or PEM), enrolled at --fabric-ca.") final Path csrFile,
            @Option(names = "--enrol", description = "Create the key in the PSD token, enrol it at --fabric-ca and store its certificate via --bridge.") final boolean enrol,
            @Option(names = "--bridge", paramLabel = "FILE", description = "Operator's HSM bridge settings (JSON) for --enrol.") final Path bridgeFile,
            @Mixin final FabricCaOptions fabricCa,
            @Option(names = "--enrollment-id", paramLabel = "ID", description = "The meter's identity at the Fabric CA (default: the meter id, which Fabric CA requires as the CSR's CN).") final String enrollmentId,
            @Option(names = "--enrollment-secret-file", paramLabel = "FILE", description = "Owner-only file holding the meter's enrollment secret.") final Path secretFile,
            @Option(names = "--owner-org", paramLabel = "NAME", description = "The owner organisation's name (O=) in the CSR made by --enrol.") final String ownerOrg,
            @Option(names = "--certificate-out", paramLabel = "PEM", description = "Where to write the certificate enrolled from --csr.") final Path certificateOut)
            throws Exception {
        int sources = (certificateFile != null ? 1 : 0) + (csrFile != null ? 1 : 0) + (enrol ? 1 : 0);
        if (sources != 1) {
            throw new BadInputException("give exactly one of --certificate, --csr or --enrol");
        }
        if (keyAgreementFile != null && certificateFile == null) {
            throw new BadInputException("--key-agreement-certificate goes with --certificate (--enrol registers its own)");
        }
        try (Session session = root.open()) {
            Output output = root.output(session);
            Money money = output.money();
            MeterLimits limits = new MeterLimits(money.parsePositive(maxBalance), money.parsePositive(maxPerPiece),
                    money.parsePositive(maxTransfer));
            DataCenterClient dataCenter = DataCenterClient.of(session.ledger());
            RequestId requestId = root.requestId();
            MeterChange registered;
            if (enrol) {
                if (bridgeFile == null || ownerOrg == null) {
                    throw new BadInputException("--enrol needs --bridge and --owner-org");
                }
                FabricCaIssuer issuer = fabricCaIssuer(meterId, fabricCa, enrollmentId, secretFile);
                try (PsdBridgeClient bridge = Credentials.connectBridge(Profile.loadBridge(bridgeFile))) {
                    MeterEnrolment enrolment = new MeterEnrolment(bridge, issuer, ownerMsp);
                    registered = dataCenter.enrolAndRegister(requestId, enrolment, MeterSubject.client(meterId, ownerOrg),
                            ownerMsp, kind, model, limits).registration();
                }
            } else {
                X509Certificate certificate = certificateFile != null ? Credentials.readCertificate(certificateFile)
                        : issueFromCsr(meterId, csrFile, fabricCaIssuer(meterId, fabricCa, enrollmentId, secretFile), certificateOut);
                registered = dataCenter.register(requestId, MeterRegistration.builder().meterId(meterId).ownerMsp(ownerMsp)
                        .certificate(certificate).kind(kind).model(model).limits(limits)
                        .keyAgreementCertificate(keyAgreementFile == null ? null : Credentials.readCertificate(keyAgreementFile))
                        .build());
            }
            output.line("registered meter " + registered.meter().meterId() + " of " + registered.meter().ownerMsp() + " ("
                    + registered.meter().kind() + ", " + registered.meter().model() + "), " + registered.meter().status());
            Formats.receipt(output, registered.receipt());
            output.jsonText(registered.receipt().json());
        }
        return ExitCodes.OK;
    }

    @Command(name = "download", mixinStandardHelpOptions = true,
            description = "Download secure information to a meter (the I/O module): seal FILE to its PSD, sign it with this identity, offer it.")
    int download(@Parameters(paramLabel = "METER") final String meterId, @Parameters(paramLabel = "ITEM") final String item,
            @Option(names = "--file", required = true, description = "The item's content (at most 256 KiB).") final java.nio.file.Path file,
            @Option(names = "--content-type", defaultValue = "application/octet-stream", description = "Media type (default ${DEFAULT-VALUE}).") final String contentType,
            @Option(names = "--deadline-hours", defaultValue = "72", description = "How long the meter has to acknowledge (default ${DEFAULT-VALUE}).") final long hours)
            throws Exception {
        if (hours < 1 || hours > 30L * 24) {
            throw new BadInputException("the deadline must be 1.." + (30L * 24) + " hours ahead, was " + hours);
        }
        try (Session session = root.open()) {
            Formats.informationChange(root.output(session), DataCenterClient.of(session.ledger()).downloadInformation(
                    root.requestId(), meterId, MeterCommands.secureItem(MeterCommands.itemName(item), contentType, file),
                    session.clock().instant().plus(java.time.Duration.ofHours(hours)), session.signer()));
        }
        return ExitCodes.OK;
    }

    @Command(name = "refill", mixinStandardHelpOptions = true, description = "Refill a meter from issued funds.")
    int refill(@Parameters(paramLabel = "METER") final String meterId,
            @Parameters(paramLabel = "AMOUNT", description = "In currency units, e.g. 250.00.") final String amount)
            throws Exception {
        try (Session session = root.open()) {
            Output output = root.output(session);
            long minorUnits = output.money().parsePositive(amount);
            MeterChange refilled = DataCenterClient.of(session.ledger()).refill(root.requestId(), meterId, minorUnits);
            output.line("refilled meter " + meterId + " with " + output.amount(minorUnits) + ": available "
                    + output.amount(refilled.registersAfter().orElseThrow().descendingRegisterMinorUnits()));
            Formats.receipt(output, refilled.receipt());
            output.jsonText(refilled.receipt().json());
        }
        return ExitCodes.OK;
    }

    @Command(name = "inspect", mixinStandardHelpOptions = true,
            description = "Record an inspection of a meter (restarts its inspection clock).")
    int inspect(@Parameters(paramLabel = "METER") final String meterId) throws Exception {
        try (Session session = root.open()) {
            Output output = root.output(session);
            MeterChange inspected = DataCenterClient.of(session.ledger()).recordInspection(root.requestId(), meterId);
            output.line("inspection of meter " + meterId + " recorded; next due "
                    + Output.time(inspected.inspection().dueAtEpochSeconds()));
            Formats.receipt(output, inspected.receipt());
            output.jsonText(inspected.receipt().json());
        }
        return ExitCodes.OK;
    }

    @Command(name = "suspend", mixinStandardHelpOptions = true, description = "Suspend an active meter.")
    int suspend(@Parameters(paramLabel = "METER") final String meterId,
            @Option(names = "--reason", required = true, description = "Why (printable, at most 200 characters).") final String reason)
            throws Exception {
        try (Session session = root.open()) {
            Output output = root.output(session);
            statusChanged(output, DataCenterClient.of(session.ledger()).suspend(root.requestId(), meterId, reason));
        }
        return ExitCodes.OK;
    }

    @Command(name = "resume", mixinStandardHelpOptions = true, description = "Resume a suspended meter.")
    int resume(@Parameters(paramLabel = "METER") final String meterId) throws Exception {
        try (Session session = root.open()) {
            statusChanged(root.output(session), DataCenterClient.of(session.ledger()).resume(root.requestId(), meterId));
        }
        return ExitCodes.OK;
    }

    @Command(name = "withdraw", mixinStandardHelpOptions = true,
            description = "Withdraw a meter for good; its allotments and funds return to issued funds.")
    int withdraw(@Parameters(paramLabel = "METER") final String meterId) throws Exception {
        try (Session session = root.open()) {
            statusChanged(root.output(session), DataCenterClient.of(session.ledger()).withdraw(root.requestId(), meterId));
        }
        return ExitCodes.OK;
    }

    @Command(name = "report-failure", mixinStandardHelpOptions = true,
            description = {"The meter's PSD failed or was stolen: the meter becomes FAILED and its key is revoked on the "
                    + "ledger (every call signed with it is refused from then on); with --bridge also in the PSD token "
                    + "(its private keys destroyed; the bridge refuses the key for good)."})
    int reportFailure(@Parameters(paramLabel = "METER") final String meterId,
            @Option(names = "--reason", required = true, description = "Why (printable, at most 200 characters).") final String reason,
            @Option(names = "--bridge", paramLabel = "FILE", description = "Operator's HSM bridge settings (JSON): revoke the key in the token too.") final Path bridgeFile)
            throws Exception {
        try (Session session = root.open()) {
            Output output = root.output(session);
            MeterChange failed = DataCenterClient.of(session.ledger()).reportPsdFailure(root.requestId(), meterId, reason);
            output.line("meter " + meterId + ": " + failed.previousStatus() + " -> " + failed.meter().status()
                    + ", key revoked on the ledger (" + reason + ")");
            if (bridgeFile != null) {
                try (PsdBridgeClient bridge = Credentials.connectBridge(Profile.loadBridge(bridgeFile))) {
                    boolean already = bridge.revokeMeterKey(meterId, reason);
                    output.line(already ? "the bridge had revoked the key already" : "key destroyed in the PSD token");
                }
            }
            Formats.receipt(output, failed.receipt());
            output.jsonText(failed.receipt().json());
        }
        return ExitCodes.OK;
    }

    @Command(name = "revoke-key", mixinStandardHelpOptions = true,
            description = {"Revoke a failed meter's key in the PSD token only (the ledger's side is report-failure): its "
                    + "private keys are destroyed and the bridge refuses every later request for it (FAILED_PRECONDITION "
                    + "METER_KEY_REVOKED). Repeating it changes nothing."})
    int revokeKey(@Parameters(paramLabel = "METER") final String meterId,
            @Option(names = "--reason", required = true, description = "Why (recorded in the bridge's log).") final String reason,
            @Option(names = "--bridge", required = true, paramLabel = "FILE", description = "Operator's HSM bridge settings (JSON).") final Path bridgeFile)
            throws Exception {
        try (Session session = root.open(); PsdBridgeClient bridge = Credentials.connectBridge(Profile.loadBridge(bridgeFile))) {
            Output output = root.output(session);
            boolean already = bridge.revokeMeterKey(meterId, reason);
            output.line(already ? "the bridge had revoked the key of meter " + meterId + " already"
                    : "key of meter " + meterId + " destroyed in the PSD token");
            output.jsonValue(java.util.Map.of("meterId", meterId, "alreadyRevoked", already));
        }
        return ExitCodes.OK;
    }

    @Command(name = "replace", mixinStandardHelpOptions = true,
            description = {"Replace a failed meter by a newly enrolled meter of the same owner: its funds, open transfers, "
                    + "allotments and authorised requesters move to REPLACEMENT, at most "
                    + org.postalfunds.api.Limits.MAX_ITEMS_PER_REPLACEMENT_STEP + " items per transaction, step after "
                    + "step until complete. The postal authority's peer endorses every step with the data center's. "
                    + "Interrupted, run it again with the same --request-id: the steps done answer from the ledger and "
                    + "it resumes."})
    int replace(@Parameters(paramLabel = "FAILED") final String failedMeterId,
            @Parameters(paramLabel = "REPLACEMENT") final String replacementMeterId,
            @Option(names = "--max-steps", defaultValue = "100", description = "Stop after this many steps (default ${DEFAULT-VALUE}).") final int maxSteps)
            throws Exception {
        if (maxSteps < 1 || maxSteps > 10_000) {
            throw new BadInputException("--max-steps must be 1..10000, was " + maxSteps);
        }
        try (Session session = root.open()) {
            Output output = root.output(session);
            java.util.List<org.postalfunds.client.model.ReplacementStep> steps = DataCenterClient.of(session.ledger())
                    .replacePsd(root.requestId(), failedMeterId, replacementMeterId, maxSteps);
            for (org.postalfunds.client.model.ReplacementStep step : steps) {
                output.line("step " + step.replacement().steps() + ": " + step.movedTransferIds().size()
                        + " transfers moved, " + step.replacement().state() + " (tx " + step.receipt().txId() + ")");
            }
            org.postalfunds.client.model.ReplacementStep last = steps.get(steps.size() - 1);
            replacementSummary(output, last.replacement());
            Formats.receipt(output, last.receipt());
            output.jsonText(last.receipt().json());
            if (!last.complete()) {
                output.line("not complete after " + maxSteps + " steps: run again with the same --request-id to resume");
                return ExitCodes.UNAVAILABLE;
            }
        }
        return ExitCodes.OK;
    }

    @Command(name = "replacement", mixinStandardHelpOptions = true,
            description = "Show a failed meter, its link to its replacement and what the replacement moved.")
    int replacement(@Parameters(paramLabel = "FAILED") final String failedMeterId) throws Exception {
        try (Session session = root.open()) {
            Output output = root.output(session);
            org.postalfunds.client.model.ReplacementView view = DataCenterClient.of(session.ledger()).replacement(failedMeterId);
            output.line("meter " + failedMeterId + ": " + view.failedMeter().status()
                    + (view.failedMeter().keyRevoked() ? ", key revoked at "
                            + Output.time(view.failedMeter().keyRevokedAtEpochSeconds()) : ""));
            view.record().ifPresentOrElse(record -> replacementSummary(output, record),
                    () -> output.line("no replacement started"));
            output.jsonValue(view);
        }
        return ExitCodes.OK;
    }

    private static void replacementSummary(final Output output, final org.postalfunds.api.model.Replacement record) {
        output.line(record.failedMeterId() + " -> " + record.replacementMeterId() + ": " + record.state() + " after "
                + record.steps() + " steps; moved " + record.transfersMoved() + " transfers, " + record.allotmentsMoved()
                + " allotments, " + record.requestersMoved() + " authorised requesters, " + record.refundsMoved()
                + " refunds and " + output.amount(record.fundsMovedMinorUnits()));
    }

    @Command(name = "inspection-periods", mixinStandardHelpOptions = true,
            description = "Show the inspection periods, or set them with both options.")
    int inspectionPeriods(
            @Option(names = "--due-after-days", paramLabel = "DAYS") final Long dueAfterDays,
            @Option(names = "--overdue-after-days", paramLabel = "DAYS") final Long overdueAfterDays) throws Exception {
        if ((dueAfterDays == null) != (overdueAfterDays == null)) {
            throw new BadInputException("set both --due-after-days and --overdue-after-days, or neither to show them");
        }
        try (Session session = root.open()) {
            Output output = root.output(session);
            DataCenterClient dataCenter = DataCenterClient.of(session.ledger());
            if (dueAfterDays == null) {
                InspectionPeriods periods = dataCenter.inspectionPeriods();
                output.line("inspection due after " + periods.dueAfterDays() + " days, overdue after "
                        + periods.overdueAfterDays() + " days without data center contact");
                output.jsonValue(periods);
            } else {
                InspectionPeriodsChange changed = dataCenter.setInspectionPeriods(root.requestId(), dueAfterDays,
                        overdueAfterDays);
                output.line("inspection now due after " + changed.inspectionPeriods().dueAfterDays()
                        + " days, overdue after " + changed.inspectionPeriods().overdueAfterDays() + " days");
                Formats.receipt(output, changed.receipt());
                output.jsonText(changed.receipt().json());
            }
        }
        return ExitCodes.OK;
    }

    @Command(name = "consortium", mixinStandardHelpOptions = true,
            description = "Show the ledger's consortium record, or admit a new meter owner organisation with --admit-owner "
                    + "(after it joined the channel; every member's peer endorses).")
    int consortium(@Option(names = "--admit-owner", paramLabel = "MSP") final String admitOwner) throws Exception {
        if (admitOwner != null && !org.postalfunds.api.Ids.isMspId(admitOwner)) {
            throw new BadInputException("--admit-owner must be an MSP id (" + org.postalfunds.api.Ids.MSP_ID_REGEX + ")");
        }
        try (Session session = root.open()) {
            Output output = root.output(session);
            DataCenterClient dataCenter = DataCenterClient.of(session.ledger());
            if (admitOwner == null) {
                org.postalfunds.api.model.Consortium consortium = dataCenter.consortium();
                output.line("data center " + consortium.dataCenterMsp() + ", postal authority "
                        + consortium.postalAuthorityMsp() + ", meter owners " + String.join(" ", consortium.meterOwnerMsps()));
                output.jsonValue(consortium);
            } else {
                org.postalfunds.client.model.ConsortiumChange changed = dataCenter.admitMeterOwner(root.requestId(), admitOwner);
                output.line(admitOwner + " admitted: meter owners now " + String.join(" ", changed.consortium().meterOwnerMsps()));
                Formats.receipt(output, changed.receipt());
                output.jsonText(changed.receipt().json());
            }
        }
        return ExitCodes.OK;
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show a meter's registers and status.")
    int show(@Parameters(paramLabel = "METER") final String meterId) throws Exception {
        try (Session session = root.open()) {
            Output output = root.output(session);
            MeterView view = DataCenterClient.of(session.ledger()).meter(meterId);
            Formats.meterDetails(output, view);
            output.jsonValue(view);
        }
        return ExitCodes.OK;
    }

    private static void statusChanged(final Output output, final MeterChange change) {
        output.line("meter " + change.meter().meterId() + ": " + change.previousStatus() + " -> " + change.meter().status()
                + (change.meter().statusReason() == null ? "" : " (" + change.meter().statusReason() + ")"));
        Formats.receipt(output, change.receipt());
        output.jsonText(change.receipt().json());
    }

    /** The meter's enrolment at its owner's Fabric CA, with the secret read from its file. */
    static FabricCaIssuer fabricCaIssuer(final String meterId, final FabricCaOptions fabricCa, final String enrollmentId,
            final Path secretFile) throws BadInputException {
        if (!fabricCa.given() || secretFile == null) {
            throw new BadInputException("enrolment needs --fabric-ca URL, --fabric-ca-tls PEM and --enrollment-secret-file FILE");
        }
        return new FabricCaIssuer(fabricCa.client(), enrollmentId == null ? meterId : enrollmentId,
                FabricCaOptions.readSecret(secretFile));
    }

    private static X509Certificate issueFromCsr(final String meterId, final Path csrFile, final FabricCaIssuer issuer,
            final Path certificateOut) throws BadInputException, IOException, EnrolmentException {
        if (Files.size(csrFile) > MAX_CSR_BYTES) {
            throw new BadInputException(csrFile + " is larger than " + MAX_CSR_BYTES + " bytes; not a CSR");
        }
        X509Certificate issued = issuer.issue(meterId, csrDer(Files.readAllBytes(csrFile)));
        if (certificateOut != null) {
            Files.writeString(certificateOut, Identities.toPemString(issued), StandardCharsets.US_ASCII);
        }
        return issued;
    }

    /** Accepts the DER bytes or their PEM armour. */
    private static byte[] csrDer(final byte[] file) throws BadInputException {
        String text = new String(file, StandardCharsets.US_ASCII);
        if (!text.contains("-----BEGIN")) {
            return file;
        }
        List<String> body = text.lines().filter(line -> !line.startsWith("-----")).toList();
        try {
            return java.util.Base64.getMimeDecoder().decode(String.join("", body));
        } catch (IllegalArgumentException e) {
            throw new BadInputException("the CSR's PEM armour holds no base64: " + e.getMessage(), e);
        }
    }

    /** Without a subcommand there is nothing to do: show what there is. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodes.USAGE;
    }

}
