package org.postalfunds.console;

import static org.postalfunds.console.Html.esc;
import static org.postalfunds.console.Html.row;
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
import java.util.regex.Pattern;
import org.postalfunds.client.AuditorClient;
import org.postalfunds.client.Money;
import org.postalfunds.client.audit.AuditCheck;
import org.postalfunds.client.audit.AuditReport;
import org.postalfunds.client.audit.ChainReport;
import org.postalfunds.client.audit.ChainVerifier;
import org.postalfunds.client.audit.IndiciumCheck;
import org.postalfunds.client.audit.LedgerIndex;
import org.postalfunds.client.indicium.DataMatrixCodec;
import org.postalfunds.client.indicium.Indicium;
import org.postalfunds.client.indicium.IndiciumFiles;
import org.postalfunds.client.ledger.BlockFeed;
import org.postalfunds.client.ledger.LedgerException;
import org.postalfunds.client.model.AccountHistory;
import org.postalfunds.client.model.AuditTotals;
import org.postalfunds.client.model.HistoryEntry;
import org.postalfunds.client.model.IndiciumVerdict;
import org.postalfunds.client.model.MeterView;
import org.postalfunds.client.model.PsdRegisters;
import org.postalfunds.client.model.Transfer;
import org.postalfunds.client.model.TransferState;

/**
 * The console's pages: each renders HTML from the organisation's current snapshot of the ledger's events (kept up to
 * date by its {@link LedgerFollower}, never replayed per page) and the queries it makes through the viewer's connection.
 */
public final class Pages {
    /** Meter and transfer ids: the contract's own rule (chaincode support.Ids), 1-64 of A-Z a-z 0-9 . _ -. */
    public static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    public static final int MAX_UPLOAD_BYTES = 1024 * 1024;
    /** Blocks verified by one request of the chain page. */
    public static final long MAX_CHAIN_RANGE = 100_000;
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("uuuu-MM-dd")
            .withResolverStyle(ResolverStyle.STRICT);
    private static final int HISTORY_LIMIT = 100;

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
        if (value == null || !ID.matcher(value).matches()) {
            throw HttpProblem.badRequest(what + " must be 1-64 characters of A-Z a-z 0-9 . _ - starting with a letter or "
                    + "digit (the ledger's rule for ids); \"" + shorten(value) + "\" is not one");
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

    public String meters(final Viewer viewer) throws LedgerException, InterruptedException {
        LedgerSnapshot snapshot = viewer.snapshot();
        AuditorClient reader = AuditorClient.of(viewer.ledger());
        List<String> rows = new ArrayList<>();
        for (String meterId : snapshot.index().meterIds()) {
            if (!viewer.mayView(snapshot.owner(meterId).orElse(""))) {
                continue;
            }
            MeterView view = reader.meter(meterId);
            PsdRegisters r = view.registers();
            rows.add("<tr data-meter=\"" + esc(meterId) + "\"><td><a href=\"/meters/" + esc(meterId) + "\">" + esc(meterId)
                    + "</a></td><td>" + esc(view.meter().ownerMsp()) + "</td><td>" + esc(view.meter().kind()) + "</td><td>"
                    + esc(view.meter().status()) + "</td><td class=\"num\">" + esc(amount(r.descendingRegisterMinorUnits()))
                    + "</td><td class=\"num\">" + esc(amount(r.ascendingRegisterMinorUnits())) + "</td><td class=\"num\">"
                    + r.pieceCount() + "</td><td class=\"num\">" + esc(amount(r.refilledMinorUnits())) + "</td><td class=\"num\">"
                    + esc(amount(r.transferredInMinorUnits())) + "</td><td class=\"num\">"
                    + esc(amount(r.transferredOutMinorUnits())) + "</td><td>" + (r.controlSumHolds() ? "holds" : "BROKEN")
                    + "</td><td class=\"inspection-" + esc(view.inspection().status()) + "\">"
                    + esc(view.inspection().status()) + "</td><td>" + esc(time(view.inspection().dueAtEpochSeconds()))
                    + "</td><td>" + esc(time(view.inspection().overdueAtEpochSeconds())) + "</td></tr>");
        }
        String scope = viewer.user().role().seesAll() ? "every meter registered on the ledger"
                : "the meters of " + viewer.user().mspId();
        return asOf(snapshot) + "<p>" + rows.size() + " meter(s): " + esc(scope) + ". Registers in currency units.</p>"
                + Html.table("meters", new String[] {"meter", "owner", "kind", "status", "descending (available)",
                    "ascending (printed)", "pieces", "refilled", "in", "out", "control sum", "inspection",
                    "inspection due", "overdue from"}, rows);
    }

    public String meter(final Viewer viewer, final String meterId) throws LedgerException, InterruptedException {
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
        fact(html, "PSD key fingerprint", view.meter().publicKeyFingerprint());
        fact(html, "descending register (available)", amount(r.descendingRegisterMinorUnits()));
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
        AccountHistory history = reader.history("METER:" + meterId, HISTORY_LIMIT);
        html.append(Svg.stepChart("balance-chart", "Available balance of " + meterId + " over time",
                balancePoints(history), this::amount, Html::time));
        html.append("<h2>Transfers</h2>");
        List<String> transferRows = new ArrayList<>();
        for (Transfer transfer : snapshot.index().transfers().values()) {
            if (meterId.equals(transfer.donorMeterId()) || meterId.equals(transfer.recipientMeterId())) {
                transferRows.add(row(transfer.transferId(), transfer.kind(), transfer.state(), transfer.donorMeterId(),
                        transfer.recipientMeterId(), amount(transfer.amountMinorUnits()), time(transfer.createdAtEpochSeconds()),
                        time(transfer.updatedAtEpochSeconds())));
            }
        }
        html.append(Html.table("meter-transfers", new String[] {"transfer", "kind", "state", "donor", "recipient", "amount",
            "opened", "last change"}, transferRows));
        html.append("<h2>History of METER:").append(esc(meterId)).append(" (newest first)</h2>");
        List<String> historyRows = new ArrayList<>();
        for (HistoryEntry entry : history.history()) {
            historyRows.add(row(time(entry.timestampEpochSeconds()), entry.txId(),
                    entry.deleted() ? "deleted" : amount(entry.value().path("descendingRegisterMinorUnits").asLong()),
                    entry.deleted() ? "" : amount(entry.value().path("ascendingRegisterMinorUnits").asLong()),
                    entry.deleted() ? "" : entry.value().path("pieceCount").asText()));
        }
        html.append(Html.table("history", new String[] {"time", "transaction", "descending", "ascending", "pieces"},
                historyRows));
        return html.toString();
    }

    private static List<Svg.Point> balancePoints(final AccountHistory history) {
        List<Svg.Point> points = new ArrayList<>();
        List<HistoryEntry> oldestFirst = new ArrayList<>(history.history());
        java.util.Collections.reverse(oldestFirst);
        for (HistoryEntry entry : oldestFirst) {
            long value = entry.deleted() ? 0 : entry.value().path("descendingRegisterMinorUnits").asLong();
            points.add(new Svg.Point(entry.timestampEpochSeconds(), value, time(entry.timestampEpochSeconds())));
        }
        return points;
    }

    private static void fact(final StringBuilder html, final String name, final String value) {
        html.append("<dt>").append(esc(name)).append("</dt><dd>").append(esc(value)).append("</dd>");
    }

    // ---- transfers --------------------------------------------------------------------------------------------------

    public String transfers(final Viewer viewer) throws LedgerException, InterruptedException {
        LedgerSnapshot snapshot = viewer.snapshot();
        List<String> rows = new ArrayList<>();
        for (Transfer transfer : snapshot.index().transfers().values()) {
            if (TransferState.OPEN.contains(transfer.state()) && viewer.mayView(transfer)) {
                rows.add(transferRow(transfer));
            }
        }
        return asOf(snapshot) + "<p>Transfers in flight (requested, granted, offered), with the deadline of the request or of the escrow. "
                + "<span id=\"live-status\">This list updates live from the ledger's events.</span></p>"
                + "<table id=\"transfers\" data-after=\"" + snapshot.liveFromBlock() + "\"><thead><tr><th>transfer</th>"
                + "<th>kind</th><th>state</th><th>donor</th><th>recipient</th><th>amount</th><th>escrow held</th>"
                + "<th>deadline</th><th>time left</th></tr></thead><tbody>" + String.join("", rows) + "</tbody></table>";
    }

    /** A row's cells, in table order; the live updates send the same cells. */
    public List<String> transferCells(final Transfer transfer) {
        return List.of(transfer.transferId(), transfer.kind().name(), transfer.state().name(), transfer.donorMeterId(),
                transfer.recipientMeterId(), amount(transfer.amountMinorUnits()),
                transfer.state().holdsEscrow() ? amount(transfer.amountMinorUnits()) : "—",
                time(transfer.deadlineEpochSeconds()), timeLeft(transfer.deadlineEpochSeconds()));
    }

    private String transferRow(final Transfer transfer) {
        StringBuilder html = new StringBuilder("<tr data-transfer=\"").append(esc(transfer.transferId())).append("\">");
        for (String cell : transferCells(transfer)) {
            html.append("<td>").append(esc(cell)).append("</td>");
        }
        return html.append("</tr>").toString();
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

    public String flows(final Viewer viewer, final Period period) throws LedgerException, InterruptedException {
        LedgerSnapshot snapshot = viewer.snapshot();
        Map<List<String>, long[]> totals = new TreeMap<>((a, b) -> a.toString().compareTo(b.toString()));
        for (Transfer transfer : snapshot.index().transfers().values()) {
            boolean settled = transfer.state() == TransferState.ACCEPTED || transfer.state() == TransferState.ACKNOWLEDGED;
            if (settled && viewer.mayView(transfer) && period.contains(transfer.updatedAtEpochSeconds())) {
                long[] sum = totals.computeIfAbsent(List.of(transfer.donorMeterId(), transfer.recipientMeterId()),
                        key -> new long[2]);
                sum[0] += transfer.amountMinorUnits();
                sum[1]++;
            }
        }
        List<Svg.Edge> edges = new ArrayList<>();
        List<String> rows = new ArrayList<>();
        totals.forEach((pair, sum) -> {
            edges.add(new Svg.Edge(pair.get(0), pair.get(1), sum[0], (int) sum[1]));
            rows.add(row(pair.get(0), pair.get(1), amount(sum[0]), sum[1]));
        });
        return asOf(snapshot) + periodForm("/flows", period) + "<p>Funds settled between meters (accepted pulls, acknowledged pushes) from "
                + esc(period.describe()) + ".</p>"
                + Svg.flowGraph("flow-graph", "Funds between meters, " + period.describe(), edges, this::amount)
                + Html.table("flows", new String[] {"from meter", "to meter", "amount", "transfers"}, rows);
    }

    public String charts(final Viewer viewer, final Period period, final String meterParameter)
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
        StringBuilder html = new StringBuilder(asOf(snapshot)).append(periodForm("/charts", period));
        html.append("<h2>Postage printed per day</h2>")
                .append(Svg.barChart("postage-chart", "Postage printed per day", bars(postage), this::amount));
        html.append("<h2>Transfers opened per day</h2>")
                .append(Svg.barChart("transfers-chart", "Transfers opened per day", bars(transfersPerDay), Long::toString));
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
            AccountHistory history = AuditorClient.of(viewer.ledger()).history("METER:" + meterId, HISTORY_LIMIT);
            html.append(Svg.stepChart("balance-chart", "Available balance of " + meterId + " over time",
                    balancePoints(history), this::amount, Html::time));
        }
        return html.toString();
    }

    private static List<Svg.Bar> bars(final Map<String, Long> byDay) {
        List<Svg.Bar> bars = new ArrayList<>();
        byDay.forEach((day, value) -> bars.add(new Svg.Bar(day, value)));
        return bars;
    }

    private static String periodForm(final String action, final Period period) {
        return "<form method=\"get\" action=\"" + action + "\" class=\"inline\"><label>from <input type=\"date\" name=\"from\" "
                + "value=\"" + esc(period.from() == null ? "" : period.from()) + "\"></label> <label>to <input type=\"date\" "
                + "name=\"to\" value=\"" + esc(period.to() == null ? "" : period.to()) + "\"></label> "
                + "<button type=\"submit\">Show</button></form>";
    }

    // ---- conservation and chain -------------------------------------------------------------------------------------

    public String conservation(final Viewer viewer) throws LedgerException, InterruptedException {
        viewer.requireSeesAll("the conservation check");
        AuditReport report = AuditorClient.of(viewer.ledger()).audit(LedgerIndex.Progress.NONE);
        AuditTotals totals = report.totals();
        StringBuilder html = new StringBuilder();
        html.append("<p id=\"audit-result\" class=\"verdict ").append(report.passed() ? "good\">PASSED" : "bad\">FAILED")
                .append("</p><p>The client re-derives the contract's conservation proof: ")
                .append(report.eventsReplayed()).append(" events replayed, ").append(report.metersChecked())
                .append(" meters, ").append(report.transfersChecked()).append(" open escrows, ")
                .append(report.allotmentsChecked()).append(" allotments checked; ").append(report.attempts())
                .append(" run(s) to see the ledger standing still; as of ").append(esc(time(totals.asOfEpochSeconds())))
                .append(".</p>");
        List<String> checkRows = new ArrayList<>();
        for (AuditCheck check : report.checks()) {
            checkRows.add("<tr class=\"" + (check.passed() ? "good" : "bad") + "\"><td>" + esc(check.name()) + "</td><td>"
                    + (check.passed() ? "passed" : "FAILED") + "</td><td>" + esc(check.summary()) + "</td><td>"
                    + esc(String.join("; ", check.findings())) + "</td></tr>");
        }
        html.append(Html.table("checks", new String[] {"check", "result", "summary", "findings"}, checkRows));
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
        List<String> totalRows = new ArrayList<>();
        long sum = 0;
        for (Map.Entry<String, Long> entry : totals.totalsMinorUnits().entrySet()) {
            totalRows.add(row(entry.getKey(), amount(entry.getValue())));
            sum += entry.getValue();
        }
        totalRows.add("<tr class=\"sum\"><td>sum of all classes</td><td>" + esc(amount(sum)) + "</td></tr>");
        html.append(Html.table("totals", new String[] {"account class", "total"}, totalRows));
        return html.toString();
    }

    public String chain(final Viewer viewer, final String fromParameter, final String toParameter)
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
        List<String> rows = new ArrayList<>();
        for (AuditCheck check : report.checks()) {
            rows.add("<tr class=\"" + (check.passed() ? "good" : "bad") + "\"><td>" + esc(check.name()) + "</td><td>"
                    + (check.passed() ? "passed" : "FAILED") + "</td><td>" + esc(check.summary()) + "</td><td>"
                    + esc(String.join("; ", check.findings())) + "</td></tr>");
        }
        html.append(Html.table("chain-checks", new String[] {"check", "result", "summary", "findings"}, rows));
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
            indicium = Indicium.parse(text.strip());
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
