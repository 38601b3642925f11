package org.postalfunds.client.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where the time goes inside the network during a window: the peers' and orderers' Prometheus {@code /metrics}
 * (their operations endpoints) scraped as the window opens and as it closes. For each histogram of
 * {@link #HISTOGRAMS} the difference of {@code _sum} and {@code _count} (over all label sets) gives the events in the
 * window and their mean duration; a node that cannot be reached is reported as such and never fails the run.
 */
public final class NetworkMetrics implements LoadDriver.WindowProbe {
    /** Prometheus histogram name → what it measures, as the report names it. */
    public static final Map<String, String> HISTOGRAMS = histograms();

    private static Map<String, String> histograms() {
        final Map<String, String> names = new LinkedHashMap<>();
        names.put("endorser_proposal_duration", "endorsement (proposal in, response out)");
        names.put("chaincode_shim_request_duration", "chaincode shim requests (get/put state)");
        names.put("ledger_block_processing_time", "block validation and commit");
        names.put("ledger_statedb_commit_time", "state database commit");
        names.put("ledger_blockstorage_and_pvtdata_commit_time", "block storage and private data commit");
        names.put("gossip_privdata_commit_block_duration", "private data: block commit with private data");
        names.put("broadcast_validate_duration", "orderer: broadcast validation");
        names.put("broadcast_enqueue_duration", "orderer: broadcast enqueue");
        names.put("blockcutter_block_fill_duration", "orderer: block cut (first tx to cut)");
        names.put("consensus_etcdraft_data_persist_duration", "orderer: Raft persist");
        return names;
    }

    private final Map<String, URI> nodes;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** {@code nodes}: node name → its operations base URL (http://host:port). */
    public NetworkMetrics(final Map<String, URI> nodes) {
        this.nodes = Map.copyOf(nodes);
    }

    @Override
    public Handle start() {
        final Map<String, Map<String, double[]>> before = scrapeAll();
        return () -> {
            final Map<String, Map<String, double[]>> after = scrapeAll();
            final Map<String, Object> out = new TreeMap<>();
            after.forEach((node, histograms) -> {
                final Map<String, double[]> then = before.getOrDefault(node, Map.of());
                final Map<String, Object> perNode = new LinkedHashMap<>();
                HISTOGRAMS.keySet().forEach(name -> {
                    final double[] now = histograms.get(name);
                    if (now == null) {
                        return;
                    }
                    final double[] was = then.getOrDefault(name, new double[2]);
                    final double count = now[1] - was[1];
                    if (count > 0) {
                        final Map<String, Object> figure = new LinkedHashMap<>();
                        figure.put("count", (long) count);
                        figure.put("meanMillis", 1000.0 * (now[0] - was[0]) / count);
                        perNode.put(name, figure);
                    }
                });
                out.put(node, perNode);
            });
            nodes.keySet().stream().filter(node -> !after.containsKey(node))
                    .forEach(node -> out.put(node, Map.of("unreachable", true)));
            return out;
        };
    }

    private Map<String, Map<String, double[]>> scrapeAll() {
        final Map<String, Map<String, double[]>> all = new TreeMap<>();
        nodes.forEach((node, url) -> {
            try {
                all.put(node, parse(scrape(url)));
            } catch (IOException e) {
                // Unreachable this time: left out, the report says so.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        return all;
    }

    private String scrape(final URI base) throws IOException, InterruptedException {
        final HttpResponse<String> response = http.send(HttpRequest.newBuilder(base.resolve("/metrics"))
                .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException(base + "/metrics answered " + response.statusCode());
        }
        return response.body();
    }

    /** Histogram name → {sum, count} over all its label sets, for the names of {@link #HISTOGRAMS}. */
    static Map<String, double[]> parse(final String exposition) {
        final Map<String, double[]> histograms = new TreeMap<>();
        for (final String line : exposition.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            final int brace = line.indexOf('{');
            final int space = line.lastIndexOf(' ');
            if (space < 0) {
                continue;
            }
            final String series = brace >= 0 && brace < space ? line.substring(0, brace) : line.substring(0, space);
            for (final String suffix : List.of("_sum", "_count")) {
                if (series.endsWith(suffix)) {
                    final String name = series.substring(0, series.length() - suffix.length());
                    if (HISTOGRAMS.containsKey(name)) {
                        try {
                            final double value = Double.parseDouble(line.substring(space + 1).trim());
                            histograms.computeIfAbsent(name, n -> new double[2])[suffix.equals("_sum") ? 0 : 1] += value;
                        } catch (NumberFormatException ignored) {
                            // Not a sample line.
                        }
                    }
                }
            }
        }
        return histograms;
    }
}
