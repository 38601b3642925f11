package org.postalfunds.console;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.LongFunction;

/**
 * Charts as server-rendered SVG (no script, no external library): bar charts of daily figures, a step line
 * of a balance over time, and the flow graph of funds between meters.
 */
public final class Svg {
    /** One bar: its label (e.g. a day) and value. */
    public record Bar(String label, long value) {
    }

    /** One point of a line: x (e.g. epoch seconds) and y. */
    public record Point(long x, long y, String label) {
    }

    /** Funds moved from one meter to another: the total and how many transfers. */
    public record Edge(String from, String to, long total, int transfers) {
    }

    private static final int WIDTH = 720;
    private static final int HEIGHT = 260;
    private static final int LEFT = 70;
    private static final int BOTTOM = 50;
    private static final int TOP = 20;

    private Svg() {
    }

    public static String barChart(final String id, final String title, final List<Bar> bars,
            final LongFunction<String> format) {
        if (bars.isEmpty()) {
            return "<p class=\"empty\" id=\"" + Html.esc(id) + "\">" + Html.esc(title) + ": nothing in this period.</p>";
        }
        long max = Math.max(1, bars.stream().mapToLong(Bar::value).max().orElse(1));
        int plotWidth = WIDTH - LEFT - 10;
        int plotHeight = HEIGHT - TOP - BOTTOM;
        double slot = (double) plotWidth / bars.size();
        StringBuilder svg = open(id, title);
        axes(svg, format.apply(max), format.apply(0));
        for (int i = 0; i < bars.size(); i++) {
            Bar bar = bars.get(i);
            double height = (double) bar.value() * plotHeight / max;
            double barWidth = Math.min(slot * 0.8, 48);
            double x = LEFT + i * slot + (slot - barWidth) / 2;
            double y = TOP + plotHeight - height;
            svg.append("<g class=\"bar\" data-label=\"").append(Html.esc(bar.label())).append("\" data-value=\"")
                    .append(bar.value()).append("\"><title>").append(Html.esc(bar.label() + ": " + format.apply(bar.value())))
                    .append("</title><rect x=\"").append(f(x)).append("\" y=\"").append(f(y)).append("\" width=\"")
                    .append(f(barWidth)).append("\" height=\"").append(f(height)).append("\" fill=\"#3b6ea5\"/>");
            if (bars.size() <= 31) {
                svg.append("<text x=\"").append(f(x + barWidth / 2)).append("\" y=\"").append(HEIGHT - BOTTOM + 14)
                        .append("\" font-size=\"10\" text-anchor=\"middle\">").append(Html.esc(shortLabel(bar.label())))
                        .append("</text>");
            }
            svg.append("</g>");
        }
        return svg.append("</svg>").toString();
    }

    /** A step line: the value holds until the next point. */
    public static String stepChart(final String id, final String title, final List<Point> points,
            final LongFunction<String> format, final LongFunction<String> xLabel) {
        if (points.isEmpty()) {
            return "<p class=\"empty\" id=\"" + Html.esc(id) + "\">" + Html.esc(title) + ": no data.</p>";
        }
        long minX = points.get(0).x();
        long maxX = Math.max(minX + 1, points.get(points.size() - 1).x());
        long maxY = Math.max(1, points.stream().mapToLong(Point::y).max().orElse(1));
        int plotWidth = WIDTH - LEFT - 10;
        int plotHeight = HEIGHT - TOP - BOTTOM;
        StringBuilder svg = open(id, title);
        axes(svg, format.apply(maxY), format.apply(0));
        StringBuilder path = new StringBuilder();
        for (int i = 0; i < points.size(); i++) {
            Point point = points.get(i);
            double x = LEFT + (double) (point.x() - minX) * plotWidth / (maxX - minX);
            double y = TOP + plotHeight - (double) point.y() * plotHeight / maxY;
            path.append(i == 0 ? "M" : " H" + f(x) + " V").append(i == 0 ? f(x) + " " + f(y) : f(y));
        }
        path.append(" H").append(LEFT + plotWidth);
        svg.append("<path class=\"line\" d=\"").append(path).append("\" fill=\"none\" stroke=\"#3b6ea5\" stroke-width=\"2\"/>");
        for (Point point : points) {
            double x = LEFT + (double) (point.x() - minX) * plotWidth / (maxX - minX);
            double y = TOP + plotHeight - (double) point.y() * plotHeight / maxY;
            svg.append("<circle class=\"point\" cx=\"").append(f(x)).append("\" cy=\"").append(f(y))
                    .append("\" r=\"3\" fill=\"#3b6ea5\"><title>").append(Html.esc(point.label() + ": " + format.apply(point.y())))
                    .append("</title></circle>");
        }
        svg.append("<text x=\"").append(LEFT).append("\" y=\"").append(HEIGHT - BOTTOM + 16).append("\" font-size=\"10\">")
                .append(Html.esc(xLabel.apply(minX))).append("</text><text x=\"").append(WIDTH - 10).append("\" y=\"")
                .append(HEIGHT - BOTTOM + 16).append("\" font-size=\"10\" text-anchor=\"end\">")
                .append(Html.esc(xLabel.apply(maxX))).append("</text>");
        return svg.append("</svg>").toString();
    }

    /** Meters on a circle, an arrow per (donor, recipient) pair labelled with the total moved. */
    public static String flowGraph(final String id, final String title, final List<Edge> edges,
            final LongFunction<String> format) {
        if (edges.isEmpty()) {
            return "<p class=\"empty\" id=\"" + Html.esc(id) + "\">No funds moved between meters in this period.</p>";
        }
        List<String> nodes = new ArrayList<>();
        for (Edge edge : edges) {
            if (!nodes.contains(edge.from())) {
                nodes.add(edge.from());
            }
            if (!nodes.contains(edge.to())) {
                nodes.add(edge.to());
            }
        }
        nodes.sort(null);
        int size = 560;
        double centre = size / 2.0;
        double radius = size / 2.0 - 80;
        long max = Math.max(1, edges.stream().mapToLong(Edge::total).max().orElse(1));
        StringBuilder svg = new StringBuilder();
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"").append(Html.esc(id))
                .append("\" class=\"chart flows\" viewBox=\"0 0 ").append(size).append(' ').append(size)
                .append("\" role=\"img\" aria-label=\"").append(Html.esc(title)).append("\"><title>").append(Html.esc(title))
                .append("</title><defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"14\" markerUnits=\"userSpaceOnUse\" "
                        + "markerHeight=\"14\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#a54b3b\"/>"
                        + "</marker></defs>");
        double[][] at = new double[nodes.size()][2];
        for (int i = 0; i < nodes.size(); i++) {
            double angle = 2 * Math.PI * i / nodes.size() - Math.PI / 2;
            at[i][0] = centre + radius * Math.cos(angle);
            at[i][1] = centre + radius * Math.sin(angle);
        }
        for (Edge edge : edges) {
            double[] from = at[nodes.indexOf(edge.from())];
            double[] to = at[nodes.indexOf(edge.to())];
            double dx = to[0] - from[0];
            double dy = to[1] - from[1];
            double length = Math.max(1, Math.hypot(dx, dy));
            // Offset sideways so that A->B and B->A do not overlap; stop short of the node circles.
            double ox = -dy / length * 6;
            double oy = dx / length * 6;
            double x1 = from[0] + dx / length * 26 + ox;
            double y1 = from[1] + dy / length * 26 + oy;
            double x2 = to[0] - dx / length * 26 + ox;
            double y2 = to[1] - dy / length * 26 + oy;
            double width = 1.5 + 6.0 * edge.total() / max;
            svg.append("<g class=\"edge\" data-from=\"").append(Html.esc(edge.from())).append("\" data-to=\"")
                    .append(Html.esc(edge.to())).append("\" data-total=\"").append(edge.total()).append("\"><title>")
                    .append(Html.esc(edge.from() + " → " + edge.to() + ": " + format.apply(edge.total()) + " in "
                            + edge.transfers() + " transfer(s)"))
                    .append("</title><line x1=\"").append(f(x1)).append("\" y1=\"").append(f(y1)).append("\" x2=\"")
                    .append(f(x2)).append("\" y2=\"").append(f(y2)).append("\" stroke=\"#a54b3b\" stroke-width=\"")
                    .append(f(width)).append("\" marker-end=\"url(#arrow)\"/><text x=\"").append(f((x1 + x2) / 2 + ox * 2))
                    .append("\" y=\"").append(f((y1 + y2) / 2 + oy * 2)).append("\" font-size=\"11\" text-anchor=\"middle\">")
                    .append(Html.esc(format.apply(edge.total()))).append("</text></g>");
        }
        for (int i = 0; i < nodes.size(); i++) {
            svg.append("<g class=\"node\" data-meter=\"").append(Html.esc(nodes.get(i))).append("\"><circle cx=\"")
                    .append(f(at[i][0])).append("\" cy=\"").append(f(at[i][1]))
                    .append("\" r=\"24\" fill=\"#eef3f8\" stroke=\"#3b6ea5\"/><text x=\"").append(f(at[i][0]))
                    .append("\" y=\"").append(f(at[i][1] + 40)).append("\" font-size=\"12\" text-anchor=\"middle\">")
                    .append(Html.esc(nodes.get(i))).append("</text></g>");
        }
        return svg.append("</svg>").toString();
    }

    private static StringBuilder open(final String id, final String title) {
        return new StringBuilder().append("<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"").append(Html.esc(id))
                .append("\" class=\"chart\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT)
                .append("\" role=\"img\" aria-label=\"").append(Html.esc(title)).append("\"><title>")
                .append(Html.esc(title)).append("</title>");
    }

    private static void axes(final StringBuilder svg, final String top, final String bottom) {
        int plotHeight = HEIGHT - TOP - BOTTOM;
        svg.append("<line x1=\"").append(LEFT).append("\" y1=\"").append(TOP).append("\" x2=\"").append(LEFT)
                .append("\" y2=\"").append(TOP + plotHeight).append("\" stroke=\"#555\"/><line x1=\"").append(LEFT)
                .append("\" y1=\"").append(TOP + plotHeight).append("\" x2=\"").append(WIDTH - 10).append("\" y2=\"")
                .append(TOP + plotHeight).append("\" stroke=\"#555\"/><text x=\"").append(LEFT - 6).append("\" y=\"")
                .append(TOP + 4).append("\" font-size=\"10\" text-anchor=\"end\">").append(Html.esc(top))
                .append("</text><text x=\"").append(LEFT - 6).append("\" y=\"").append(TOP + plotHeight)
                .append("\" font-size=\"10\" text-anchor=\"end\">").append(Html.esc(bottom)).append("</text>");
    }

    private static String shortLabel(final String label) {
        return label.length() == 10 && label.charAt(4) == '-' ? label.substring(5) : label;
    }

    private static String f(final double value) {
        return String.format(Locale.ROOT, "%.1f", value);
    }
}
