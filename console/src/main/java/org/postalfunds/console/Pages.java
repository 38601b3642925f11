package org.postalfunds.console;

import static org.postalfunds.console.Html.esc;
import static org.postalfunds.console.Html.time;

import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.postalfunds.api.Ids;
import org.postalfunds.api.model.AuditTotals;
import org.postalfunds.api.model.Indicium;
import org.postalfunds.api.model.IndiciumVerdict;
import org.postalfunds.api.model.MeterView;
import org.postalfunds.api.model.PsdRegisters;
import org.postalfunds.api.model.Transfer;
import org.postalfunds.api.model.TransferState;
import org.postalfunds.client.AuditorClient;
import org.postalfunds.client.Money;
import org.postalfunds.client.audit.AuditCheck;
import org.postalfunds.client.audit.AuditReport;
import org.postalfunds.client.audit.ChainReport;
import org.postalfunds.client.audit.ChainVerifier;
import org.postalfunds.client.audit.IndiciumCheck;
import org.postalfunds.client.audit.LedgerIndex;
import org.postalfunds.client.indicium.DataMatrixCodec;
import org.postalfunds.client.indicium.Indicia;
import org.postalfunds.client.indicium.IndiciumFiles;
import org.postalfunds.client.ledger.BlockFeed;
import org.postalfunds.client.ledger.LedgerException;
import org.postalfunds.client.model.AccountHistory;
import org.postalfunds.client.model.HistoryEntry;

/**
 * The console's pages: each renders HTML from the organisation's current snapshot of the ledger's events (kept up to
 * date by its {@link LedgerFollower}, never replayed per page) and the queries it makes through the viewer's connection.
 */
public final class Pages {
    public static final int MAX_UPLOAD_BYTES = 1024 * 1024;
    /** Blocks verified by one request of the chain page. */
    public static final long MAX_CHAIN_RANGE = 100_000;
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("uuuu-MM-dd")
            .withResolverStyle(ResolverStyle.STRICT);

    private final Money money;
    private final Clock ledgerClock;
    private final String chaincode;
    private final Set<String> requiredEndorsers;

    public Pages(final Money money, final Clock ledgerClock, final String chaincode, final Set<String> requiredEndorsers) {
        this.money = money;
        this.ledgerClock = ledgerClock;
        this.chaincode = chaincode;
        this.requiredEndorsers = Set.copyOf(requiredEndorsers);
    }

    public static String requireId(final String value, final String what) {
        // Meter and transfer ids: the contract's own rule (ledger-api Ids).
        if (!Ids.isId(value)) {
            throw HttpProblem.badRequest(what + " must be " + Ids.ID_FORM + " (the ledger's rule for ids); \""
                    + shorten(value) + "\" is not one");
        }
        return value;
    }

    static LocalDate day(final String value, final String what) {
        try {
            return LocalDate.parse(value, DAY);
        } catch (DateTimeParseException e) {
            throw HttpProblem.badRequest(what + " must be a date YYYY-MM-DD; \"" + shorten(value) + "\" is not one");
        }
    }

    static long blockNumber(final String value, final String what) {
        if (value == null || !value.matches("[0-9]{1,15}")) {
            throw HttpProblem.badRequest(what + " must be a block number (0 or more); \"" + shorten(value) + "\" is not one");
        }
        return Long.parseLong(value);
    }

    private static String shorten(final String value) {
        if (value == null) {
            return "";
        }
        return value.length() > 80 ? value.substring(0, 80) + "…" : value;
    }

    String amount(final long minorUnits) {
        return money.format(minorUnits);
    }

    /** Which block the page's events reach, and whether the follower is behind or reconnecting. */
    static String asOf(final LedgerSnapshot snapshot) {
        LedgerSnapshot.Status status = snapshot.status();
        String state = switch (status.state()) {
            case REPLAYED, LIVE -> "";
            case CATCHING_UP -> "; catching up with newer events";
            case RECONNECTING -> "; reconnecting to the ledger's event stream, newer events may be missing";
            case STOPPED -> "; no longer following the ledger, newer events are missing";
        };
        String problem = status.problem() == null ? "" : " (" + status.problem() + ")";
        return "<p class=\"as-of\" id=\"as-of\" data-block=\"" + snapshot.lastBlock() + "\" data-state=\""
                + status.state().name().toLowerCase(java.util.Locale.ROOT) + "\">Ledger events as of block "
                + (snapshot.lastBlock() < 0 ? "none" : Long.toString(snapshot.lastBlock())) + " (" + snapshot.index().events()
                + " events)" + esc(state + problem) + ".</p>";
    }

    // ---- meters -----------------------------------------------------------------------------------------------------

    public String meters(final Viewer viewer, final Exports exports) throws LedgerException, InterruptedException {
        LedgerSnapshot snapshot = viewer.snapshot();
        AuditorClient reader = AuditorClient.of(viewer.ledger());
        Table table = new Table("meters", "Meters and their PSD registers (currency units)", "meter", "owner", "kind",
                "status", "descending (available)", "ascending (printed)", "pieces", "refilled", "in", "out",
                "control sum", "inspection", "inspection due", "overdue from").keyedBy("meter");
        for (String meterId : snapshot.index().meterIds()) {
            if (!viewer.mayView(snapshot.owner(meterId).orElse(""))) {
                continue;
            }
            MeterView view = reader.meter(meterId);
            PsdRegisters r = view.registers();
            table.add(meterId, null, Table.Cell.link(meterId, "/meters/" + meterId), Table.Cell.text(view.meter().ownerMsp()),
                    Table.Cell.text(view.meter().kind()), Table.Cell.text(view.meter().status()),
                    money(r.descendingRegisterMinorUnits()), money(r.ascendingRegisterMinorUnits()),
                    Table.Cell.count(r.pieceCount()), money(r.refilledMinorUnits()), money(r.transferredInMinorUnits()),
                    money(r.transferredOutMinorUnits()), Table.Cell.text(r.controlSumHolds() ? "holds" : "BROKEN"),
                    Table.Cell.text(view.inspection().status()).withCss("inspection-" + view.inspection().status()),
                    Table.Cell.text(time(view.inspection().dueAtEpochSeconds())),
                    Table.Cell.text(time(view.inspection().overdueAtEpochSeconds())));
        }
        String scope = viewer.user().role().seesAll() ? "every meter registered on the ledger"
                : "the meters of " + viewer.user().mspId();
        return asOf(snapshot) + "<p>" + table.size() + " meter(s): " + esc(scope) + ". Registers in currency units.</p>"
                + exports.html(table);
    }

    /** An amount cell: shown in currency units, its minor units in data-value for charts. */
    private Table.Cell money(final long minorUnits) {
        return Table.Cell.number(amount(minorUnits), minorUnits);
    }

    private static Table.Cell when(final long epochSeconds) {
        return new Table.Cell(time(epochSeconds), epochSeconds, null, null);
    }

    public String meter(final Viewer viewer, final String meterId, final Exports exports)
            throws LedgerException, InterruptedException {
        requireId(meterId, "meter id");
        LedgerSnapshot snapshot = viewer.snapshot();
        viewer.requireMeter(meterId, snapshot);
        AuditorClient reader = AuditorClient.of(viewer.ledger());
        MeterView view = reader.meter(meterId);
        PsdRegisters r = view.registers();
        StringBuilder html = new StringBuilder(asOf(snapshot));
        html.append("<dl class=\"facts\" id=\"meter\">");
        fact(html, "owner", view.meter().ownerMsp());
        fact(html, "kind / model", view.meter().kind() + " / " + view.meter().model());
        fact(html, "status", view.meter().status() + (view.meter().statusReason() == null
                || view.meter().statusReason().isEmpty() ? "" : " (" + view.meter().statusReason() + ")"));
        fact(html, "registered", time(view.meter().registeredAtEpochSeconds()));
        if (view.meter().keyRevoked()) {
            fact(html, "PSD key revoked", time(view.meter().keyRevokedAtEpochSeconds()) + " ("
                    + view.meter().keyRevocationReason() + ")");
        }
        replacementLink(html, "replaced by", view.meter().replacedByMeterId());
        replacementLink(html, "replaces", view.meter().replacesMeterId());
        fact(html, "PSD key fingerprint", view.meter().publicKeyFingerprint());
        fact(html, "descending register (available)", amount(r.descendingRegisterMinorUnits())
                + (view.pendingInflowMinorUnits() > 0
                        ? " (" + amount(view.pendingInflowMinorUnits()) + " of it transferred in, not yet folded)" : ""));
        fact(html, "ascending register (printed)", amount(r.ascendingRegisterMinorUnits()));
        fact(html, "pieces", Long.toString(r.pieceCount()));
        fact(html, "refilled / in / out / withdrawn", amount(r.refilledMinorUnits()) + " / "
                + amount(r.transferredInMinorUnits()) + " / " + amount(r.transferredOutMinorUnits()) + " / "
                + amount(r.withdrawnMinorUnits()));
        fact(html, "control sum", r.controlSumHolds() ? "holds" : "BROKEN");
        fact(html, "inspection", view.inspection().status() + ", due " + time(view.inspection().dueAtEpochSeconds())
                + ", overdue from " + time(view.inspection().overdueAtEpochSeconds()));
        if (view.meter().limits() != null) {
            fact(html, "limits: balance / per piece / per transfer", amount(view.meter().limits().maxBalanceMinorUnits())
                    + " / " + amount(view.meter().limits().maxPostagePerPieceMinorUnits()) + " / "
                    + amount(view.meter().limits().maxTransferMinorUnits()));
        }
        html.append("</dl>");
        AccountHistory history = reader.history("METER:" + meterId, TIMELINE_LIMIT);
        Table timeline = timeline(history);
        Table escrows = new Table("escrow-periods", "Escrow periods of " + meterId
                + " (funds held from the grant or offer until settled)", "transfer", "role", "held from", "held until",
                "amount", "state");
        Table transfers = new Table("meter-transfers", "Transfers of " + meterId, "transfer", "kind", "state", "donor",
                "recipient", "amount", "opened", "last change");
        for (Transfer transfer : snapshot.index().transfers().values()) {
            boolean donor = meterId.equals(transfer.donorMeterId());
            if (!donor && !meterId.equals(transfer.recipientMeterId())) {
                continue;
            }
            transfers.add(Table.Cell.text(transfer.transferId()), Table.Cell.text(transfer.kind()),
                    Table.Cell.text(transfer.state()), Table.Cell.text(transfer.donorMeterId()),
                    Table.Cell.text(transfer.recipientMeterId()), money(transfer.amountMinorUnits()),
                    when(transfer.createdAtEpochSeconds()), when(transfer.updatedAtEpochSeconds()));
            escrowPeriod(transfer, donor).ifPresent(period -> escrows.add(Table.Cell.text(transfer.transferId()),
                    Table.Cell.text(donor ? "donor" : "recipient"), when(period[0]), when(period[1]),
                    money(transfer.amountMinorUnits()), Table.Cell.text(transfer.state())));
        }
        html.append("<h2>Timeline</h2><p>The meter's registers after each change (the newest ").append(TIMELINE_LIMIT)
                .append("), what made the change, and the periods its transfers held funds in escrow (shaded). Funds a transfer"
                + " brings in show when the meter folds them into its registers (a refill, or a debit that needs"
                + " them); its balance above includes them at once.</p>");
        html.append(Charts.figure("balance-chart", Charts.Kind.TIMELINE, "Registers of " + meterId + " over time",
                timeline, escrows));
        html.append(exports.html(timeline)).append(exports.html(escrows));
        html.append("<h2>Transfers</h2>").append(exports.html(transfers));
        return html.toString();
    }

    /** Versions of a meter's registers shown on its timeline. */
    static final int TIMELINE_LIMIT = 100; // the contract answers at most 100 versions per history query

    /** The registers after each change, oldest first, with what changed them (from the register deltas). */
    private Table timeline(final AccountHistory history) {
        Table table = new Table("history", "Registers over time (oldest first)", "time", "transaction", "event",
                "available", "printed", "pieces", "refilled", "in", "out");
        List<HistoryEntry> oldestFirst = new ArrayList<>(history.history());
        java.util.Collections.reverse(oldestFirst);
        long[] before = null;
        for (HistoryEntry entry : oldestFirst) {
            long[] now = entry.deleted() ? new long[7] : new long[] {
                entry.value().path("descendingRegisterMinorUnits").asLong(),
                entry.value().path("ascendingRegisterMinorUnits").asLong(),
                entry.value().path("pieceCount").asLong(),
                entry.value().path("refilledMinorUnits").asLong(),
                entry.value().path("transferredInMinorUnits").asLong(),
                entry.value().path("transferredOutMinorUnits").asLong(),
                entry.value().path("withdrawnMinorUnits").asLong()};
            table.add(when(entry.timestampEpochSeconds()), Table.Cell.text(entry.txId()),
                    Table.Cell.text(entry.deleted() ? "deleted" : change(before, now)), money(now[0]), money(now[1]),
                    Table.Cell.count(now[2]), money(now[3]), money(now[4]), money(now[5]));
            before = now;
        }
        return table;
    }

    private String change(final long[] before, final long[] now) {
        if (before == null) {
            return "registered";
        }
        List<String> parts = new ArrayList<>();
        if (now[3] > before[3]) {
            parts.add("refill " + amount(now[3] - before[3]));
        }
        if (now[1] > before[1]) {
            parts.add("printed " + amount(now[1] - before[1]) + " (" + (now[2] - before[2]) + " piece(s))");
        }
        if (now[4] > before[4]) {
            parts.add("transfer in " + amount(now[4] - before[4]));
        }
        if (now[5] > before[5]) {
            parts.add("transfer out " + amount(now[5] - before[5]));
        }
        if (now[6] > before[6]) {
            parts.add("withdrawn " + amount(now[6] - before[6]));
        }
        if (parts.isEmpty()) {
            long delta = now[0] - before[0];
            parts.add(delta == 0 ? "status or contact" : (delta > 0 ? "funds in " : "funds out ") + amount(Math.abs(delta)));
        }
        return String.join(", ", parts);
    }

    /**
     * When the donor's funds sat in the transfer's escrow: from the step that escrowed them (grant, offer) to the
     * step that settled them, or the ledger's now while still held. The recipient's view is the same period.
     */
    private java.util.Optional<long[]> escrowPeriod(final Transfer transfer, final boolean donor) {
        Long start = null;
        Long end = null;
        for (var step : transfer.steps()) {
            if (start == null && step.state() != null && step.state().holdsEscrow()) {
                start = step.atEpochSeconds();
            } else if (start != null && end == null && step.state() != null && !step.state().holdsEscrow()) {
                end = step.atEpochSeconds();
            }
        }
        if (start == null) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new long[] {start, end != null ? end : ledgerClock.instant().getEpochSecond()});
    }

    /** A fact linking to the other meter of a replacement (failed -> replacement), when there is one. */
    private static void replacementLink(final StringBuilder html, final String name, final String otherMeterId) {
        if (otherMeterId != null) {
            html.append("<dt>").append(esc(name)).append("</dt><dd><a href=\"/meters/").append(esc(otherMeterId))
                    .append("\">").append(esc(otherMeterId)).append("</a></dd>");
        }
    }

    // ---- replacements of failed PSDs ------------------------------------------------------------------------------

    /**
     * Every failed meter the viewer may see, its link to its replacement (old -> new) and what the replacement moved
     * so far, from the contract's replacement records.
     */
    public String replacements(final Viewer viewer, final Exports exports) throws LedgerException, InterruptedException {
        LedgerSnapshot snapshot = viewer.snapshot();
        AuditorClient reader = AuditorClient.of(viewer.ledger());
        Table table = new Table("replacements", "Failed PSDs and their replacements (old -> new)", "failed meter", "owner",
                "status", "key revoked", "reason", "replacement", "state", "steps", "transfers moved",
                "allotments moved", "requesters moved", "refunds moved", "funds moved").keyedBy("failed meter");
        for (String meterId : snapshot.index().meterIds()) {
            if (!viewer.mayView(snapshot.owner(meterId).orElse(""))) {
                continue;
            }
            org.postalfunds.api.model.Meter meter = reader.meter(meterId).meter();
            if (!meter.keyRevoked()) {
                continue;
            }
            var record = reader.replacement(meterId).record();
            table.add(meterId, null, Table.Cell.link(meterId, "/meters/" + meterId), Table.Cell.text(meter.ownerMsp()),
                    Table.Cell.text(meter.status()), when(meter.keyRevokedAtEpochSeconds()),
                    Table.Cell.text(meter.keyRevocationReason()),
                    record.map(r -> Table.Cell.link(r.replacementMeterId(), "/meters/" + r.replacementMeterId()))
                            .orElse(Table.Cell.text("—")),
                    Table.Cell.text(record.map(r -> r.state().name()).orElse("not started")),
                    Table.Cell.count(record.map(r -> r.steps()).orElse(0L)),
                    Table.Cell.count(record.map(r -> r.transfersMoved()).orElse(0L)),
                    Table.Cell.count(record.map(r -> r.allotmentsMoved()).orElse(0L)),
                    Table.Cell.count(record.map(r -> r.requestersMoved()).orElse(0L)),
                    Table.Cell.count(record.map(r -> r.refundsMoved()).orElse(0L)),
                    money(record.map(r -> r.fundsMovedMinorUnits()).orElse(0L)));
        }
        return asOf(snapshot) + "<p>" + table.size() + " failed PSD(s): meters whose key the data center revoked; a "
                + "replacement moves their funds and open items to a newly enrolled meter of the same owner, in steps "
                + "endorsed by the data center and the postal authority.</p>" + exports.html(table);
    }

    private static void fact(final StringBuilder html, final String name, final String value) {
        html.append("<dt>").append(esc(name)).append("</dt><dd>").append(esc(value)).append("</dd>");
    }

    // ---- transfers --------------------------------------------------------------------------------------------------

    public String transfers(final Viewer viewer, final Exports exports) throws LedgerException, InterruptedException {
        LedgerSnapshot snapshot = viewer.snapshot();
        Table table = new Table("transfers", "Transfers in flight", "transfer", "kind", "state", "donor", "recipient",
                "amount", "escrow held", "deadline", "time left").keyedBy("transfer");
        for (Transfer transfer : snapshot.index().transfers().values()) {
            if (TransferState.OPEN.contains(transfer.state()) && viewer.mayView(transfer)) {
                List<String> cells = transferCells(transfer);
                Table.Cell[] row = new Table.Cell[cells.size()];
                for (int i = 0; i < row.length; i++) {
                    row[i] = Table.Cell.text(cells.get(i));
                }
                row[7] = when(transfer.deadlineEpochSeconds());
                row[8] = new Table.Cell(cells.get(8), transfer.deadlineEpochSeconds(), null, "time-left");
                table.add(transfer.transferId(), null, row);
            }
        }
        // The page carries the ledger's now, so that the browser counts down from the ledger's clock, not its own.
        return asOf(snapshot) + "<p>Transfers in flight (requested, granted, offered), with the deadline of the request or of the escrow. "
                + "<span id=\"live-status\" role=\"status\">This list updates live from the ledger's events.</span></p>"
                + "<div id=\"live-transfers\" data-after=\"" + snapshot.liveFromBlock() + "\" data-now=\""
                + ledgerClock.instant().getEpochSecond() + "\">" + exports.html(table) + "</div>";
    }

    // ---- refunds ----------------------------------------------------------------------------------------------------

    /** Every refund the viewer may see (its own organisation's meters, or all), as the ledger's events last told it. */
    public String refunds(final Viewer viewer, final Exports exports) throws InterruptedException {
        LedgerSnapshot snapshot = viewer.snapshot();
        Table table = new Table("refunds", "Refunds of spoiled pieces", "meter", "piece", "amount", "state",
                "credited to", "requested", "reason", "answered", "answer");
        long pending = 0;
        for (org.postalfunds.api.model.Refund refund : snapshot.index().refunds().values()) {
            if (!viewer.mayView(refund.ownerMsp())) {
                continue;
            }
            if (refund.state() == org.postalfunds.api.model.RefundState.REQUESTED) {
                pending++;
            }
            table.add(Table.Cell.text(refund.meterId()), new Table.Cell(Long.toString(refund.pieceNumber()),
                    refund.pieceNumber(), null, null), money(refund.amountMinorUnits()), Table.Cell.text(refund.state()),
                    Table.Cell.text(refund.creditMeterId()), when(refund.requestedAtEpochSeconds()),
                    Table.Cell.text(refund.reason()),
                    refund.decidedAtEpochSeconds() == null ? Table.Cell.text("—") : when(refund.decidedAtEpochSeconds()),
                    Table.Cell.text(refund.decisionReason() == null ? "" : refund.decisionReason()));
        }
        return asOf(snapshot) + "<p>Refunds meters asked for spoiled pieces: the postal authority approves (the postage goes "
                + "back to the meter, and the piece's indicium verifies as REFUNDED from then on) or rejects. "
                + "<span id=\"refunds-pending\">" + pending + " waiting for an answer</span>.</p>" + exports.html(table);
    }

    /** A row's cells, in table order; the live updates send the same cells. */
    public List<String> transferCells(final Transfer transfer) {
        return List.of(transfer.transferId(), transfer.kind().name(), transfer.state().name(), transfer.donorMeterId(),
                transfer.recipientMeterId(), amount(transfer.amountMinorUnits()),
                transfer.state().holdsEscrow() ? amount(transfer.amountMinorUnits()) : "—",
                time(transfer.deadlineEpochSeconds()), timeLeft(transfer.deadlineEpochSeconds()));
    }

    private String timeLeft(final long deadlineEpochSeconds) {
        Duration left = Duration.between(ledgerClock.instant(), Instant.ofEpochSecond(deadlineEpochSeconds));
        if (left.isNegative() || left.isZero()) {
            return "PAST DEADLINE: may be expired";
        }
        return left.toDays() > 0 ? left.toDays() + " d " + left.toHoursPart() + " h" : left.toHours() + " h "
                + left.toMinutesPart() + " min";
    }

    // ---- flows and charts -------------------------------------------------------------------------------------------

    /** The period of a flows or charts request; absent bounds are open. */
    record Period(LocalDate from, LocalDate to) {
        boolean contains(final long epochSeconds) {
            LocalDate day = LocalDate.ofInstant(Instant.ofEpochSecond(epochSeconds), ZoneOffset.UTC);
            return contains(day);
        }

        boolean contains(final LocalDate day) {
            return (from == null || !day.isBefore(from)) && (to == null || !day.isAfter(to));
        }

        String describe() {
            return (from == null ? "the first day" : from.toString()) + " to " + (to == null ? "today" : to.toString());
        }
    }

    static Period period(final String from, final String to) {
        LocalDate start = from == null || from.isEmpty() ? null : day(from, "from");
        LocalDate end = to == null || to.isEmpty() ? null : day(to, "to");
        if (start != null && end != null && end.isBefore(start)) {
            throw HttpProblem.badRequest("the period ends (" + end + ") before it starts (" + start + ")");
        }
        return new Period(start, end);
    }

    /** An organisation filter: absent or empty is every organisation the viewer may see. */
    static String organisation(final String parameter) {
        if (parameter == null || parameter.isEmpty()) {
            return null;
        }
        if (!parameter.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
            throw HttpProblem.badRequest("org must be an MSP id (e.g. MailerAMSP); \"" + shorten(parameter) + "\" is not one");
        }
        return parameter;
    }

    public String flows(final Viewer viewer, final Period period, final String org, final int top,
            final Exports exports) throws LedgerException, InterruptedException {
        LedgerSnapshot snapshot = viewer.snapshot();
        java.util.function.Predicate<String> shown = meterId -> {
            String owner = snapshot.owner(meterId).orElse("");
            return (org == null || org.equals(owner)) && viewer.mayView(owner);
        };
        FlowDiagram diagram = new FlowDiagram();
        snapshot.refillsPerDay().forEach((meterId, days) -> {
            if (shown.test(meterId)) {
                days.forEach((day, minorUnits) -> {
                    if (period.contains(day)) {
                        diagram.add(new FlowDiagram.Flow(FlowDiagram.REFILLS, meterId, minorUnits, 1));
                    }
                });
            }
        });
        snapshot.postagePerDay().forEach((meterId, days) -> {
            if (shown.test(meterId)) {
                days.forEach((day, minorUnits) -> {
                    if (period.contains(day)) {
                        diagram.add(new FlowDiagram.Flow(meterId, FlowDiagram.POSTAGE, minorUnits, 1));
                    }
                });
            }
        });
        Map<List<String>, long[]> pairs = new TreeMap<>((a, b) -> a.toString().compareTo(b.toString()));
        for (Transfer transfer : snapshot.index().transfers().values()) {
            boolean settled = transfer.state() == TransferState.ACCEPTED || transfer.state() == TransferState.ACKNOWLEDGED;
            boolean inFilter = org == null || org.equals(transfer.donorOwnerMsp()) || org.equals(transfer.recipientOwnerMsp());
            if (settled && inFilter && viewer.mayView(transfer) && period.contains(transfer.updatedAtEpochSeconds())) {
                diagram.add(new FlowDiagram.Flow(transfer.donorMeterId(), transfer.recipientMeterId(),
                        transfer.amountMinorUnits(), 1));
                long[] sum = pairs.computeIfAbsent(List.of(transfer.donorMeterId(), transfer.recipientMeterId()),
                        key -> new long[2]);
                sum[0] += transfer.amountMinorUnits();
                sum[1]++;
            }
        }
        Table links = new Table("flow-links", "The diagram's links: the " + top + " meters that moved the most funds on their"
                + " own, the others grouped per organisation", "from", "to", "amount", "movements");
        for (FlowDiagram.Link link : diagram.links(top, meterId -> snapshot.owner(meterId).orElse(""))) {
            links.add(Table.Cell.text(link.from()), Table.Cell.text(link.to()), money(link.amountMinorUnits()),
                    Table.Cell.count(link.movements()));
        }
        Table flows = new Table("flows", "Funds settled between meters, every pair", "from meter", "to meter", "amount",
                "transfers");
        pairs.forEach((pair, sum) -> flows.add(Table.Cell.text(pair.get(0)), Table.Cell.text(pair.get(1)), money(sum[0]),
                Table.Cell.count(sum[1])));
        StringBuilder html = new StringBuilder(asOf(snapshot));
        html.append("<form method=\"get\" action=\"/flows\" class=\"inline\">").append(periodFields(period));
        html.append("<label>organisation <select name=\"org\"><option value=\"\">all</option>");
        java.util.SortedSet<String> organisations = new java.util.TreeSet<>();
        snapshot.index().meterIds().forEach(meterId -> snapshot.owner(meterId).filter(viewer::mayView)
                .ifPresent(organisations::add));
        for (String msp : organisations) {
            html.append("<option").append(msp.equals(org) ? " selected" : "").append('>').append(esc(msp)).append("</option>");
        }
        html.append("</select></label> <label>meters on their own <input name=\"top\" inputmode=\"numeric\" size=\"4\" value=\"")
                .append(top).append("\"></label> <button type=\"submit\">Show</button></form>");
        html.append("<p>Funds from ").append(esc(period.describe())).append(": the data center's refills into meters, ")
                .append("meters' postage printed, and funds settled between meters (accepted pulls, acknowledged pushes) ")
                .append("into the recipient's <em>received</em> node; ").append(diagram.meters()).append(" meter(s).</p>");
        html.append(Charts.figure("flow-graph", Charts.Kind.SANKEY, "Flows of funds, " + period.describe()
                + (org == null ? "" : ", " + org), links));
        html.append(exports.html(links)).append(exports.html(flows));
        return html.toString();
    }

    public String charts(final Viewer viewer, final Period period, final String meterParameter, final Exports exports)
            throws LedgerException, InterruptedException {
        LedgerSnapshot snapshot = viewer.snapshot();
        Map<String, Long> postage = new TreeMap<>();
        for (Map.Entry<String, SortedMap<LocalDate, Long>> printed : snapshot.postagePerDay().entrySet()) {
            if (!viewer.mayView(snapshot.owner(printed.getKey()).orElse(""))) {
                continue;
            }
            printed.getValue().forEach((day, minorUnits) -> {
                if (period.contains(day)) {
                    postage.merge(day.toString(), minorUnits, Long::sum);
                }
            });
        }
        Map<String, Long> transfersPerDay = new TreeMap<>();
        for (Transfer transfer : snapshot.index().transfers().values()) {
            if (viewer.mayView(transfer) && period.contains(transfer.createdAtEpochSeconds())) {
                String day = LocalDate.ofInstant(Instant.ofEpochSecond(transfer.createdAtEpochSeconds()), ZoneOffset.UTC)
                        .toString();
                transfersPerDay.merge(day, 1L, Long::sum);
            }
        }
        List<String> visibleMeters = new ArrayList<>();
        for (String meterId : snapshot.index().meterIds()) {
            if (viewer.mayView(snapshot.owner(meterId).orElse(""))) {
                visibleMeters.add(meterId);
            }
        }
        String meterId = meterParameter == null || meterParameter.isEmpty()
                ? (visibleMeters.isEmpty() ? null : visibleMeters.get(0)) : requireId(meterParameter, "meter");
        Table postageTable = new Table("postage", "Postage printed per day", "day", "postage");
        postage.forEach((day, minorUnits) -> postageTable.add(Table.Cell.text(day), money(minorUnits)));
        Table transfersTable = new Table("transfers-per-day", "Transfers opened per day", "day", "transfers");
        transfersPerDay.forEach((day, count) -> transfersTable.add(Table.Cell.text(day), Table.Cell.count(count)));
        StringBuilder html = new StringBuilder(asOf(snapshot)).append("<form method=\"get\" action=\"/charts\" class=\"inline\">")
                .append(periodFields(period)).append("<button type=\"submit\">Show</button></form>");
        html.append("<h2>Postage printed per day</h2>")
                .append(Charts.figure("postage-chart", Charts.Kind.BAR, "Postage printed per day", postageTable))
                .append(exports.html(postageTable));
        html.append("<h2>Transfers opened per day</h2>")
                .append(Charts.figure("transfers-chart", Charts.Kind.BAR, "Transfers opened per day", transfersTable))
                .append(exports.html(transfersTable));
        html.append("<h2>Balance over time</h2>");
        if (meterId == null) {
            html.append("<p class=\"empty\">No meter to show.</p>");
        } else {
            viewer.requireMeter(meterId, snapshot);
            html.append("<form method=\"get\" action=\"/charts\" class=\"inline\"><label>meter <select name=\"meter\">");
            for (String visible : visibleMeters) {
                html.append("<option").append(visible.equals(meterId) ? " selected" : "").append(">").append(esc(visible))
                        .append("</option>");
            }
            html.append("</select></label><button type=\"submit\">Show</button></form>");
            AccountHistory history = AuditorClient.of(viewer.ledger()).history("METER:" + meterId, TIMELINE_LIMIT);
            Table balance = timeline(history);
            html.append(Charts.figure("balance-chart", Charts.Kind.STEP_LINE, "Registers of " + meterId + " over time",
                    balance)).append(exports.html(balance));
        }
        return html.toString();
    }

    private static String periodFields(final Period period) {
        return "<label>from <input type=\"date\" name=\"from\" value=\"" + esc(period.from() == null ? "" : period.from())
                + "\"></label> <label>to <input type=\"date\" name=\"to\" value=\""
                + esc(period.to() == null ? "" : period.to()) + "\"></label> ";
    }

    // ---- conservation and chain -------------------------------------------------------------------------------------

    public String conservation(final Viewer viewer, final Exports exports) throws LedgerException, InterruptedException {
        viewer.requireSeesAll("the conservation check");
        AuditReport report = AuditorClient.of(viewer.ledger()).audit(LedgerIndex.Progress.NONE);
        exports.document("report", auditJson(report));
        AuditTotals totals = report.totals();
        StringBuilder html = new StringBuilder();
        html.append("<p id=\"audit-result\" class=\"verdict ").append(report.passed() ? "good\">PASSED" : "bad\">FAILED")
                .append("</p><p>The client re-derives the contract's conservation proof: ")
                .append(report.eventsReplayed()).append(" events replayed, ").append(report.metersChecked())
                .append(" meters, ").append(report.transfersChecked()).append(" open escrows, ")
                .append(report.allotmentsChecked()).append(" allotments checked; ").append(report.attempts())
                .append(" run(s) to see the ledger standing still; as of ").append(esc(time(totals.asOfEpochSeconds())))
                .append(". <a href=\"").append(esc(exports.href("report", "json"))).append("\" download id=\"export-report\">")
                .append("The whole report as JSON</a>.</p>");
        html.append(exports.html(checks("checks", "The auditor's checks", report.checks())));
        html.append("<h2>Proof figures (the contract's)</h2><dl class=\"facts\" id=\"proof\">");
        AuditTotals.Proof proof = totals.proof();
        if (proof != null) {
            fact(html, "equation", proof.equation());
            fact(html, "sum", amount(proof.sumMinorUnits()));
            fact(html, "balanced", proof.balanced() ? "yes" : "NO");
            fact(html, "control sums re-checked", Long.toString(proof.controlSumsChecked()));
        }
        fact(html, "meters", Long.toString(totals.meters()));
        fact(html, "pieces printed", Long.toString(totals.pieces()));
        fact(html, "allotments", Long.toString(totals.allotments()));
        fact(html, "open escrows", Long.toString(totals.openEscrows()));
        html.append("</dl>");
        Table totalsTable = new Table("totals", "Totals per account class (they sum to zero)", "account class", "total");
        long sum = 0;
        for (Map.Entry<String, Long> entry : totals.totalsMinorUnits().entrySet()) {
            totalsTable.add(Table.Cell.text(entry.getKey()), money(entry.getValue()));
            sum = Math.addExact(sum, entry.getValue());
        }
        totalsTable.add(null, "sum", Table.Cell.text("sum of all classes"), money(sum));
        html.append(exports.html(totalsTable));
        return html.toString();
    }

    private static Table checks(final String id, final String caption, final List<AuditCheck> checks) {
        Table table = new Table(id, caption, "check", "result", "summary", "findings");
        for (AuditCheck check : checks) {
            table.add(null, check.passed() ? "good" : "bad", Table.Cell.text(check.name()),
                    Table.Cell.text(check.passed() ? "passed" : "FAILED"), Table.Cell.text(check.summary()),
                    Table.Cell.text(String.join("; ", check.findings())));
        }
        return table;
    }

    /** The audit as one JSON document: verdict, every check and the contract's proof figures, amounts in minor units. */
    static String auditJson(final AuditReport report) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("passed", report.passed());
        json.put("eventsReplayed", report.eventsReplayed());
        json.put("metersChecked", report.metersChecked());
        json.put("transfersChecked", report.transfersChecked());
        json.put("allotmentsChecked", report.allotmentsChecked());
        json.put("attempts", report.attempts());
        List<Map<String, Object>> checks = new ArrayList<>();
        for (AuditCheck check : report.checks()) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("name", check.name());
            one.put("passed", check.passed());
            one.put("summary", check.summary());
            one.put("findings", check.findings());
            checks.add(one);
        }
        json.put("checks", checks);
        json.put("totals", report.totals());
        try {
            return REPORT_JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("the audit report did not serialise", e);
        }
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper REPORT_JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();

    public String chain(final Viewer viewer, final String fromParameter, final String toParameter, final Exports exports)
            throws LedgerException, InterruptedException {
        viewer.requireSeesAll("chain verification");
        long from = fromParameter == null || fromParameter.isEmpty() ? 0 : blockNumber(fromParameter, "from");
        Long to = toParameter == null || toParameter.isEmpty() ? null : blockNumber(toParameter, "to");
        if (to != null && to < from) {
            throw HttpProblem.badRequest("the range ends at block " + to + ", before it starts at block " + from);
        }
        long last = to == null ? from + MAX_CHAIN_RANGE - 1 : to;
        if (last - from + 1 > MAX_CHAIN_RANGE) {
            throw HttpProblem.badRequest("at most " + MAX_CHAIN_RANGE + " blocks per request; verify longer chains in ranges");
        }
        ChainReport report;
        try (BlockFeed blocks = viewer.ledger().blocks(); BlockFeed range = new BlockRange(blocks, from, last)) {
            report = new ChainVerifier(chaincode, requiredEndorsers).verify(range, from, LedgerIndex.Progress.NONE);
        }
        long lastRead = from + report.blocks() - 1;
        StringBuilder html = new StringBuilder();
        html.append("<form method=\"get\" action=\"/chain\" class=\"inline\"><label>from block <input name=\"from\" "
                + "inputmode=\"numeric\" value=\"").append(from).append("\"></label> <label>to block <input name=\"to\" "
                + "inputmode=\"numeric\" value=\"").append(to == null ? "" : to).append("\"></label> "
                + "<button type=\"submit\">Verify</button></form>");
        if (report.blocks() == 0) {
            html.append("<p id=\"chain-result\" class=\"verdict bad\">NO BLOCKS</p><p>The chain has no block ")
                    .append(from).append(" yet.</p>");
            return html.toString();
        }
        html.append("<p id=\"chain-result\" class=\"verdict ").append(report.passed() ? "good\">VERIFIED" : "bad\">FAILED")
                .append("</p><p id=\"chain-range\">Blocks ").append(from).append("–").append(lastRead).append(": ")
                .append(report.blocks()).append(" blocks, ").append(report.transactions()).append(" transactions, ")
                .append(report.endorsements()).append(" endorsement signatures; every valid transaction of ")
                .append(esc(chaincode)).append(" must be endorsed by ").append(esc(requiredEndorsers)).append(".");
        if (to != null && lastRead < to) {
            html.append(" The chain ends at block ").append(lastRead).append(".");
        }
        if (from > 0) {
            html.append(" Block ").append(from).append("'s link to block ").append(from - 1)
                    .append(" is outside the range and not checked.");
        }
        html.append("</p>");
        html.append(exports.html(checks("chain-checks", "Chain checks, blocks " + from + "–" + lastRead, report.checks())));
        return html.toString();
    }

    /** The blocks of a range of a feed from block 0: those before it are skipped, the feed ends after its last. */
    static final class BlockRange implements BlockFeed {
        private final BlockFeed blocks;
        private final long from;
        private final long to;
        private boolean done;

        BlockRange(final BlockFeed blocks, final long from, final long to) {
            this.blocks = blocks;
            this.from = from;
            this.to = to;
        }

        @Override
        public java.util.Optional<org.hyperledger.fabric.protos.common.Block> next(final Duration wait)
                throws LedgerException, InterruptedException {
            while (!done) {
                var next = blocks.next(wait);
                if (next.isEmpty()) {
                    done = blocks.ended();
                    return next;
                }
                long number = next.get().getHeader().getNumber();
                if (number >= to) {
                    done = true;
                }
                if (number >= from && number <= to) {
                    return next;
                }
            }
            return java.util.Optional.empty();
        }

        @Override
        public boolean ended() {
            return done || blocks.ended();
        }

        @Override
        public void close() {
            blocks.close();
        }
    }

    // ---- indicium ---------------------------------------------------------------------------------------------------

    public String indiciumForm(final Sessions.Session session) {
        return "<p>Upload the Data Matrix PNG of a printed indicium (at most " + (MAX_UPLOAD_BYTES / 1024) + " KiB). "
                + "The console decodes it, checks the PSD signature against the meter's registered key and asks the ledger "
                + "for its record. Nothing is recorded.</p>"
                + "<form method=\"post\" action=\"/indicium\" enctype=\"multipart/form-data\" id=\"indicium-form\">"
                + Html.csrfField(session) + "<input type=\"file\" name=\"png\" accept=\"image/png\" required id=\"png\"> "
                + "<button type=\"submit\">Verify</button></form>";
    }

    /** Decodes and verifies an uploaded PNG (already size-checked). */
    public String verifyIndicium(final Viewer viewer, final InputStream upload) throws IOException, LedgerException,
            InterruptedException {
        byte[] bytes = upload.readNBytes(MAX_UPLOAD_BYTES + 1);
        if (bytes.length > MAX_UPLOAD_BYTES) {
            throw tooLarge();
        }
        if (!IndiciumFiles.isPng(bytes)) {
            throw new HttpProblem(415, "Not a PNG image", "the upload is not a PNG image (its first bytes are not the PNG "
                    + "signature); upload the Data Matrix PNG that print-postage wrote");
        }
        Indicium indicium;
        try {
            String text = DataMatrixCodec.decodePng(bytes);
            if (text.length() > Indicium.MAX_JSON_CHARS) {
                throw new IllegalArgumentException("the symbol holds more than " + Indicium.MAX_JSON_CHARS + " characters");
            }
            indicium = Indicia.parse(text.strip());
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new HttpProblem(422, "No indicium in the image", "the PNG holds no readable indicium: " + e.getMessage());
        }
        LedgerSnapshot snapshot = viewer.snapshot();
        String owner = snapshot.owner(indicium.meterId()).orElse(null);
        if (owner != null && !viewer.mayView(owner)) {
            throw HttpProblem.forbidden("meter " + indicium.meterId() + " belongs to another organisation");
        }
        IndiciumCheck check = AuditorClient.of(viewer.ledger()).verifyIndicium(indicium);
        String verdict;
        String css;
        if (check.accepted()) {
            verdict = "GENUINE";
            css = "good";
        } else if (check.verdict() == IndiciumVerdict.FORGED || check.signatureValid().filter(valid -> !valid).isPresent()) {
            verdict = "FORGED";
            css = "bad";
        } else if (check.verdict() == IndiciumVerdict.REFUNDED) {
            // Its postage was paid back: a refunded piece on mail is evidence of fraud, never genuine.
            verdict = "REFUNDED";
            css = "bad";
        } else if (check.verdict() == IndiciumVerdict.UNKNOWN_METER || check.verdict() == IndiciumVerdict.NOT_ON_LEDGER) {
            verdict = "UNKNOWN";
            css = "bad";
        } else {
            verdict = check.verdict().name();
            css = "bad";
        }
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("meter", indicium.meterId());
        facts.put("piece", Long.toString(indicium.pieceNumber()));
        facts.put("amount", amount(indicium.amountMinorUnits()));
        facts.put("mailing date", indicium.mailingDate());
        facts.put("destination", indicium.destinationPostalCode() + " " + indicium.destinationCountryCode());
        facts.put("rate", indicium.rateCode());
        facts.put("PSD signature", check.signatureValid().map(valid -> valid ? "verifies under the meter's registered key"
                : "does NOT verify under the meter's registered key").orElse("cannot be checked: the ledger knows no such meter"));
        facts.put("ledger verdict", check.verdict().name());
        check.ledger().ledgerRecord().ifPresent(record -> facts.put("recorded", time(record.recordedAtEpochSeconds())
                + " in transaction " + record.txId()));
        StringBuilder html = new StringBuilder("<p id=\"indicium-verdict\" class=\"verdict ").append(css).append("\">")
                .append(esc(verdict)).append("</p>");
        if (check.signatureDisagreesWithLedger()) {
            html.append("<p class=\"bad\">This console's signature check contradicts the ledger's verdict: investigate the "
                    + "meter's registered key.</p>");
        }
        html.append("<dl class=\"facts\" id=\"indicium\">");
        facts.forEach((name, value) -> fact(html, name, value));
        return html.append("</dl>").toString();
    }

    static HttpProblem tooLarge() {
        return new HttpProblem(413, "Upload too large", "the upload is larger than " + (MAX_UPLOAD_BYTES / 1024)
                + " KiB; an indicium's Data Matrix PNG is a few KiB");
    }
}
