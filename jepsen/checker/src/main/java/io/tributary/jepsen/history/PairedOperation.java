package io.tributary.jepsen.history;

/**
 * An invocation paired with its completion.
 *
 * @param source where it was read from, for messages
 * @param process the client process
 * @param f the operation name
 * @param key the invocation's key
 * @param invokeValue the invocation's value (the argument)
 * @param completion how it ended
 * @param completionValue the completion's value (the result); {@code null} if it never completed
 * @param callTime the invocation's time, or its line number if the history has no times
 * @param returnTime the completion's time or line number; {@link Long#MAX_VALUE} (+infinity) if
 *     indeterminate
 * @param invokeLine the invocation's line
 * @param completionLine the completion's line; 0 if it never completed
 */
public record PairedOperation(String source, long process, String f, Object key, Object invokeValue,
                              Completion completion, Object completionValue, long callTime, long returnTime,
                              int invokeLine, int completionLine)
{

    /** An error about this operation, pointing at its invocation line. */
    public HistoryFormatException error(final String detail)
    {
        String where = completionLine > 0 ? " (lines " + invokeLine + "-" + completionLine + ")" : "";
        return new HistoryFormatException(source, invokeLine, "process " + process + " :" + f + where + ": " + detail);
    }

    public boolean isIndeterminate()
    {
        return completion == Completion.INDETERMINATE;
    }
}
