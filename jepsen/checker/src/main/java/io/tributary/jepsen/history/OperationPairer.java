package io.tributary.jepsen.history;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Pairs each invocation with the next completion of the same process, as Jepsen histories are written: a
 * process runs one operation at a time. An info completion, a fail with error {@code timed-out}, and an
 * invocation that never completes are indeterminate and return at +infinity. Times come from the records
 * if every record has one, or are the line numbers if none has. Stateless.
 */
public final class OperationPairer
{
    private OperationPairer()
{
    }

    /**
     * The operations of a history, in the order of their invocations.
     *
     * @throws HistoryFormatException if a process invokes while its last operation is still open, a
     *     completion has no invocation or names another operation or key, some records have times and
     *     others not, or times go backwards
     */
    public static List<PairedOperation> pair(final List<HistoryRecord> records, final String source)
        throws HistoryFormatException
    {
        boolean timed = !records.isEmpty() && records.get(0).time().isPresent();
        Map<Long, Open> open = new HashMap<>();
        List<PairedOperation> paired = new ArrayList<>();
        long lastTime = Long.MIN_VALUE;
        for (final HistoryRecord record : records)
        {
            long time = timeOf(record, timed, source, records.get(0).line());
            if (time < lastTime)
            {
                throw new HistoryFormatException(source, record.line(), "time " + time
                    + " is before the previous record's " + lastTime + "; records must be in the order they happened");
            }
            lastTime = time;
            if (record.type() == RecordType.INVOKE)
            {
                invoke(record, time, open, paired, source);
            }
            else
            {
                complete(record, time, open, paired, source);
            }
        }
        for (final Open leftover : open.values())
        {
            paired.set(leftover.slot, leftover.pair(Completion.INDETERMINATE, null, Long.MAX_VALUE, 0, source));
        }
        return paired;
    }

    private static long timeOf(final HistoryRecord record, final boolean timed, final String source,
        final int firstLine)
        throws HistoryFormatException
    {
        if (record.time().isPresent() != timed)
        {
            throw new HistoryFormatException(source, record.line(),
                (timed ? "expected a time, found none" : "found a time")
                + " though line " + firstLine + (timed ? " has one" : " has none")
                + "; give every record a time, or none");
        }
        return timed ? record.time().getAsLong() : record.line();
    }

    private static void invoke(final HistoryRecord record, final long time, final Map<Long, Open> open,
        final List<PairedOperation> paired,
                               final String source) throws HistoryFormatException
    {
        Open previous = open.get(record.process());
        if (previous != null)
        {
            throw new HistoryFormatException(source, record.line(), "process " + record.process() + " invokes :"
                + record.f() + " while its :" + previous.invoke.f() + " from line " + previous.invoke.line()
                + " has not completed; a process runs one operation at a time");
        }
        open.put(record.process(), new Open(record, time, paired.size()));
        paired.add(null);
    }

    private static void complete(final HistoryRecord record, final long time, final Map<Long, Open> open,
        final List<PairedOperation> paired,
                                 final String source) throws HistoryFormatException
    {
        Open invocation = open.remove(record.process());
        if (invocation == null)
        {
            throw new HistoryFormatException(source, record.line(), "process " + record.process() + " completes :"
                + record.f() + " (" + record.type().jepsenName()
                    + ") but has no open invocation; expected an invoke first");
        }
        HistoryRecord invoke = invocation.invoke;
        if (!invoke.f().equals(record.f()))
        {
            throw new HistoryFormatException(source, record.line(), "process " + record.process() + " completes :"
                + record.f() + " but invoked :" + invoke.f() + " at line " + invoke.line());
        }
        if (record.key() != null && !Objects.equals(record.key(), invoke.key()))
        {
            throw new HistoryFormatException(source, record.line(), "process " + record.process() + " completes key "
                + record.key() + " but invoked key " + invoke.key() + " at line " + invoke.line());
        }
        PairedOperation operation;
        if (record.isIndeterminate())
        {
            operation = invocation.pair(Completion.INDETERMINATE, record.value(), Long.MAX_VALUE, record.line(),
                source);
        }
        else if (record.type() == RecordType.FAIL)
        {
            operation = invocation.pair(Completion.FAILED, record.value(), time, record.line(), source);
        }
        else
        {
            operation = invocation.pair(Completion.OK, record.value(), time, record.line(), source);
        }
        paired.set(invocation.slot, operation);
    }

    /** An invocation waiting for its completion, and where its operation goes in the output. */
    private record Open(HistoryRecord invoke, long time, int slot)
    {
        PairedOperation pair(final Completion completion, final Object value, final long returnTime,
            final int completionLine, final String source)
        {
            return new PairedOperation(source, invoke.process(), invoke.f(), invoke.key(), invoke.value(), completion,
                value, time, returnTime, invoke.line(), completionLine);
        }
    }
}
