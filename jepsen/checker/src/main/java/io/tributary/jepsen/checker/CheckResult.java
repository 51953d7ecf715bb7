package io.tributary.jepsen.checker;

/**
 * The verdict on a history. Linearizability checking is NP-complete, so a check with a timeout (or a
 * cache limit) may end in {@link #UNKNOWN}: no violation was found in the time given.
 */
public enum CheckResult
{
    /** Linearizable: a linearization was found. */
    OK,
    /** Not linearizable: the search proved that no linearization exists. */
    ILLEGAL,
    /** The search stopped before it could decide. */
    UNKNOWN
}
