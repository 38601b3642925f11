package org.postalfunds.client.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.postalfunds.client.bench.LoadDriver.LevelResult;

/**
 * The benchmark's output: a table for the terminal, a JSON file, and a chart of throughput and p99 latency against
 * concurrency. Every scenario is also given as a ratio to the baseline scenario at the same concurrency, measured in
 * the same run, so figures compare across noisy machines.
 */
public final class LoadReport {
    private final String baselineScenario;
    private final List<LevelResult> results;

    public LoadReport(final String baselineScenario, final List<LevelResult> results) {
        this.baselineScenario = baselineScenario;
        this.results = List.copyOf(results);
    }

    /** The baseline's result at the same concurrency, if the run measured one. */
    public Optional<LevelResult> baselineFor(final LevelResult result) {
        return results.stream().filter(each -> each.scenario().equals(baselineScenario)
                && each.concurrency() == result.concurrency()).findFirst();
    }

    /** This result's committed tx/s divided by the baseline's; NaN without a baseline or when it committed nothing. */
    public double throughputRatio(final LevelResult result) {
        return baselineFor(result).filter(base -> base.committedPerSecond() > 0)
                .map(base -> result.committedPerSecond() / base.committedPerSecond()).orElse(Double.NaN);
    }

    public double p99Ratio(final LevelResult result) {
        return baselineFor(result).filter(base -> base.p99Millis() > 0)
                .map(base -> result.p99Millis() / base.p99Millis()).orElse(Double.NaN);
    }

    public String table() {
        final StringBuilder out = new StringBuilder();
        out.append(String.format("%-20s %5s %9s %9s %8s %8s %8s %9s %9s  %-28s %s%n", "scenario", "in", "ok tx/s",
                "fail tx/s", "p50 ms", "p95 ms", "p99 ms", "tx÷base", "p99÷base", "failures", "cpu% / max RSS MB"));
        for (final LevelResult r : results) {
            out.append(String.format("%-20s %5d %9.1f %9.1f %8.2f %8.2f %8.2f %9.3f %9.2f  %-28s %s%n", r.scenario(),
                    r.concurrency(), r.committedPerSecond(), r.failedPerSecond(), r.p50Millis(), r.p95Millis(),
                    r.p99Millis(), throughputRatio(r), p99Ratio(r), failures(r), processes(r)));
        }
        return out.toString();
    }

    private static String failures(final LevelResult r) {
        return r.failures().isEmpty() ? "-" : r.failures().entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue()).sorted().collect(Collectors.joining(" "));
    }

    private static String processes(final LevelResult r) {
        return r.processes().entrySet().stream().map(e -> String.format("%s %.0f%%/%.0f", e.getKey(),
                e.getValue().cpuPercentOfOneCore(), e.getValue().maxRssMegabytes())).collect(Collectors.joining(", "));
    }

    public void writeJson(final Path file, final Map<String, Object> about) throws IOException {
        final Map<String, Object> json = new LinkedHashMap<>(about);
        json.put("baselineScenario", baselineScenario);
        final List<Map<String, Object>> levels = results.stream().map(r -> {
            final Map<String, Object> level = new LinkedHashMap<>();
            level.put("result", r);
            level.put("throughputRatioToBaseline", finite(throughputRatio(r)));
            level.put("p99RatioToBaseline", finite(p99Ratio(r)));
            return level;
        }).toList();
        json.put("levels", levels);
        Files.createDirectories(file.toAbsolutePath().getParent());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), json);
    }

    private static Double finite(final double value) {
        return Double.isFinite(value) ? value : null;
    }

    /** Two charts side by side in one PNG would crowd; this writes throughput and p99 as two series sets. */
    public void writeCharts(final Path throughputPng, final Path latencyPng) throws IOException {
        final XYSeriesCollection throughput = new XYSeriesCollection();
        final XYSeriesCollection latency = new XYSeriesCollection();
        final Map<String, List<LevelResult>> byScenario = results.stream()
                .collect(Collectors.groupingBy(LevelResult::scenario, LinkedHashMap::new, Collectors.toList()));
        byScenario.forEach((scenario, levels) -> {
            final XYSeries tx = new XYSeries(scenario);
            final XYSeries p99 = new XYSeries(scenario);
            levels.forEach(level -> {
                tx.add(level.concurrency(), level.committedPerSecond());
                p99.add(level.concurrency(), level.p99Millis());
            });
            throughput.addSeries(tx);
            latency.addSeries(p99);
        });
        Files.createDirectories(throughputPng.toAbsolutePath().getParent());
        final JFreeChart tx = ChartFactory.createXYLineChart("Committed transactions per second", "transactions in flight",
                "tx/s", throughput, PlotOrientation.VERTICAL, true, false, false);
        ChartUtils.saveChartAsPNG(throughputPng.toFile(), tx, 900, 500);
        final JFreeChart p99 = ChartFactory.createXYLineChart("p99 latency, submit to commit", "transactions in flight",
                "milliseconds", latency, PlotOrientation.VERTICAL, true, false, false);
        ChartUtils.saveChartAsPNG(latencyPng.toFile(), p99, 900, 500);
    }
}
