package io.tributary.jepsen.harness.check;

import io.tributary.jepsen.history.HistoryRecord;
import io.tributary.jepsen.history.RecordType;
import io.tributary.jepsen.internal.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The machine-readable outcome of a run, {@code results.json}:
 * <pre>
 * {"workload":"log","seed":42,"valid":false,"verdict":"invalid",
 *  "checkers":{"log":{"valid":false,"verdict":"invalid","details":{...}}},
 *  "counts":{"ok":..,"fail":..,"info":..,"lost":..,"duplicated":..,"reordered":..,"stale":..,"staleFollower":..,...},
 *  "nemesis":[{"fault":"partition","detail":"isolate
 * n3","startS":12.5,"stopS":20.1,"preFaultOpsPerS":198.4,"recoveryS":1.3},...]
 *    (with "allClearS" when another fault overlapped it: recovery counts from that last heal),
 *  "availability":{"faults":..,"recoveryMaxS":..,"recoveredWithin5s":..,"notRecovered":..,"p99OutsideFaultsMs":..,...},
 *  "run":{...the caller's run parameters...}}
 * </pre>
 * {@code seed} is {@code run.seed} (null if the caller gave none). ok, fail and info count the client
 * completion records; the anomaly counts are 0 for checkers that do not look for them (the register
 * workload is checked for linearizability only); each checker adds its own counts. Stateless.
 */
public final class RunResults
{
    /** The anomaly counts always present, in this order. */
    static final List<String> ANOMALY_COUNTS = List.of(LogChecker.LOST, LogChecker.DUPLICATED, LogChecker.REORDERED,
        LogChecker.STALE, LogChecker.STALE_FOLLOWER);

    private RunResults()
{
    }

    /** The results as a JSON-able map. */
    public static Map<String, Object> of(final String workload, final Map<String, Object> runInfo,
        final HistoryFile history,
                                         final List<CheckerReport> reports)
    {
        Verdict verdict = Verdict.VALID;
        Map<String, Object> checkers = new LinkedHashMap<>();
        for (final CheckerReport report : reports)
        {
            verdict = verdict.and(report.verdict());
            Map<String, Object> checker = new LinkedHashMap<>();
            checker.put("valid", report.verdict() == Verdict.VALID);
            checker.put("verdict", report.verdict().jsonName());
            checker.put("details", report.details());
            checkers.put(report.name(), checker);
        }
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("workload", workload);
        results.put("seed", runInfo.get("seed"));
        results.put("valid", verdict == Verdict.VALID);
        results.put("verdict", verdict.jsonName());
        results.put("checkers", checkers);
        results.put("counts", counts(history, reports));
        List<Availability.FaultRecovery> recoveries = Availability.recoveries(history);
        results.put("nemesis", nemesis(history, recoveries));
        results.put("availability", Availability.summary(history, recoveries));
        results.put("run", new LinkedHashMap<>(runInfo));
        return results;
    }

    /** Writes {@code results.json} (one line of JSON, UTF-8), replacing it. */
    public static void write(final Path file, final Map<String, Object> results) throws IOException
    {
        Files.writeString(file, Json.write(results) + "\n", StandardCharsets.UTF_8);
    }

    static Map<String, Long> counts(final HistoryFile history, final List<CheckerReport> reports)
    {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (final RecordType type : new RecordType[] {RecordType.OK, RecordType.FAIL, RecordType.INFO})
        {
            counts.put(type.jepsenName(), 0L);
        }
        for (final HistoryRecord record : history.records())
        {
            if (record.type() != RecordType.INVOKE)
            {
                counts.merge(record.type().jepsenName(), 1L, Long::sum);
            }
        }
        for (final String kind : ANOMALY_COUNTS)
        {
            counts.put(kind, 0L);
        }
        for (final CheckerReport report : reports)
        {
            report.counts().forEach((kind, count) -> counts.merge(kind, count, Long::sum));
        }
        return counts;
    }

    private static List<Object> nemesis(final HistoryFile history, final List<Availability.FaultRecovery> recoveries)
    {
        Map<NemesisInterval, Availability.FaultRecovery> byFault = new IdentityHashMap<>();
        recoveries.forEach(recovery -> byFault.put(recovery.fault(), recovery));
        List<Object> out = new ArrayList<>();
        for (final NemesisInterval fault : history.nemesis())
        {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("fault", fault.fault());
            entry.put("detail", fault.detail());
            entry.put("startS", millis(history.seconds(fault.startNs())));
            entry.put("stopS", millis(history.seconds(fault.stopNs())));
            entry.put("stopped", fault.stopped());
            Availability.FaultRecovery recovery = byFault.get(fault);
            if (recovery != null)
            {
                entry.put("preFaultOpsPerS", recovery.preFaultOpsPerS());
                entry.put("recoveryS", recovery.recoveryS());
                if (recovery.allClearNs() != fault.stopNs())
                {
                    // Another fault overlapped this one: recovery counts from when the last of them healed.
                    entry.put("allClearS", millis(history.seconds(recovery.allClearNs())));
                }
            }
            out.add(entry);
        }
        return out;
    }

    private static double millis(final double seconds)
    {
        return Math.round(seconds * 1000) / 1000.0;
    }
}
