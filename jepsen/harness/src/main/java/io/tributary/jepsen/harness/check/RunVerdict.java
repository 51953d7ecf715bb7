package io.tributary.jepsen.harness.check;

/**
 * The outcome of {@link RunChecks#checkAndWrite}, for the harness's exit code and console.
 *
 * @param valid true only if every checker said valid (unknown is not valid)
 * @param verdict valid, invalid or unknown
 * @param summary several lines for a console: what was checked, each checker's verdict, the counts, the
 *     first anomalies and where the output files are
 */
public record RunVerdict(boolean valid, String verdict, String summary)
{
}
