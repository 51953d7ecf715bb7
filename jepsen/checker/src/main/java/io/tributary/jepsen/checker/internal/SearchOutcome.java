package io.tributary.jepsen.checker.internal;

import io.tributary.jepsen.checker.CheckResult;
import java.util.List;

/**
 * What the search of one partition found.
 *
 * @param result OK, ILLEGAL, or UNKNOWN if the search stopped early
 * @param unknownReason why the result is UNKNOWN; empty otherwise
 * @param partials the longest partial linearizations found, longest first, as operation ids (explain mode
 *     only; a complete linearization if OK)
 * @param cacheEntries (linearized set, state) pairs explored
 */
record SearchOutcome(CheckResult result, String unknownReason, List<int[]> partials, long cacheEntries)
{
}
