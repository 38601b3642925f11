package org.postalfunds.console;

import static org.postalfunds.console.Html.esc;

/**
 * Where a chart goes on a page: a figure that {@code console.js} fills with Apache ECharts (served by the console
 * from its WebJar, nothing fetched from elsewhere), drawn from a table on the same page. The table is the chart's
 * text alternative and its export; the figure is focusable and names that table, so keyboard and screen-reader users
 * reach the numbers behind the picture.
 */
public final class Charts {
    /** What console.js draws; each reads its table's columns in a fixed order (see console.js). */
    public enum Kind {
        /** Columns: label, value. */
        BAR,
        /** Columns: time (data-value epoch seconds), then one series per further numeric column. */
        STEP_LINE,
        /** Columns: from, to, amount (data-value), transfers. */
        SANKEY,
        /** Columns as STEP_LINE; a second table (escrow periods: from, to as epoch seconds) shades the escrow time. */
        TIMELINE
    }

    private Charts() {
    }

    public static String figure(final String id, final Kind kind, final String title, final Table data) {
        return figure(id, kind, title, data, null);
    }

    /** @param periods for {@link Kind#TIMELINE}: the table of escrow periods (its columns 2 and 3: start, end) */
    public static String figure(final String id, final Kind kind, final String title, final Table data,
            final Table periods) {
        StringBuilder html = new StringBuilder("<figure class=\"chart-figure\">");
        if (data.size() == 0) {
            return html.append("<p class=\"empty\" id=\"").append(esc(id)).append("\">").append(esc(title))
                    .append(": nothing to show.</p></figure>").toString();
        }
        html.append("<div class=\"chart\" id=\"").append(esc(id)).append("\" data-chart=\"")
                .append(kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')).append("\" data-source=\"")
                .append(esc(data.id())).append('"');
        if (periods != null) {
            html.append(" data-periods=\"").append(esc(periods.id())).append('"');
        }
        html.append(" role=\"img\" tabindex=\"0\" aria-label=\"").append(esc(title + ": the figures are in the table "
                + "below")).append("\" aria-describedby=\"").append(esc(data.id())).append("\"></div><figcaption>")
                .append(esc(title)).append(" <a href=\"#").append(esc(data.id())).append("\">(the numbers)</a>")
                .append("</figcaption></figure>");
        return html.toString();
    }
}
