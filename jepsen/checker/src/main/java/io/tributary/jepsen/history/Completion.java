package io.tributary.jepsen.history;

/** How an invoked operation ended. */
public enum Completion
{
    /** It took effect, with the completion's value as its result. */
    OK,
    /** It definitely did not take effect. */
    FAILED,
    /** Unknown: it may or may not have taken effect (info, timed-out fail, or never completed). */
    INDETERMINATE
}
