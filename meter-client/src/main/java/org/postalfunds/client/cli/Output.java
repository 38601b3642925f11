package org.postalfunds.client.cli;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.postalfunds.client.Money;
import org.postalfunds.client.model.Json;

/**
 * Everything the command line prints: human tables and sentences on stdout by default, JSON on stdout
 * with --json, progress and errors on stderr (so JSON on stdout stays parseable).
 */
final class Output {
    /** Rows printed in one table; longer lists say how many were left out. */
    static final int MAX_TABLE_ROWS = 10_000;

    private final PrintWriter out;
    private final PrintWriter err;
    private final boolean json;
    private final Money money;

    Output(final PrintWriter out, final PrintWriter err, final boolean json, final Money money) {
        this.out = out;
        this.err = err;
        this.json = json;
        this.money = money;
    }

    boolean json() {
        return json;
    }

    Money money() {
        return money;
    }

    String amount(final long minorUnits) {
        return money.format(minorUnits);
    }

    static String time(final long epochSeconds) {
        return Instant.ofEpochSecond(epochSeconds).toString();
    }

    /** A line for people; suppressed with --json. */
    void line(final String text) {
        if (!json) {
            out.println(text);
            out.flush();
        }
    }

    /** The JSON answer for scripts; printed only with --json. */
    void jsonValue(final Object value) {
        if (json) {
            out.println(Json.pretty(value));
            out.flush();
        }
    }

    /** A raw JSON document (a chaincode result), re-indented; printed only with --json. */
    void jsonText(final String document) {
        if (json) {
            out.println(Json.pretty(Json.treeFromLedger(document.getBytes(java.nio.charset.StandardCharsets.UTF_8))));
            out.flush();
        }
    }

    /** Progress and notes for people, on stderr whatever the output format. */
    void progress(final String text) {
        err.println(text);
        err.flush();
    }

    void error(final String text) {
        err.println(text);
        err.flush();
    }

    /** A table with aligned columns; suppressed with --json. */
    void table(final List<String> headers, final List<List<String>> rows) {
        if (json) {
            return;
        }
        List<List<String>> shown = rows.size() > MAX_TABLE_ROWS ? rows.subList(0, MAX_TABLE_ROWS) : rows;
        int[] widths = new int[headers.size()];
        for (int i = 0; i < headers.size(); i++) {
            widths[i] = headers.get(i).length();
        }
        for (List<String> row : shown) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        out.println(format(headers, widths));
        List<String> rules = new ArrayList<>();
        for (int width : widths) {
            rules.add("-".repeat(width));
        }
        out.println(format(rules, widths));
        for (List<String> row : shown) {
            out.println(format(row, widths));
        }
        if (shown.size() < rows.size()) {
            out.println("... " + (rows.size() - shown.size()) + " more rows not shown; use --json for all of them");
        }
        out.flush();
    }

    private static String format(final List<String> cells, final int[] widths) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) {
                line.append("  ");
            }
            String cell = cells.get(i);
            boolean last = i == cells.size() - 1;
            line.append(last ? cell : String.format("%-" + widths[i] + "s", cell));
        }
        return line.toString().stripTrailing();
    }
}
