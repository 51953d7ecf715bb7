package io.tributary.jepsen.checker;

/**
 * One event of a history given as a sequence of calls and returns, for systems that know the order of
 * events but not their times. A call and its return share an {@code id}; the call carries the input,
 * the return the output.
 *
 * @param kind call or return
 * @param clientId the client that ran the operation; used for display only
 * @param id matches a call with its return; unique per operation
 * @param input the input, on calls ({@code null} on returns)
 * @param output the output, on returns ({@code null} on calls)
 * @param <I> input
 * @param <O> output
 */
public record Event<I, O>(Kind kind, int clientId, int id, I input, O output)
{

    /** Whether an event is a call or a return. */
    public enum Kind
    {
        CALL,
        RETURN
    }

    public Event
    {
        if (kind == null)
        {
            throw new IllegalArgumentException("event " + id + " of client " + clientId + " has no kind");
        }
    }

    public static <I, O> Event<I, O> call(final int clientId, final int id, final I input)
    {
        return new Event<>(Kind.CALL, clientId, id, input, null);
    }

    public static <I, O> Event<I, O> ret(final int clientId, final int id, final O output)
    {
        return new Event<>(Kind.RETURN, clientId, id, null, output);
    }

    public boolean isCall()
    {
        return kind == Kind.CALL;
    }
}
