package org.postalfunds.client.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.postalfunds.api.model.Indicium;
import org.postalfunds.api.model.MeterView;
import org.postalfunds.client.AuditorClient;
import org.postalfunds.client.audit.AuditCheck;
import org.postalfunds.client.audit.AuditReport;
import org.postalfunds.client.audit.ChainReport;
import org.postalfunds.client.audit.IndiciumCheck;
import org.postalfunds.client.audit.LedgerIndex;
import org.postalfunds.client.indicium.IndiciumFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code postal auditor ...}: the postal authority's view (PostalAuthorityMSP; the data center may audit too). */
@Command(name = "auditor", mixinStandardHelpOptions = true,
        description = "Balances, histories, the conservation audit and indicium verification (PostalAuthorityMSP identity).")
final class AuditorCommands implements Callable<Integer> {
    @ParentCommand
    PostalCli root;

    @Spec
    CommandSpec spec;

    @Command(name = "balances", mixinStandardHelpOptions = true,
            description = "Every meter's registers, learnt by replaying the ledger's events.")
    int balances() throws Exception {
        try (Session session = root.open()) {
            Output output = root.output(session);
            List<MeterView> meters = AuditorClient.of(session.ledger()).balances(progress(output));
            List<List<String>> rows = new ArrayList<>();
            long available = 0;
            for (MeterView view : meters) {
                rows.add(Formats.meterRow(output, view));
                available = Math.addExact(available, view.registers().descendingRegisterMinorUnits());
            }
            output.table(Formats.meterHeaders(), rows);
            output.line(meters.size() + " meters, " + output.amount(available) + " available in all");
            output.jsonValue(meters);
        }
        return ExitCodes.OK;
    }

    @Command(name = "history", mixinStandardHelpOptions = true,
            description = "The newest versions of an account: METER:<m>, ISSUED_FUNDS:<m>, POSTAGE_REVENUE:<m>, ALLOTMENT:<d>:<r>, ESCROW:<t>.")
    int history(@Parameters(paramLabel = "ACCOUNT") final String account,
            @Option(names = "--limit", defaultValue = "100", description = "1-100 (default ${DEFAULT-VALUE}).") final int limit)
            throws Exception {
        try (Session session = root.open()) {
            MeterCommands.printHistory(root.output(session), AuditorClient.of(session.ledger()).history(account, limit));
        }
        return ExitCodes.OK;
    }

    @Command(name = "audit", mixinStandardHelpOptions = true,
            description = {"The conservation audit: all accounts sum to zero, every meter's and allotment's control sum "
                    + "holds, registers add up to the totals, every escrow matches an open transfer, none is past its deadline.",
                    "Exit code 6 when a check fails."})
    int audit() throws Exception {
        try (Session session = root.open()) {
            Output output = root.output(session);
            AuditReport report = AuditorClient.of(session.ledger()).audit(progress(output));
            List<List<String>> rows = new ArrayList<>();
            for (AuditCheck check : report.checks()) {
                rows.add(List.of(check.passed() ? "ok" : "FAILED", check.name(), check.summary()));
            }
            output.line("audit as of " + Output.time(report.totals().asOfEpochSeconds()) + ": " + report.metersChecked()
                    + " meters, " + report.allotmentsChecked() + " allotments, " + report.transfersChecked()
                    + " escrowed transfers, from " + report.eventsReplayed() + " events");
            output.table(List.of("RESULT", "CHECK", "DETAIL"), rows);
            for (AuditCheck check : report.checks()) {
                for (String finding : check.findings()) {
                    output.line("  - " + finding);
                }
            }
            List<List<String>> totals = new ArrayList<>();
            report.totals().totalsMinorUnits().forEach((accountClass, total) -> totals.add(List.of(accountClass, output.amount(total))));
            output.table(List.of("ACCOUNT CLASS", "TOTAL"), totals);
            output.jsonValue(report);
            if (!report.passed()) {
                throw new CheckFailedException("the audit found discrepancies (listed above)");
            }
            output.line("the books balance");
        }
        return ExitCodes.OK;
    }

    @Command(name = "verify-chain", mixinStandardHelpOptions = true,
            description = {"Verify the chain itself from the blocks your peer serves: header hash chain, data hashes, "
                    + "transaction ids, creator signatures, endorsement signatures, and that every valid transaction of "
                    + "the contract was endorsed by the required organisations. Exit code 6 when a check fails."})
    int verifyChain(@Option(names = "--require-endorser", paramLabel = "MSP", defaultValue = "DataCenterMSP",
            description = "An organisation that must endorse every transaction; repeatable (default ${DEFAULT-VALUE}).")
            final java.util.List<String> requiredEndorsers) throws Exception {
        try (Session session = root.open()) {
            Output output = root.output(session);
            ChainReport report = AuditorClient.of(session.ledger()).verifyChain(session.profile().chaincode(),
                    java.util.Set.copyOf(requiredEndorsers), count -> output.progress("verified " + count + " blocks"));
            output.line("chain of " + report.blocks() + " blocks, " + report.transactions() + " transactions, "
                    + report.endorsements() + " endorsements");
            List<List<String>> rows = new ArrayList<>();
            for (AuditCheck check : report.checks()) {
                rows.add(List.of(check.passed() ? "ok" : "FAILED", check.name(), check.summary()));
            }
            output.table(List.of("RESULT", "CHECK", "DETAIL"), rows);
            for (AuditCheck check : report.checks()) {
                for (String finding : check.findings()) {
                    output.line("  - " + finding);
                }
            }
            output.jsonValue(report);
            if (!report.passed()) {
                throw new CheckFailedException("the chain does not verify (findings above)");
            }
            output.line("the chain verifies");
        }
        return ExitCodes.OK;
    }

    @Command(name = "verify-indicium", mixinStandardHelpOptions = true,
            description = {"Check an indicium (its JSON or the Data Matrix PNG) against the meter's registered key and the "
                    + "ledger's record, without recording a sighting. Exit code 6 unless it is genuine."})
    int verifyIndicium(@Parameters(paramLabel = "FILE") final Path file) throws Exception {
        try (Session session = root.open()) {
            Output output = root.output(session);
            IndiciumCheck check = AuditorClient.of(session.ledger()).verifyIndicium(read(file));
            return report(output, file, check);
        }
    }

    @Command(name = "scan", mixinStandardHelpOptions = true,
            description = {"Record a sighting of an indicium seen on mail (postal authority only) and verify it: the second "
                    + "sighting of the same indicium is a DUPLICATE. Exit code 6 unless it is a genuine first sighting."})
    int scan(@Parameters(paramLabel = "FILE") final Path file) throws Exception {
        try (Session session = root.open()) {
            Output output = root.output(session);
            IndiciumCheck check = AuditorClient.of(session.ledger()).scanIndicium(root.requestId(), read(file));
            return report(output, file, check);
        }
    }

    @Command(name = "approve-refund", mixinStandardHelpOptions = true,
            description = {"Approve a requested refund (postal authority only): the postage goes back from postage revenue "
                    + "to the meter; from then on every verifier reports the indicium as REFUNDED."})
    int approveRefund(@Parameters(paramLabel = "METER") final String meterId,
            @Parameters(paramLabel = "PIECE") final long piece) throws Exception {
        try (Session session = root.open()) {
            Formats.refundChange(root.output(session),
                    AuditorClient.of(session.ledger()).approveRefund(root.requestId(), meterId, piece));
        }
        return ExitCodes.OK;
    }

    @Command(name = "reject-refund", mixinStandardHelpOptions = true,
            description = "Reject a requested refund (postal authority only), with a reason the meter's owner reads.")
    int rejectRefund(@Parameters(paramLabel = "METER") final String meterId,
            @Parameters(paramLabel = "PIECE") final long piece,
            @Option(names = "--reason", required = true) final String reason) throws Exception {
        try (Session session = root.open()) {
            Formats.refundChange(root.output(session),
                    AuditorClient.of(session.ledger()).rejectRefund(root.requestId(), meterId, piece, reason));
        }
        return ExitCodes.OK;
    }

    @Command(name = "refunds", mixinStandardHelpOptions = true, description = "List a meter's refunds (default: all states).")
    int refunds(@Parameters(paramLabel = "METER") final String meterId,
            @Option(names = "--state", description = "REQUESTED, APPROVED, REJECTED or ALL (default).") final String state,
            @Option(names = "--max", defaultValue = "1000", description = "At most this many (default ${DEFAULT-VALUE}).") final int max)
            throws Exception {
        org.postalfunds.api.model.RefundState wanted = Formats.refundState(state);
        if (max < 1) {
            throw new BadInputException("--max must be at least 1");
        }
        try (Session session = root.open()) {
            Output output = root.output(session);
            List<org.postalfunds.api.model.Refund> all = AuditorClient.of(session.ledger()).allRefunds(meterId, wanted, max);
            List<List<String>> rows = new ArrayList<>();
            all.forEach(refund -> rows.add(Formats.refundRow(output, refund)));
            output.table(Formats.refundHeaders(), rows);
            output.jsonValue(all);
        }
        return ExitCodes.OK;
    }

    private static Indicium read(final Path file) throws BadInputException {
        try {
            return IndiciumFiles.read(file);
        } catch (java.io.IOException | IllegalArgumentException e) {
            throw new BadInputException("cannot read an indicium from " + file + ": " + e.getMessage(), e);
        }
    }

    private static int report(final Output output, final Path file, final IndiciumCheck check) throws CheckFailedException {
        Indicium indicium = check.presented();
        String signature = check.signatureValid().map(valid -> valid ? "verifies" : "does NOT verify")
                .orElse("cannot be checked (unknown meter)");
        output.line(file + ": piece " + indicium.pieceNumber() + " of meter " + indicium.meterId() + ", "
                + output.amount(indicium.amountMinorUnits()) + " on " + indicium.mailingDate());
        output.line("  PSD signature " + signature + " under the meter's registered key");
        output.line("  ledger verdict: " + check.verdict() + seen(check));
        check.scanReceipt().ifPresent(receipt -> Formats.receipt(output, receipt));
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("file", file.toString());
        json.put("accepted", check.accepted());
        json.put("verdict", check.verdict().name());
        json.put("alreadySeen", check.sightingsBefore() > 0);
        json.put("sightingsBefore", check.sightingsBefore());
        json.put("signatureValid", check.signatureValid().orElse(null));
        json.put("ledger", check.ledger());
        check.scanReceipt().ifPresent(receipt -> json.put("scanTxId", receipt.txId()));
        output.jsonValue(json);
        if (check.signatureDisagreesWithLedger()) {
            throw new CheckFailedException("this client's signature check contradicts the ledger's verdict " + check.verdict()
                    + ": investigate the meter's registered key");
        }
        if (!check.accepted()) {
            throw new CheckFailedException("indicium " + indicium.meterId() + "/" + indicium.pieceNumber() + " is "
                    + check.verdict() + ": " + explanation(check));
        }
        output.line("  accepted");
        return ExitCodes.OK;
    }

    /** Says plainly whether the indicium was seen before, and that a verification records nothing. */
    private static String seen(final IndiciumCheck check) {
        if (check.ledger().scanCount() == null) {
            return "";
        }
        long before = check.sightingsBefore();
        if (before > 0) {
            return " — ALREADY SEEN: the ledger recorded " + before + " earlier sighting(s)";
        }
        return check.scanReceipt().isPresent() ? " — first sighting, now recorded"
                : " — not seen before (a verification records nothing; `auditor scan` records the sighting)";
    }

    private static String explanation(final IndiciumCheck check) {
        return switch (check.verdict()) {
            case DUPLICATE -> "it was seen " + check.sightingsBefore() + " time(s) before, so this is a copy on"
                    + " a second mail piece";
            case FORGED -> "its signature was not made by the meter's PSD key (altered or forged)";
            case NOT_ON_LEDGER -> "no such piece was paid for on the ledger";
            case CONFLICTING -> "the ledger recorded different fields for this piece (altered)";
            case UNKNOWN_METER -> "the ledger knows no such meter";
            case REFUNDED -> "its postage was refunded (the meter reported the piece spoiled), so it must not travel:"
                    + " evidence of fraud";
            case GENUINE -> "the ledger says genuine but this client could not verify the signature";
        };
    }

    private static LedgerIndex.Progress progress(final Output output) {
        return count -> output.progress("replayed " + count + " events");
    }

    /** Without a subcommand there is nothing to do: show what there is. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodes.USAGE;
    }

}
