/**
 * Checks the histories the harness records and writes what a run produced: {@link
 * io.tributary.jepsen.harness.check.RunChecks#checkAndWrite} is the one entry point. It reads
 * {@code history.jsonl}, runs the checker of the workload ({@link io.tributary.jepsen.harness.check.LogChecker}
 * for {@code log}, {@link io.tributary.jepsen.harness.check.RegisterChecker} for {@code register}), and
 * writes {@code results.json}, {@code timeline.html} and, for a register key that is not linearizable,
 * {@code linearizability-KEY.html}. Everything here is offline and single-threaded unless a class says
 * otherwise; it favours plain data structures over speed.
 */
package io.tributary.jepsen.harness.check;
