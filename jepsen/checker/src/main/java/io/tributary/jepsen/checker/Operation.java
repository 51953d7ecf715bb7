package io.tributary.jepsen.checker;

/**
 * One operation of a history: a client called it with an input at {@code callTime} and got an output at
 * {@code returnTime}.
 *
 * <p>Times are in any unit that is monotonic across clients (nanoseconds from Jepsen, or line numbers for
 * logs without clocks). The interval {@code [callTime, returnTime]} is closed: two operations that touch
 * ({@code a.returnTime == b.callTime}) are concurrent, because a clock read twice may return the same
 * value.
 *
 * <p>An indeterminate operation (the client crashed or timed out) may or may not have taken effect. It
 * returns at {@link #INFINITY}: the checker may then linearize it anywhere after its call, including
 * after everything else, which is the same as "it never happened". Its output is the model's "unknown"
 * value, which the model applies without checking.
 *
 * @param clientId the client (Jepsen process) that ran it; used for display only
 * @param <I> input
 * @param <O> output
 */
public record Operation<I, O>(int clientId, I input, long callTime, O output, long returnTime)
{

    /** The return time of an operation that never returned. */
    public static final long INFINITY = Long.MAX_VALUE;

    public Operation
    {
        if (returnTime < callTime)
        {
            throw new IllegalArgumentException("operation of client " + clientId + " " + input + " returns at "
                + returnTime + ", before its call at " + callTime);
        }
    }

    /** An operation whose outcome is unknown: it returns at {@link #INFINITY} with {@code unknownOutput}. */
    public static <I, O> Operation<I,
        O> indeterminate(final int clientId, final I input, final long callTime, final O unknownOutput)
    {
        return new Operation<>(clientId, input, callTime, unknownOutput, INFINITY);
    }

    public boolean isIndeterminate()
    {
        return returnTime == INFINITY;
    }
}
