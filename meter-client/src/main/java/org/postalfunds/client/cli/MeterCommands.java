package org.postalfunds.client.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.BiConsumer;
import org.hyperledger.fabric.client.FileCheckpointer;
import org.postalfunds.api.model.Allotment;
import org.postalfunds.api.model.AuthorisedRequester;
import org.postalfunds.api.model.IndiciumRecord;
import org.postalfunds.api.model.MeterView;
import org.postalfunds.api.model.RequesterPage;
import org.postalfunds.api.model.Transfer;
import org.postalfunds.api.model.TransferState;
import org.postalfunds.api.model.TransferView;
import org.postalfunds.client.MeterClient;
import org.postalfunds.client.indicium.IndiciumFiles;
import org.postalfunds.client.model.AccountHistory;
import org.postalfunds.client.model.AllotmentChange;
import org.postalfunds.client.model.HistoryEntry;
import org.postalfunds.client.model.Postage;
import org.postalfunds.client.model.PrintedPostage;
import org.postalfunds.client.model.RequesterChange;
import org.postalfunds.client.watch.GrantBook;
import org.postalfunds.client.watch.Reaction;
import org.postalfunds.client.watch.WatchListener;
import org.postalfunds.client.watch.WatchPolicy;
import org.postalfunds.client.watch.Watcher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code postal meter ...}: one meter, the one its profile names (its PSD key signs through the HSM bridge). */
@Command(name = "meter", mixinStandardHelpOptions = true, subcommands = MeterEnrolCommand.class,
        description = "Print postage and move funds between meters, as the meter of the profile.")
final class MeterCommands implements Callable<Integer> {
    /** Longest a request or offer may stay open, and a grant in escrow (the contract's bound). */
    private static final long MAX_WINDOW_HOURS = 30L * 24;

    @ParentCommand
    PostalCli root;

    @Spec
    CommandSpec spec;

    @Command(name = "print-postage", mixinStandardHelpOptions = true,
            description = "Print one piece: debit the postage, sign the indicium in the PSD, write its JSON and Data Matrix PNG.")
    int printPostage(
            @Parameters(paramLabel = "AMOUNT", description = "Postage in currency units, e.g. 0.85.") final String amount,
            @Option(names = "--postal-code", required = true, description = "Destination postal code (A-Z 0-9 space -).") final String postalCode,
            @Option(names = "--country", required = true, description = "Destination country, ISO 3166-1 alpha-2.") final String country,
            @Option(names = "--rate-code", defaultValue = "LETTER-STD", description = "Rate code (default ${DEFAULT-VALUE}).") final String rateCode,
            @Option(names = "--out", defaultValue = ".", paramLabel = "DIR", description = "Where to write <meter>-<piece>.json and .png (default: here).") final Path directory)
            throws Exception {
        try (Session session = root.open()) {
            Output output = root.output(session);
            MeterClient meter = meter(session);
            Postage postage = new Postage(output.money().parsePositive(amount), postalCode, country, rateCode);
            PrintedPostage printed = meter.printPostage(root.requestId(), postage);
            IndiciumFiles.Written files = IndiciumFiles.write(printed.record().indicium(), directory);
            output.line("printed piece " + printed.record().indicium().pieceNumber() + " of meter " + meter.meterId() + ": "
                    + output.amount(postage.amountMinorUnits()) + " to " + postalCode + " " + country + "; available "
                    + output.amount(printed.registers().descendingRegisterMinorUnits()));
            output.line("  indicium " + files.json() + ", Data Matrix " + files.png());
            Formats.receipt(output, printed.receipt());
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("result", org.postalfunds.client.model.Json.treeFromLedger(
                    printed.receipt().json().getBytes(StandardCharsets.UTF_8)));
            json.put("indiciumFile", files.json().toString());
            json.put("dataMatrixFile", files.png().toString());
            output.jsonValue(json);
        }
        return ExitCodes.OK;
    }

    @Command(name = "request", mixinStandardHelpOptions = true,
            description = "Ask a donor meter for funds (pull); the donor must list this meter as an authorised requester.")
    int request(@Parameters(paramLabel = "DONOR") final String donor, @Parameters(paramLabel = "AMOUNT") final String amount,
            @Option(names = "--deadline-hours", defaultValue = "24", description = "How long the donor has to answer (default ${DEFAULT-VALUE}).") final long hours)
            throws Exception {
        try (Session session = root.open()) {
            Output output = root.output(session);
            Formats.transferChange(output, meter(session).request(root.requestId(), donor,
                    output.money().parsePositive(amount), deadline(session, hours)));
        }
        return ExitCodes.OK;
    }

    @Command(name = "grant", mixinStandardHelpOptions = true, description = "As donor, put requested funds into escrow.")
    int grant(@Parameters(paramLabel = "TRANSFER") final String transferId,
            @Option(names = "--escrow-hours", defaultValue = "72", description = "How long the recipient has to accept (default ${DEFAULT-VALUE}).") final long hours)
            throws Exception {
        return act((meter, session) -> meter.grant(root.requestId(), transferId, deadline(session, hours)), Formats::transferChange);
    }

    @Command(name = "deny", mixinStandardHelpOptions = true, description = "As donor, refuse a request.")
    int deny(@Parameters(paramLabel = "TRANSFER") final String transferId,
            @Option(names = "--reason", required = true) final String reason) throws Exception {
        return act((meter, session) -> meter.deny(root.requestId(), transferId, reason), Formats::transferChange);
    }

    @Command(name = "accept", mixinStandardHelpOptions = true, description = "As recipient, take granted funds.")
    int accept(@Parameters(paramLabel = "TRANSFER") final String transferId) throws Exception {
        return act((meter, session) -> meter.accept(root.requestId(), transferId), Formats::transferChange);
    }

    @Command(name = "cancel", mixinStandardHelpOptions = true,
            description = "As recipient, withdraw a request or send granted funds back.")
    int cancel(@Parameters(paramLabel = "TRANSFER") final String transferId) throws Exception {
        return act((meter, session) -> meter.cancel(root.requestId(), transferId), Formats::transferChange);
    }

    @Command(name = "offer", mixinStandardHelpOptions = true, description = "Push funds to a recipient meter (escrowed until acknowledged).")
    int offer(@Parameters(paramLabel = "RECIPIENT") final String recipient, @Parameters(paramLabel = "AMOUNT") final String amount,
            @Option(names = "--deadline-hours", defaultValue = "72", description = "How long the recipient has (default ${DEFAULT-VALUE}).") final long hours,
            @Option(names = "--deadline-seconds", paramLabel = "S", description = "A deadline in seconds instead (at least "
                    + MIN_DEADLINE_SECONDS + "), for short-lived offers such as a demonstration of expiry.") final Long seconds)
            throws Exception {
        try (Session session = root.open()) {
            Output output = root.output(session);
            Formats.transferChange(output, meter(session).offer(root.requestId(), recipient,
                    output.money().parsePositive(amount), seconds == null ? deadline(session, hours) : deadlineInSeconds(session, seconds)));
        }
        return ExitCodes.OK;
    }

    @Command(name = "acknowledge", mixinStandardHelpOptions = true, description = "As recipient, take offered funds.")
    int acknowledge(@Parameters(paramLabel = "TRANSFER") final String transferId) throws Exception {
        return act((meter, session) -> meter.acknowledge(root.requestId(), transferId), Formats::transferChange);
    }

    @Command(name = "reject", mixinStandardHelpOptions = true, description = "As recipient, send offered funds back.")
    int reject(@Parameters(paramLabel = "TRANSFER") final String transferId,
            @Option(names = "--reason", required = true) final String reason) throws Exception {
        return act((meter, session) -> meter.reject(root.requestId(), transferId, reason), Formats::transferChange);
    }

    @Command(name = "expire", mixinStandardHelpOptions = true,
            description = "After its deadline, close a transfer: a request lapses, escrowed funds return to the donor.")
    int expire(@Parameters(paramLabel = "TRANSFER") final String transferId) throws Exception {
        return act((meter, session) -> meter.expire(root.requestId(), transferId), Formats::transferChange);
    }

    // ---- secure information (Fig. 7) ------------------------------------------------------------------------------

    @Command(name = "info-request", mixinStandardHelpOptions = true,
            description = "Ask a meter for a named item of secure information (pull).")
    int infoRequest(@Parameters(paramLabel = "SENDER") final String sender, @Parameters(paramLabel = "ITEM") final String item,
            @Option(names = "--deadline-hours", defaultValue = "24", description = "How long the sender has to answer (default ${DEFAULT-VALUE}).") final long hours)
            throws Exception {
        return act((meter, session) -> meter.requestInformation(root.requestId(), sender,
                itemName(item), deadline(session, hours)), Formats::informationChange);
    }

    @Command(name = "info-grant", mixinStandardHelpOptions = true,
            description = "As sender, answer a request: seal FILE to the requester's PSD, sign it in this PSD, grant.")
    int infoGrant(@Parameters(paramLabel = "TRANSFER") final String transferId,
            @Option(names = "--file", required = true, description = "The item's content (at most 256 KiB).") final Path file,
            @Option(names = "--content-type", defaultValue = "application/octet-stream", description = "Media type (default ${DEFAULT-VALUE}).") final String contentType,
            @Option(names = "--delivery-hours", defaultValue = "72", description = "How long the recipient has to accept (default ${DEFAULT-VALUE}).") final long hours)
            throws Exception {
        try (Session session = root.open()) {
            MeterClient meter = meter(session);
            String item = meter.informationTransfer(transferId).itemName();
            Formats.informationChange(root.output(session), meter.grantInformation(root.requestId(), transferId,
                    secureItem(item, contentType, file), deadline(session, hours)));
        }
        return ExitCodes.OK;
    }

    @Command(name = "info-deny", mixinStandardHelpOptions = true, description = "As sender, refuse a request for information.")
    int infoDeny(@Parameters(paramLabel = "TRANSFER") final String transferId,
            @Option(names = "--reason", required = true) final String reason) throws Exception {
        return act((meter, session) -> meter.denyInformation(root.requestId(), transferId, reason), Formats::informationChange);
    }

    @Command(name = "info-accept", mixinStandardHelpOptions = true,
            description = "As recipient, take delivery of granted information (its package is then purged: receive it first).")
    int infoAccept(@Parameters(paramLabel = "TRANSFER") final String transferId) throws Exception {
        return act((meter, session) -> meter.acceptInformation(root.requestId(), transferId), Formats::informationChange);
    }

    @Command(name = "info-cancel", mixinStandardHelpOptions = true,
            description = "As recipient, withdraw a request or refuse a granted package.")
    int infoCancel(@Parameters(paramLabel = "TRANSFER") final String transferId) throws Exception {
        return act((meter, session) -> meter.cancelInformation(root.requestId(), transferId), Formats::informationChange);
    }

    @Command(name = "info-offer", mixinStandardHelpOptions = true,
            description = "Push secure information: seal FILE to the recipient's PSD, sign it in this PSD, offer it.")
    int infoOffer(@Parameters(paramLabel = "RECIPIENT") final String recipient, @Parameters(paramLabel = "ITEM") final String item,
            @Option(names = "--file", required = true, description = "The item's content (at most 256 KiB).") final Path file,
            @Option(names = "--content-type", defaultValue = "application/octet-stream", description = "Media type (default ${DEFAULT-VALUE}).") final String contentType,
            @Option(names = "--deadline-hours", defaultValue = "72", description = "How long the recipient has (default ${DEFAULT-VALUE}).") final long hours,
            @Option(names = "--deadline-seconds", paramLabel = "S", description = "A deadline in seconds instead (at least "
                    + MIN_DEADLINE_SECONDS + "), for short-lived offers such as a demonstration of expiry.") final Long seconds)
            throws Exception {
        return act((meter, session) -> meter.offerInformation(root.requestId(), recipient,
                secureItem(itemName(item), contentType, file),
                seconds == null ? deadline(session, hours) : deadlineInSeconds(session, seconds)), Formats::informationChange);
    }

    @Command(name = "info-acknowledge", mixinStandardHelpOptions = true,
            description = "As recipient, take delivery of offered information (its package is then purged: receive it first).")
    int infoAcknowledge(@Parameters(paramLabel = "TRANSFER") final String transferId) throws Exception {
        return act((meter, session) -> meter.acknowledgeInformation(root.requestId(), transferId), Formats::informationChange);
    }

    @Command(name = "info-reject", mixinStandardHelpOptions = true, description = "As recipient, refuse offered information.")
    int infoReject(@Parameters(paramLabel = "TRANSFER") final String transferId,
            @Option(names = "--reason", required = true) final String reason) throws Exception {
        return act((meter, session) -> meter.rejectInformation(root.requestId(), transferId, reason), Formats::informationChange);
    }

    @Command(name = "info-expire", mixinStandardHelpOptions = true,
            description = "After its deadline, close an information transfer; a held package is purged.")
    int infoExpire(@Parameters(paramLabel = "TRANSFER") final String transferId) throws Exception {
        return act((meter, session) -> meter.expireInformation(root.requestId(), transferId), Formats::informationChange);
    }

    @Command(name = "receive", mixinStandardHelpOptions = true,
            description = "Unseal secure information addressed to this meter inside its PSD; show it, or write it to a file.")
    int receive(@Parameters(paramLabel = "TRANSFER") final String transferId,
            @Option(names = "--out", paramLabel = "FILE", description = "Write the content here instead of showing it.") final Path out)
            throws Exception {
        try (Session session = root.open()) {
            Output output = root.output(session);
            org.postalfunds.client.secure.SecureItem item;
            try {
                item = meter(session).receiveInformation(transferId, session.recipientPsd());
            } catch (org.postalfunds.client.secure.SealingException refused) {
                throw new CheckFailedException("the package of " + transferId + " was refused: " + refused.getMessage());
            }
            byte[] content = item.content();
            output.line("received '" + item.name() + "' (" + item.contentType() + ", " + content.length + " bytes) in "
                    + transferId + "; sender's signature verified, unsealed in this meter's PSD");
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("transferId", transferId);
            json.put("itemName", item.name());
            json.put("contentType", item.contentType());
            json.put("sizeBytes", content.length);
            if (out != null) {
                java.nio.file.Files.write(out, content);
                output.line("  written to " + out);
                json.put("file", out.toString());
            } else if (isText(item.contentType())) {
                output.line(new String(content, StandardCharsets.UTF_8));
                json.put("content", new String(content, StandardCharsets.UTF_8));
            } else {
                output.line("  binary content; use --out FILE to write it");
                json.put("contentBase64", java.util.Base64.getEncoder().encodeToString(content));
            }
            output.jsonValue(json);
        }
        return ExitCodes.OK;
    }

    private static boolean isText(final String contentType) {
        return contentType.startsWith("text/") || contentType.equals("application/json");
    }

    static String itemName(final String item) throws BadInputException {
        try {
            return org.postalfunds.api.format.SealedPackage.requireItemName(item);
        } catch (IllegalArgumentException e) {
            throw new BadInputException(e.getMessage(), e);
        }
    }

    /** The file's content as an item, refused before reading when it exceeds what a package carries. */
    static org.postalfunds.client.secure.SecureItem secureItem(final String item, final String contentType,
            final Path file) throws BadInputException {
        try {
            long size = java.nio.file.Files.size(file);
            if (size > org.postalfunds.api.format.SealedPackage.MAX_CONTENT_BYTES) {
                throw new BadInputException(file + " has " + size + " bytes; a sealed package carries at most "
                        + org.postalfunds.api.format.SealedPackage.MAX_CONTENT_BYTES);
            }
            return new org.postalfunds.client.secure.SecureItem(item, contentType, java.nio.file.Files.readAllBytes(file));
        } catch (java.io.IOException e) {
            throw new BadInputException("cannot read " + file + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new BadInputException(e.getMessage(), e);
        }
    }

    @Command(name = "allot", mixinStandardHelpOptions = true,
            description = "As distributor, move funds into the allotment for one recipient (grants to it are paid from there).")
    int allot(@Parameters(paramLabel = "RECIPIENT") final String recipient, @Parameters(paramLabel = "AMOUNT") final String amount)
            throws Exception {
        try (Session session = root.open()) {
            Output output = root.output(session);
            allotmentChanged(output, meter(session).fundAllotment(root.requestId(), recipient, output.money().parsePositive(amount)));
        }
        return ExitCodes.OK;
    }

    @Command(name = "release", mixinStandardHelpOptions = true, description = "As distributor, move funds from an allotment back to the meter.")
    int release(@Parameters(paramLabel = "RECIPIENT") final String recipient, @Parameters(paramLabel = "AMOUNT") final String amount)
            throws Exception {
        try (Session session = root.open()) {
            Output output = root.output(session);
            allotmentChanged(output, meter(session).releaseAllotment(root.requestId(), recipient, output.money().parsePositive(amount)));
        }
        return ExitCodes.OK;
    }

    @Command(name = "allotment", mixinStandardHelpOptions = true, description = "Show this meter's allotment for one recipient.")
    int allotment(@Parameters(paramLabel = "RECIPIENT") final String recipient) throws Exception {
        try (Session session = root.open()) {
            Output output = root.output(session);
            Allotment allotment = meter(session).allotment(recipient);
            output.line("allotment " + allotment.distributorMeterId() + " -> " + allotment.recipientMeterId() + ": available "
                    + output.amount(allotment.availableMinorUnits()) + " (funded " + output.amount(allotment.fundedMinorUnits())
                    + ", granted " + output.amount(allotment.grantedMinorUnits()) + ", returned "
                    + output.amount(allotment.returnedMinorUnits()) + ", released " + output.amount(allotment.releasedMinorUnits())
                    + "); control sum " + (allotment.controlSumHolds() ? "holds" : "BROKEN"));
            output.jsonValue(allotment);
        }
        return ExitCodes.OK;
    }

    @Command(name = "authorise", mixinStandardHelpOptions = true, description = "Let a meter request funds from this one.")
    int authorise(@Parameters(paramLabel = "REQUESTER") final String requester) throws Exception {
        try (Session session = root.open()) {
            requesterChanged(root.output(session), meter(session).authoriseRequester(root.requestId(), requester), "may now request from");
        }
        return ExitCodes.OK;
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Take a meter off this one's authorised requesters.")
    int revoke(@Parameters(paramLabel = "REQUESTER") final String requester) throws Exception {
        try (Session session = root.open()) {
            requesterChanged(root.output(session), meter(session).revokeRequester(root.requestId(), requester), "may no longer request from");
        }
        return ExitCodes.OK;
    }

    @Command(name = "requesters", mixinStandardHelpOptions = true, description = "List the meters authorised to request from this one.")
    int requesters(@Option(names = "--max", defaultValue = "1000", description = "At most this many (default ${DEFAULT-VALUE}).") final int max)
            throws Exception {
        try (Session session = root.open()) {
            Output output = root.output(session);
            MeterClient meter = meter(session);
            List<AuthorisedRequester> all = new ArrayList<>();
            String bookmark = "";
            do {
                RequesterPage page = meter.authorisedRequesters(Math.min(100, Math.max(1, max - all.size())), bookmark);
                all.addAll(page.authorisedRequesters());
                bookmark = page.bookmark();
            } while (!bookmark.isEmpty() && all.size() < max);
            List<List<String>> rows = new ArrayList<>();
            for (AuthorisedRequester entry : all) {
                rows.add(List.of(entry.requesterMeterId(), Output.time(entry.authorisedAtEpochSeconds()), entry.authorisedByMsp()));
            }
            output.table(List.of("REQUESTER", "AUTHORISED AT", "BY"), rows);
            output.jsonValue(all);
        }
        return ExitCodes.OK;
    }

    @Command(name = "balance", mixinStandardHelpOptions = true, description = "This meter's registers, status and inspection clock.")
    int balance(@Parameters(paramLabel = "METER", arity = "0..1", description = "Another meter of the same owner (default: this one).") final String other)
            throws Exception {
        try (Session session = root.open()) {
            Output output = root.output(session);
            MeterClient meter = meter(session);
            MeterView view = other == null ? meter.balance() : meter.meter(other);
            Formats.meterDetails(output, view);
            output.jsonValue(view);
        }
        return ExitCodes.OK;
    }

    @Command(name = "transfers", mixinStandardHelpOptions = true, description = "List this meter's transfers (default: the open ones).")
    int transfers(
            @Option(names = "--state", split = ",", description = "States to list, e.g. REQUESTED,GRANTED, or ALL (default: REQUESTED,GRANTED,OFFERED).") final List<String> states,
            @Option(names = "--max", defaultValue = "1000", description = "At most this many per state (default ${DEFAULT-VALUE}).") final int max)
            throws Exception {
        List<TransferState> wanted = new ArrayList<>();
        if (states == null) {
            wanted.addAll(List.of(TransferState.REQUESTED, TransferState.GRANTED, TransferState.OFFERED));
        } else if (states.size() == 1 && "ALL".equalsIgnoreCase(states.get(0))) {
            wanted.addAll(List.of(TransferState.values()));
        } else {
            for (String state : states) {
                try {
                    wanted.add(TransferState.valueOf(state.strip().toUpperCase(java.util.Locale.ROOT)));
                } catch (IllegalArgumentException e) {
                    throw new BadInputException("unknown transfer state " + state + "; one of "
                            + java.util.Arrays.toString(TransferState.values()) + " or ALL");
                }
            }
        }
        try (Session session = root.open()) {
            Output output = root.output(session);
            MeterClient meter = meter(session);
            List<Transfer> all = new ArrayList<>();
            for (TransferState state : wanted) {
                all.addAll(meter.transfers(state, max));
            }
            List<List<String>> rows = new ArrayList<>();
            for (Transfer transfer : all) {
                rows.add(Formats.transferRow(output, transfer));
            }
            output.table(Formats.transferHeaders(), rows);
            output.jsonValue(all);
        }
        return ExitCodes.OK;
    }

    @Command(name = "transfer", mixinStandardHelpOptions = true, description = "Show one transfer with its steps and escrow.")
    int transfer(@Parameters(paramLabel = "TRANSFER") final String transferId) throws Exception {
        try (Session session = root.open()) {
            Output output = root.output(session);
            TransferView view = meter(session).transfer(transferId);
            Transfer t = view.transfer();
            output.line("transfer " + t.transferId() + ": " + t.kind() + " " + t.donorMeterId() + " -> " + t.recipientMeterId()
                    + "  " + output.amount(t.amountMinorUnits()) + "  " + t.state() + "  deadline " + Output.time(t.deadlineEpochSeconds())
                    + (t.reason() == null ? "" : "  reason: " + t.reason()));
            view.heldEscrow().ifPresent(escrow -> output.line("  escrow holds " + output.amount(escrow.heldMinorUnits())
                    + " from " + escrow.fundingAccount()));
            List<List<String>> rows = new ArrayList<>();
            t.steps().forEach(step -> rows.add(List.of(step.action().name(), step.state().name(), Output.time(step.atEpochSeconds()), step.txId())));
            output.table(List.of("STEP", "STATE", "AT", "TRANSACTION"), rows);
            output.jsonValue(view);
        }
        return ExitCodes.OK;
    }

    @Command(name = "history", mixinStandardHelpOptions = true, description = "The newest versions of this meter's account (or another account).")
    int history(
            @Parameters(paramLabel = "ACCOUNT", arity = "0..1", description = "e.g. ESCROW:<transfer> or ALLOTMENT:<this>:<recipient> (default: METER:<this>).") final String account,
            @Option(names = "--limit", defaultValue = "20", description = "1-100 (default ${DEFAULT-VALUE}).") final int limit)
            throws Exception {
        try (Session session = root.open()) {
            Output output = root.output(session);
            MeterClient meter = meter(session);
            AccountHistory history = account == null ? meter.history(limit) : meter.history(account, limit);
            printHistory(output, history);
            if (account == null) {
                // The registers' versions: credits show there once the meter folds them in; say what still waits.
                long pending = meter.balance().pendingInflowMinorUnits();
                if (pending > 0) {
                    output.line("pending inflow " + output.amount(pending)
                            + " (credits not yet folded into the registers; the balance counts them)");
                }
            }
        }
        return ExitCodes.OK;
    }

    @Command(name = "indicium", mixinStandardHelpOptions = true, description = "Show the ledger's record of one printed piece.")
    int indicium(@Parameters(paramLabel = "PIECE") final long piece) throws Exception {
        try (Session session = root.open()) {
            Output output = root.output(session);
            IndiciumRecord record = meter(session).indicium(piece);
            output.line("piece " + piece + " of " + record.indicium().meterId() + ": " + output.amount(record.indicium().amountMinorUnits())
                    + " on " + record.indicium().mailingDate() + " to " + record.indicium().destinationPostalCode() + " "
                    + record.indicium().destinationCountryCode() + ", recorded in " + record.txId());
            output.jsonValue(record);
        }
        return ExitCodes.OK;
    }

    @Command(name = "refund", mixinStandardHelpOptions = true,
            description = {"Ask for the postage of a spoiled piece back (the postal authority approves or rejects): a piece "
                    + "this meter printed, for its recorded amount, within the refund window, never scanned at a mail centre."})
    int refund(@Parameters(paramLabel = "PIECE", description = "The piece number printed on the indicium.") final long piece,
            @Parameters(paramLabel = "AMOUNT", description = "Its postage in currency units, e.g. 0.85.") final String amount,
            @Option(names = "--reason", required = true, description = "What spoiled the piece (required).") final String reason)
            throws Exception {
        try (Session session = root.open()) {
            Output output = root.output(session);
            Formats.refundChange(output, meter(session).requestRefund(root.requestId(), piece,
                    output.money().parsePositive(amount), reason));
        }
        return ExitCodes.OK;
    }

    @Command(name = "refunds", mixinStandardHelpOptions = true, description = "List this meter's refunds (default: all).")
    int refunds(
            @Option(names = "--state", description = "REQUESTED, APPROVED, REJECTED or ALL (default).") final String state,
            @Option(names = "--max", defaultValue = "1000", description = "At most this many (default ${DEFAULT-VALUE}).") final int max)
            throws Exception {
        org.postalfunds.api.model.RefundState wanted = Formats.refundState(state);
        if (max < 1) {
            throw new BadInputException("--max must be at least 1");
        }
        try (Session session = root.open()) {
            Output output = root.output(session);
            MeterClient meter = meter(session);
            List<org.postalfunds.api.model.Refund> all = new ArrayList<>();
            String bookmark = "";
            do {
                org.postalfunds.api.model.RefundPage page = meter.refunds(wanted, Math.min(100, max - all.size()), bookmark);
                all.addAll(page.refunds());
                bookmark = page.bookmark();
            } while (!bookmark.isEmpty() && all.size() < max);
            List<List<String>> rows = new ArrayList<>();
            all.forEach(refund -> rows.add(Formats.refundRow(output, refund)));
            output.table(Formats.refundHeaders(), rows);
            output.jsonValue(all);
        }
        return ExitCodes.OK;
    }

    @Command(name = "watch", mixinStandardHelpOptions = true,
            description = {"Follow the ledger and apply the meter's policy: grant requests from listed recipients "
                    + "within limits (distributor), accept grants and acknowledge offers from listed donors (recipient).",
                    "Resumes from the checkpoint file; each event is handled exactly once across restarts. Stop with Ctrl-C."})
    int watch(
            @Option(names = "--policy", required = true, paramLabel = "FILE", description = "Policy (JSON).") final Path policyFile,
            @Option(names = "--checkpoint", required = true, paramLabel = "FILE", description = "Checkpoint file (created if missing).") final Path checkpointFile,
            @Option(names = "--grants", paramLabel = "FILE", description = "The distributor's grant book (default: <checkpoint>.grants.json).") final Path grantsFile,
            @Option(names = "--from-block", paramLabel = "N", description = "On a first start (empty checkpoint), begin at this block, e.g. 0 for all history (default: the next block).") final Long fromBlock,
            @Option(names = "--stop-when-idle", paramLabel = "SECONDS", description = "Return after this long without events (default: run until stopped).") final Long idleSeconds)
            throws Exception {
        try (Session session = root.open()) {
            Output output = root.output(session);
            MeterClient meter = meter(session);
            WatchPolicy policy;
            try {
                policy = WatchPolicy.parse(readBounded(policyFile, WatchPolicy.MAX_POLICY_CHARS), output.money());
            } catch (IllegalArgumentException e) {
                throw new BadInputException(policyFile + ": " + e.getMessage(), e);
            }
            Path grants = grantsFile != null ? grantsFile
                    : checkpointFile.resolveSibling(checkpointFile.getFileName() + ".grants.json");
            try (FileCheckpointer checkpointer = new FileCheckpointer(checkpointFile)) {
                output.progress("watching as meter " + meter.meterId() + " from "
                        + (checkpointer.getBlockNumber().isPresent() ? "block " + checkpointer.getBlockNumber().getAsLong()
                                + checkpointer.getTransactionId().map(tx -> " after transaction " + tx).orElse("")
                                : fromBlock != null ? "block " + fromBlock + " (no checkpoint yet)" : "the next block (no checkpoint yet)"));
                Watcher.Builder builder = Watcher.builder().meter(meter).policy(policy).checkpointer(checkpointer)
                        .grantBook(GrantBook.open(grants)).money(output.money()).listener(listener(output));
                if (idleSeconds != null) {
                    builder.stopWhenIdle(Duration.ofSeconds(idleSeconds));
                }
                if (fromBlock != null) {
                    builder.startBlock(fromBlock);
                }
                Watcher watcher = builder.build();
                java.util.concurrent.CountDownLatch finished = new java.util.concurrent.CountDownLatch(1);
                Thread stopper = new Thread(() -> {
                    watcher.stop();
                    try {
                        finished.await(10, java.util.concurrent.TimeUnit.SECONDS); // the event in hand finishes and is checkpointed
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                Runtime.getRuntime().addShutdownHook(stopper);
                try {
                    long handled = watcher.run();
                    output.progress("stopped after " + handled + " events; checkpoint " + checkpointFile);
                } finally {
                    finished.countDown();
                    try {
                        Runtime.getRuntime().removeShutdownHook(stopper);
                    } catch (IllegalStateException shuttingDown) {
                        // The hook is running: it is what stopped us.
                    }
                }
            }
        }
        return ExitCodes.OK;
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    private static WatchListener listener(final Output output) {
        return new WatchListener() {
            @Override
            public void handled(final Reaction reaction) {
                if (reaction.action() == Reaction.Action.IGNORED) {
                    return;
                }
                if (output.json()) {
                    Map<String, Object> line = new LinkedHashMap<>();
                    line.put("block", reaction.event().blockNumber());
                    line.put("event", reaction.event().name());
                    line.put("transferId", reaction.transferId());
                    line.put("action", reaction.action().name());
                    line.put("requestId", reaction.requestId());
                    line.put("detail", reaction.detail());
                    output.jsonValue(line);
                } else {
                    output.line(reaction.action() + " " + reaction.transferId() + " (" + reaction.event().name()
                            + ", block " + reaction.event().blockNumber() + "): " + reaction.detail());
                }
            }

            @Override
            public void caughtUp(final long eventsHandled) {
                output.progress("caught up with the ledger after " + eventsHandled + " events; waiting for new ones");
            }
        };
    }

    static void printHistory(final Output output, final AccountHistory history) {
        List<List<String>> rows = new ArrayList<>();
        for (HistoryEntry entry : history.history()) {
            rows.add(List.of(Output.time(entry.timestampEpochSeconds()), entry.txId(),
                    entry.deleted() ? "(closed)" : summarise(output, entry)));
        }
        output.line("account " + history.accountId() + ", newest first:");
        output.table(List.of("AT", "TRANSACTION", "VALUE"), rows);
        output.jsonValue(history);
    }

    private static String summarise(final Output output, final HistoryEntry entry) {
        var value = entry.value();
        if (value == null) {
            return "";
        }
        if (value.has("descendingRegisterMinorUnits")) {
            return "available " + output.amount(value.path("descendingRegisterMinorUnits").asLong()) + ", postage used "
                    + output.amount(value.path("ascendingRegisterMinorUnits").asLong()) + ", pieces "
                    + value.path("pieceCount").asLong();
        }
        if (value.has("heldMinorUnits")) {
            return "escrow holds " + output.amount(value.path("heldMinorUnits").asLong());
        }
        if (value.has("availableMinorUnits")) {
            return "allotment available " + output.amount(value.path("availableMinorUnits").asLong());
        }
        return value.toString();
    }

    private MeterClient meter(final Session session) throws BadInputException {
        String meterId = session.profile().meter().orElseThrow(() -> new BadInputException(
                "profile " + root.profileFile + " names no meter (meterId); meter commands act as one meter"));
        return MeterClient.builder().ledger(session.ledger()).meterId(meterId).psdSigner(session.signer())
                .clock(session.clock()).build();
    }

    private static Instant deadline(final Session session, final long hours) throws BadInputException {
        if (hours < 1 || hours > MAX_WINDOW_HOURS) {
            throw new BadInputException("the deadline must be 1.." + MAX_WINDOW_HOURS + " hours ahead, was " + hours);
        }
        return session.clock().instant().plus(Duration.ofHours(hours));
    }

    /** Shorter than this and the offer may expire before its own transaction is ordered. */
    static final long MIN_DEADLINE_SECONDS = 10;

    private static Instant deadlineInSeconds(final Session session, final long seconds) throws BadInputException {
        if (seconds < MIN_DEADLINE_SECONDS || seconds > MAX_WINDOW_HOURS * 3600) {
            throw new BadInputException("the deadline must be " + MIN_DEADLINE_SECONDS + ".." + MAX_WINDOW_HOURS * 3600
                    + " seconds ahead, was " + seconds);
        }
        return session.clock().instant().plus(Duration.ofSeconds(seconds));
    }

    private static void allotmentChanged(final Output output, final AllotmentChange change) {
        output.line(change.receipt().event() + ": allotment " + change.allotment().distributorMeterId() + " -> "
                + change.allotment().recipientMeterId() + " holds " + output.amount(change.allotment().availableMinorUnits())
                + change.registersAfter().map(registers -> "; meter available "
                        + output.amount(registers.descendingRegisterMinorUnits()))
                        .orElseGet(() -> "; meter's pending inflow "
                                + output.amount(change.inflow().pendingMinorUnits())));
        Formats.receipt(output, change.receipt());
        output.jsonText(change.receipt().json());
    }

    private static void requesterChanged(final Output output, final RequesterChange change, final String verb) {
        output.line(change.authorisedRequester().requesterMeterId() + " " + verb + " " + change.authorisedRequester().donorMeterId());
        Formats.receipt(output, change.receipt());
        output.jsonText(change.receipt().json());
    }

    static String readBounded(final Path file, final int maxChars) throws BadInputException {
        try {
            if (Files.size(file) > maxChars) {
                throw new BadInputException(file + " is larger than " + maxChars + " bytes");
            }
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new BadInputException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Without a subcommand there is nothing to do: show what there is. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodes.USAGE;
    }


    /** One meter action in a session of its own, its result printed: the shape of most meter commands. */
    private <T> int act(final MeterAction<T> action, final BiConsumer<Output, T> print) throws Exception {
        try (Session session = root.open()) {
            print.accept(root.output(session), action.run(meter(session), session));
        }
        return ExitCodes.OK;
    }

    @FunctionalInterface
    private interface MeterAction<T> {
        T run(MeterClient meter, Session session) throws Exception;
    }
}
