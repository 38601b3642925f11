package org.postalfunds.console;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Server-rendered HTML. Every value that comes from the ledger, a file or a request passes through
 * {@link #esc}; the pages carry no inline script or style (the Content-Security-Policy forbids both).
 */
public final class Html {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm 'UTC'")
            .withZone(ZoneOffset.UTC);

    private Html() {
    }

    public static String esc(final Object value) {
        if (value == null) {
            return "";
        }
        String text = value.toString();
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> {
                    if (c < 0x20 && c != '\n' && c != '\t') {
                        out.append("&#xFFFD;");
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }

    public static String time(final long epochSeconds) {
        return epochSeconds <= 0 ? "—" : TIME.format(Instant.ofEpochSecond(epochSeconds));
    }

    /** A whole page: navigation for a logged-in user (with the logout form and its CSRF token), then the body. */
    public static String page(final String title, final Sessions.Session session, final String body) {
        StringBuilder html = new StringBuilder(4096);
        html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .append("<title>").append(esc(title)).append(" · Postal funds console</title>")
                .append("<link rel=\"stylesheet\" href=\"/static/console.css\">")
                .append("<script src=\"/webjars/echarts/" + ConsoleServer.ECHARTS_VERSION + "/dist/echarts.min.js\" defer></script>")
                .append("<script src=\"/static/console.js\" defer></script></head><body>")
                .append("<a class=\"skip\" href=\"#content\">Skip to the content</a>");
        html.append("<header><span class=\"brand\">Postal funds console</span>");
        if (session != null) {
            html.append("<nav aria-label=\"pages\">");
            for (String[] link : new String[][] {{"/meters", "Meters"}, {"/transfers", "Transfers"},
                    {"/refunds", "Refunds"},
                    {"/flows", "Flows"}, {"/charts", "Charts"}, {"/conservation", "Conservation"},
                    {"/replacements", "Replacements"},
                    {"/indicium", "Indicium"}, {"/chain", "Chain"}}) {
                html.append("<a href=\"").append(link[0]).append("\">").append(link[1]).append("</a>");
            }
            html.append("</nav><span class=\"who\">").append(esc(session.user().name())).append(" · ")
                    .append(esc(session.user().mspId())).append(" · ").append(esc(session.user().role().label()))
                    .append("</span><form method=\"post\" action=\"/logout\" class=\"logout\">")
                    .append(csrfField(session)).append("<button type=\"submit\">Log out</button></form>");
        }
        html.append("</header><main id=\"content\" tabindex=\"-1\"><h1>").append(esc(title)).append("</h1>").append(body).append("</main></body></html>");
        return html.toString();
    }

    public static String csrfField(final Sessions.Session session) {
        return "<input type=\"hidden\" name=\"csrf\" value=\"" + esc(session.csrfToken()) + "\">";
    }
}
