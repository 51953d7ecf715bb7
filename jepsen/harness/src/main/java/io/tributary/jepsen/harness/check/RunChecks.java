package io.tributary.jepsen.harness.check;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The one entry point of the harness into checking: check a run's history and write its outputs. */
public final class RunChecks
{
    public static final String RESULTS_FILE = "results.json";
    public static final String TIMELINE_FILE = "timeline.html";
    /** Anomalies printed per checker; results.json keeps up to {@link Anomalies#EXAMPLES_MAX}. */
    static final int ANOMALIES_PRINTED = 10;

    private RunChecks()
{
    }

    /**
     * Reads the history, checks it as the workload says (register: linearizability per key; log: loss,
     * duplication, order, staleness), and writes into {@code outDir}: timeline.html (written first, so it
     * exists even if checking fails), linearizability-KEY.html for each register key that is not
     * linearizable, and results.json (see {@link RunResults}).
     *
     * @param runInfo run parameters for results.json's "run" (its "seed", if any, is also the top-level seed)
     * @param checkTimeout bounds the register checker's linearizability search; zero means no limit
     * @throws IOException if the history cannot be read or is malformed (the message names the file and
     *     line), or an output cannot be written
     * @throws IllegalArgumentException for an unknown workload, or an operation whose values do not fit the
     *     workload (the message names the file and lines)
     */
    public static RunVerdict checkAndWrite(final Path outDir, final Path historyFile, final String workload,
        final Map<String, Object> runInfo,
                                           final Duration checkTimeout) throws IOException
    {
        if (!"log".equals(workload) && !"register".equals(workload))
        {
            throw new IllegalArgumentException("unknown workload \"" + workload + "\"; expected log or register");
        }
        Files.createDirectories(outDir);
        HistoryFile history = HistoryFile.read(historyFile);
        Timeline.write(history, workload + " run"
            + (runInfo.get("seed") == null ? "" : ", seed " + runInfo.get("seed")),
            outDir.resolve(TIMELINE_FILE));
        CheckerReport report = "log".equals(workload)
            ? new LogChecker(runInfo.get("retentionBytes") != null).check(history).report()
            : new RegisterChecker(checkTimeout).check(history, outDir).report();
        Map<String, Object> results = RunResults.of(workload, runInfo, history, List.of(report));
        RunResults.write(outDir.resolve(RESULTS_FILE), results);
        return new RunVerdict(report.verdict() == Verdict.VALID, report.verdict().jsonName(),
            summary(outDir, history, workload, runInfo, report, results));
    }

    private static String summary(final Path outDir, final HistoryFile history, final String workload, final Map<String,
        Object> runInfo,
                                  final CheckerReport report, final Map<String, Object> results)
    {
        StringBuilder out = new StringBuilder();
        out.append("history: ").append(history.source()).append(" (workload ").append(workload)
            .append(runInfo.get("seed") == null ? "" : ", seed " + runInfo.get("seed")).append("): ")
            .append(history.operations().size()).append(" operations over ")
            .append(String.format("%.1f", history.seconds(history.endNs()))).append(" s\n");
        Map<String, Integer> faults = new TreeMap<>();
        history.nemesis().forEach(fault -> faults.merge(fault.fault(), 1, Integer::sum));
        out.append("nemesis: ").append(faults.isEmpty() ? "none" : faults.toString()).append('\n');
        out.append("counts: ").append(results.get("counts")).append('\n');
        out.append("checker ").append(report.name()).append(": ").append(report.verdict().jsonName()).append('\n');
        List<String> anomalies = report.anomalies();
        for (int i = 0; i < Math.min(ANOMALIES_PRINTED, anomalies.size()); i++)
        {
            out.append("  ").append(anomalies.get(i)).append('\n');
        }
        if (anomalies.size() > ANOMALIES_PRINTED)
        {
            out.append("  ... ").append(anomalies.size() - ANOMALIES_PRINTED).append(" more examples in ")
                .append(RESULTS_FILE).append('\n');
        }
        out.append("outputs: ").append(outDir.resolve(RESULTS_FILE)).append(", ").append(outDir.resolve(TIMELINE_FILE))
            .append('\n');
        out.append("verdict: ").append(report.verdict().jsonName());
        if (report.verdict() == Verdict.UNKNOWN)
        {
            out.append(" (not valid: the check could not decide in time; rerun the check with a longer timeout)");
        }
        return out.toString();
    }
}
