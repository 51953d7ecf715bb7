/**
 * Reading and writing histories: Jepsen log lines, Jepsen EDN maps and Tributary's JSON lines become
 * {@link io.tributary.jepsen.history.HistoryRecord}s (one per line), which
 * {@link io.tributary.jepsen.history.OperationPairer} pairs into operations, which a model's
 * {@link io.tributary.jepsen.history.OperationDecoder} turns into checker operations.
 */
package io.tributary.jepsen.history;
