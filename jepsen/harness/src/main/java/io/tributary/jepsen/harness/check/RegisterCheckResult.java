package io.tributary.jepsen.harness.check;

import io.tributary.jepsen.checker.CheckResult;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link RegisterChecker} found.
 *
 * @param keys each key's verdict, in key order
 * @param unknownReasons why each unknown key is unknown (such as a timeout)
 * @param reports the report file name (in the output folder) of each key that is not linearizable and was
 *     explained
 * @param anomalies one line per key that is not linearizable: where it fails
 * @param operations per operation name, per outcome (ok, fail, info): how many
 * @param leftOut definite failures left out of the check (they did not happen)
 */
public record RegisterCheckResult(Map<String, CheckResult> keys, Map<String, String> unknownReasons,
                                  Map<String, String> reports, List<String> anomalies,
                                  Map<String, Map<String, Long>> operations, long leftOut)
{

    public RegisterCheckResult
    {
        keys = Collections.unmodifiableMap(new LinkedHashMap<>(keys));
        unknownReasons = Collections.unmodifiableMap(new LinkedHashMap<>(unknownReasons));
        reports = Collections.unmodifiableMap(new LinkedHashMap<>(reports));
        anomalies = List.copyOf(anomalies);
        operations = Collections.unmodifiableMap(new LinkedHashMap<>(operations));
    }

    /** Invalid if any key is not linearizable, else unknown if any key is undecided, else valid. */
    public Verdict verdict()
    {
        if (keys.containsValue(CheckResult.ILLEGAL))
        {
            return Verdict.INVALID;
        }
        return keys.containsValue(CheckResult.UNKNOWN) ? Verdict.UNKNOWN : Verdict.VALID;
    }

    public boolean valid()
    {
        return verdict() == Verdict.VALID;
    }

    /** For results.json and the summary. */
    public CheckerReport report()
    {
        Map<String, Long> counts = new LinkedHashMap<>();
        counts.put("keys", (long) keys.size());
        counts.put("illegalKeys", keys.values().stream().filter(r -> r == CheckResult.ILLEGAL).count());
        counts.put("unknownKeys", keys.values().stream().filter(r -> r == CheckResult.UNKNOWN).count());
        Map<String, Object> perKey = new LinkedHashMap<>();
        keys.forEach((key, result) -> perKey.put(key, result.name()));
        List<String> lines = new ArrayList<>(anomalies);
        unknownReasons.forEach((key, reason) -> lines.add("key " + key + ": unknown (" + reason + ")"));
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("keys", perKey);
        details.put("unknownReasons", unknownReasons);
        details.put("reports", reports);
        details.put("operations", operations);
        details.put("failsLeftOut", leftOut);
        details.put("anomalies", anomalies);
        List<String> shown = lines.size() > Anomalies.EXAMPLES_MAX ? lines.subList(0, Anomalies.EXAMPLES_MAX) : lines;
        return new CheckerReport(RegisterChecker.NAME, verdict(), counts, shown, details);
    }
}
