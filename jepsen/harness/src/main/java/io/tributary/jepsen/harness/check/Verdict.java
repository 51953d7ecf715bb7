package io.tributary.jepsen.harness.check;

import java.util.Locale;

/** A checker's verdict on a run. Unknown is not valid: a run passes only when every checker says valid. */
public enum Verdict
{
    VALID,
    INVALID,
    /** The checker could not decide (for example the linearizability search timed out). */
    UNKNOWN;

    /** The name written in results.json and printed: valid, invalid, unknown. */
    public String jsonName()
    {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The verdict of several checkers together: invalid beats unknown, which beats valid. */
    public Verdict and(final Verdict other)
    {
        if (this == INVALID || other == INVALID)
        {
            return INVALID;
        }
        return this == UNKNOWN || other == UNKNOWN ? UNKNOWN : VALID;
    }
}
