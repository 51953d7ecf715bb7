package io.tributary.jepsen.checker;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Conversions between the two forms of a history: {@link Operation}s with times, and ordered {@link Event}s. */
public final class History
{
    private History()
{
    }

    /**
     * The events of a history of operations, in time order. On equal times calls come first, because
     * intervals are closed: an operation that returns at the time another is called overlaps it. The
     * event id of an operation is its index in {@code operations}.
     */
    public static <I, O> List<Event<I, O>> toEvents(final List<Operation<I, O>> operations)
    {
        List<TimedEvent<I, O>> timed = new ArrayList<>(2 * operations.size());
        for (int id = 0; id < operations.size(); id++)
        {
            Operation<I, O> op = operations.get(id);
            timed.add(new TimedEvent<>(op.callTime(), Event.call(op.clientId(), id, op.input())));
            timed.add(new TimedEvent<>(op.returnTime(), Event.ret(op.clientId(), id, op.output())));
        }
        timed.sort(Comparator.comparingLong((TimedEvent<I, O> e) -> e.time).thenComparing(e -> !e.event.isCall()));
        List<Event<I, O>> events = new ArrayList<>(timed.size());
        for (final TimedEvent<I, O> e : timed)
        {
            events.add(e.event);
        }
        return events;
    }

    /**
     * The operations of a history of events, with the position of each event as its time, in the order of
     * their calls.
     *
     * @throws IllegalArgumentException if an id is called twice, returns twice, returns before its call,
     *     or never returns (give an indeterminate operation a return event at the end, carrying the
     *     model's unknown output)
     */
    public static <I, O> List<Operation<I, O>> toOperations(final List<Event<I, O>> events)
    {
        Map<Integer, Integer> callIndexById = new HashMap<>();
        Map<Integer, Integer> operationIndexById = new HashMap<>();
        List<Operation<I, O>> operations = new ArrayList<>(events.size() / 2);
        for (int position = 0; position < events.size(); position++)
        {
            Event<I, O> event = events.get(position);
            Integer id = event.id();
            if (event.isCall())
            {
                if (callIndexById.putIfAbsent(id, position) != null)
                {
                    throw new IllegalArgumentException("event " + position + ": id " + id
                        + " is called a second time (first call at event " + callIndexById.get(id) + ")");
                }
                operationIndexById.put(id, operations.size());
                operations.add(null);
            }
            else
            {
                Integer callPosition = callIndexById.get(id);
                Integer index = operationIndexById.remove(id);
                if (callPosition == null || index == null)
                {
                    throw new IllegalArgumentException("event " + position + ": return of id " + id
                        + (callPosition == null ? " comes before any call with that id" : " is its second return"));
                }
                Event<I, O> call = events.get(callPosition);
                operations.set(index, new Operation<>(call.clientId(), call.input(), callPosition, event.output(),
                    position));
            }
        }
        if (!operationIndexById.isEmpty())
        {
            Integer id = operationIndexById.keySet().iterator().next();
            throw new IllegalArgumentException(operationIndexById.size() + " call(s) never return, e.g. id " + id
                + " called at event " + callIndexById.get(id)
                + "; give an indeterminate operation a return event at the end with the model's unknown output");
        }
        return operations;
    }

    private record TimedEvent<I, O>(long time, Event<I, O> event)
{
    }
}
