package io.tributary.jepsen.harness.check;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link LogChecker} found.
 *
 * @param verdict valid or invalid (never unknown: the checks are exact)
 * @param counts anomalies by kind ({@link LogChecker#LOST}, ...), every kind present
 * @param operations per operation name (append, read, final-read), per outcome (ok, fail, info): how many
 * @param anomalies at most {@link Anomalies#EXAMPLES_MAX} examples naming values, offsets, processes and
 *     times (seconds since the first record)
 * @param shards the shards seen
 */
public record LogCheckResult(Verdict verdict, Map<String, Long> counts, Map<String, Map<String, Long>> operations,
                             List<String> anomalies, List<String> shards)
{

    public LogCheckResult
    {
        counts = Collections.unmodifiableMap(new LinkedHashMap<>(counts));
        operations = Collections.unmodifiableMap(new LinkedHashMap<>(operations));
        anomalies = List.copyOf(anomalies);
        shards = List.copyOf(shards);
    }

    public boolean valid()
    {
        return verdict == Verdict.VALID;
    }

    public long count(final String kind)
    {
        return counts.getOrDefault(kind, 0L);
    }

    /** For results.json and the summary. */
    public CheckerReport report()
    {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("shards", shards);
        details.put("operations", operations);
        details.put("anomalyCounts", counts);
        details.put("anomalies", anomalies);
        return new CheckerReport(LogChecker.NAME, verdict, counts, anomalies, details);
    }
}
