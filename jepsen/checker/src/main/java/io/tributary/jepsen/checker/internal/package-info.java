/**
 * The search behind {@link io.tributary.jepsen.checker.Checker}: Wing and Gong's backtracking over a
 * doubly linked list of call and return entries, with Lowe's memoization of (linearized set, state)
 * pairs, one search per partition. Everything here may change without notice; use the
 * {@code io.tributary.jepsen.checker} package instead.
 */
package io.tributary.jepsen.checker.internal;
