package org.postalfunds.console;

import static org.postalfunds.console.Html.esc;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One table of figures, rendered two ways from the same cells: as HTML on its page (with a caption, column headers
 * scoped for screen readers and a link to its CSV export) and as CSV (RFC 4180) for an auditor to take elsewhere.
 * Charts draw from a table too (the numbers behind each chart are always on the page), so a chart, its text
 * alternative and its export can never disagree.
 */
public final class Table {
    /** Rows one table holds: bounds the page and the export (1,000 meters and their transfers fit well within it). */
    public static final int MAX_ROWS = 200_000;

    /**
     * One cell: the text shown and exported, an optional raw number (minor units, counts, epoch seconds) that charts
     * read from {@code data-value}, an optional link and CSS class.
     */
    public record Cell(String text, Long value, String href, String css) {
        public static Cell text(final Object text) {
            return new Cell(text == null ? "" : text.toString(), null, null, null);
        }

        public static Cell number(final String text, final long value) {
            return new Cell(text, value, null, "num");
        }

        public static Cell count(final long value) {
            return new Cell(Long.toString(value), value, null, "num");
        }

        public static Cell link(final String text, final String href) {
            return new Cell(text, null, href, null);
        }

        public Cell withCss(final String value) {
            return new Cell(text, this.value, href, value);
        }
    }

    private final String id;
    private final String caption;
    private final List<String> columns;
    private final List<List<Cell>> rows = new ArrayList<>();
    private final List<String> rowCss = new ArrayList<>();
    private final List<String> rowKeys = new ArrayList<>();
    private String rowKeyAttribute;

    public Table(final String id, final String caption, final String... columns) {
        this.id = requireToken(id);
        this.caption = Objects.requireNonNull(caption, "caption");
        this.columns = List.of(columns);
    }

    private static String requireToken(final String id) {
        if (id == null || !id.matches("[a-z][a-z0-9-]{0,40}")) {
            throw new IllegalArgumentException("table ids are lower-case tokens: " + id);
        }
        return id;
    }

    public String id() {
        return id;
    }

    public List<String> columns() {
        return columns;
    }

    public int size() {
        return rows.size();
    }

    /** The rows' cells (read-only). */
    public List<List<Cell>> rows() {
        return rows.stream().map(List::copyOf).toList();
    }

    /** Rows carry {@code data-<attribute>="<key>"} (e.g. the live table finds a transfer's row by it). */
    public Table keyedBy(final String attribute) {
        this.rowKeyAttribute = attribute.matches("[a-z-]{1,20}") ? attribute : null;
        return this;
    }

    public Table add(final Cell... cells) {
        return add(null, null, cells);
    }

    public Table add(final String key, final String css, final Cell... cells) {
        if (cells.length != columns.size()) {
            throw new IllegalArgumentException(id + ": a row of " + cells.length + " cells for " + columns.size() + " columns");
        }
        if (rows.size() >= MAX_ROWS) {
            throw new HttpProblem(413, "Too many rows", "the table " + id + " would hold more than " + MAX_ROWS
                    + " rows; narrow the period or filter by organisation");
        }
        rows.add(Arrays.asList(cells));
        rowCss.add(css);
        rowKeys.add(key);
        return this;
    }

    /** Plain text cells. */
    public Table addText(final Object... cells) {
        return add(Arrays.stream(cells).map(Cell::text).toArray(Cell[]::new));
    }

    /** The table as HTML, with a caption and the link to its CSV export (the page's own URL with export=id). */
    public String html(final String exportHref) {
        StringBuilder html = new StringBuilder(256 + rows.size() * 96);
        html.append("<div class=\"table-wrap\"><table id=\"").append(esc(id)).append("\"><caption>").append(esc(caption));
        if (exportHref != null) {
            html.append(" <a class=\"export\" href=\"").append(esc(exportHref)).append("\" download id=\"export-")
                    .append(esc(id)).append("\">CSV</a>");
        }
        html.append("</caption><thead><tr>");
        for (String column : columns) {
            html.append("<th scope=\"col\">").append(esc(column)).append("</th>");
        }
        html.append("</tr></thead><tbody>");
        for (int r = 0; r < rows.size(); r++) {
            html.append("<tr");
            if (rowKeyAttribute != null && rowKeys.get(r) != null) {
                html.append(" data-").append(rowKeyAttribute).append("=\"").append(esc(rowKeys.get(r))).append('"');
            }
            if (rowCss.get(r) != null) {
                html.append(" class=\"").append(esc(rowCss.get(r))).append('"');
            }
            html.append('>');
            for (Cell cell : rows.get(r)) {
                html.append("<td");
                if (cell.css() != null) {
                    html.append(" class=\"").append(esc(cell.css())).append('"');
                }
                if (cell.value() != null) {
                    html.append(" data-value=\"").append(cell.value()).append('"');
                }
                html.append('>');
                if (cell.href() != null) {
                    html.append("<a href=\"").append(esc(cell.href())).append("\">").append(esc(cell.text())).append("</a>");
                } else {
                    html.append(esc(cell.text()));
                }
                html.append("</td>");
            }
            html.append("</tr>");
        }
        return html.append("</tbody></table></div>").toString();
    }

    /**
     * RFC 4180 CSV (CRLF line ends, fields quoted when needed). A text field that a spreadsheet would run as a
     * formula (starting with = + - @ or a tab/CR) is prefixed with an apostrophe: the ledger holds text from many
     * parties (meter ids, reasons), and an export must never execute it. Numbers are exported as shown.
     */
    public String csv() {
        StringBuilder csv = new StringBuilder(128 + rows.size() * 64);
        line(csv, columns.stream().map(Cell::text).toList());
        rows.forEach(row -> line(csv, row));
        return csv.toString();
    }

    private static void line(final StringBuilder csv, final List<Cell> cells) {
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) {
                csv.append(',');
            }
            csv.append(field(cells.get(i)));
        }
        csv.append("\r\n");
    }

    static String field(final Cell cell) {
        String text = cell.text();
        if (cell.value() == null && !text.isEmpty() && "=+-@\t\r".indexOf(text.charAt(0)) >= 0) {
            text = "'" + text;
        }
        if (text.indexOf(',') >= 0 || text.indexOf('"') >= 0 || text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0) {
            return '"' + text.replace("\"", "\"\"") + '"';
        }
        return text;
    }
}
