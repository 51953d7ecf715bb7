package io.tributary.jepsen.harness.check;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one checker says about a run, in the shape results.json and the console summary need; each checker
 * turns its own richer result into one of these.
 *
 * @param name the checker's name in results.json, such as {@code log} or {@code linearizability}
 * @param verdict valid, invalid or unknown
 * @param counts anomaly counts by kind (and operation counts); merged into results.json's counts
 * @param anomalies at most {@link Anomalies#EXAMPLES_MAX} human-readable examples, most telling first
 * @param details checker-specific JSON-able data (maps, lists, strings, numbers)
 */
public record CheckerReport(String name, Verdict verdict, Map<String, Long> counts, List<String> anomalies,
                            Map<String, Object> details)
{

    public CheckerReport
    {
        counts = Collections.unmodifiableMap(new LinkedHashMap<>(counts));
        anomalies = List.copyOf(anomalies);
        details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
    }
}
