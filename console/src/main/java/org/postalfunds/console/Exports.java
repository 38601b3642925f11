package org.postalfunds.console;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The tables one page request renders, so that the same request with {@code export=<table id>} answers that table as
 * CSV: an export is always exactly what the page shows, for the same period, filter and user.
 */
public final class Exports {
    private final String path;
    private final Map<String, List<String>> query;
    private final Map<String, Table> tables = new LinkedHashMap<>();
    private final Map<String, String> documents = new LinkedHashMap<>();

    /** @param query the request's query parameters ({@code export} among them or not: it is left out of links) */
    public Exports(final String path, final Map<String, List<String>> query) {
        this.path = path;
        this.query = new LinkedHashMap<>(query);
        this.query.remove("export");
    }

    /** For pages rendered outside a request (tests). */
    public static Exports none() {
        return new Exports("/", Map.of());
    }

    /** Registers the table and renders it with its export link. */
    public String html(final Table table) {
        tables.put(table.id(), table);
        return table.html(href(table.id(), "csv"));
    }

    /** Registers a table that a chart draws from without showing it a second time. */
    public Table register(final Table table) {
        tables.put(table.id(), table);
        return table;
    }

    /** Registers a whole JSON document the page offers (e.g. the audit report), exported with format=json. */
    public void document(final String id, final String json) {
        documents.put(id, json);
    }

    public Optional<String> document(final String id) {
        return Optional.ofNullable(documents.get(id));
    }

    public Optional<Table> table(final String id) {
        return Optional.ofNullable(tables.get(id));
    }

    public List<String> ids() {
        List<String> ids = new java.util.ArrayList<>(tables.keySet());
        ids.addAll(documents.keySet());
        return ids;
    }

    /** This page's URL with {@code export=<id>}. */
    public String href(final String id, final String format) {
        StringBuilder url = new StringBuilder(path).append('?');
        query.forEach((name, values) -> values.forEach(value -> url.append(encode(name)).append('=')
                .append(encode(value)).append('&')));
        url.append("export=").append(encode(id));
        if (!"csv".equals(format)) {
            url.append("&format=").append(encode(format));
        }
        return url.toString();
    }

    private static String encode(final String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
