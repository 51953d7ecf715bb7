package io.tributary.jepsen.models;

import io.tributary.jepsen.checker.Operation;
import io.tributary.jepsen.history.HistoryFormatException;
import io.tributary.jepsen.history.PairedOperation;
import java.util.List;

/** What the decoders share: building the operation, and checking the shape of values. */
final class Decoding
{
    private Decoding()
{
    }

    /** The checker operation; an indeterminate one already returns at +infinity. */
    static <I, O> Operation<I, O> operation(final PairedOperation op, final I input, final O output)
        throws HistoryFormatException
    {
        if (op.process() < 0 || op.process() > Integer.MAX_VALUE)
        {
            throw op.error("process id " + op.process() + " is out of range [0, " + Integer.MAX_VALUE + "]");
        }
        return new Operation<>((int) op.process(), input, op.callTime(), output, op.returnTime());
    }

    static List<?> pair(final PairedOperation op, final Object value, final String what) throws HistoryFormatException
    {
        if (!(value instanceof List) || ((List<?>) value).size() != 2)
        {
            throw op.error("expected " + what + ", found " + Values.show(value));
        }
        return (List<?>) value;
    }

    static long offset(final PairedOperation op, final Object value, final String what) throws HistoryFormatException
    {
        if (!(value instanceof Long) || (Long) value < 0)
        {
            throw op.error("expected " + what + " (an integer >= 0), found " + Values.show(value));
        }
        return (Long) value;
    }

    /** Strings as they are; numbers and booleans as their text, so JSON {@code 5} and EDN "5" agree. */
    static String text(final PairedOperation op, final Object value, final String what) throws HistoryFormatException
    {
        if (value instanceof String)
        {
            return (String) value;
        }
        if (value instanceof Long || value instanceof Double || value instanceof Boolean)
        {
            return value.toString();
        }
        throw op.error("expected " + what + " (a string or a number), found " + Values.show(value));
    }

    static HistoryFormatException unknownOperation(final PairedOperation op, final String model, final String expected)
    {
        return op.error("the " + model + " model has no operation :" + op.f() + "; expected " + expected);
    }
}
