package io.tributary.jepsen.models;

import io.tributary.jepsen.checker.Event;
import io.tributary.jepsen.checker.Model;
import io.tributary.jepsen.checker.Operation;
import io.tributary.jepsen.checker.Partitions;
import java.util.List;

/**
 * A key-value store of strings with get, put and append (string concatenation), as in porcupine's kv
 * histories. Keys are independent, so histories are partitioned by key and the state is one key's value
 * (a {@link KvValue}); an absent key reads as the empty string. Stateless and thread-safe.
 */
public final class KvModel implements Model<KvValue, KvModel.Input, KvModel.Output>
{

    /** The kinds of key-value operations. */
    public enum Kind
    {
        GET,
        PUT,
        APPEND
    }

    /**
     * An operation's input.
     *
     * @param kind get, put or append
     * @param key the key; any value with equals and hashCode
     * @param value the value put or appended; null for gets
     */
    public record Input(Kind kind, Object key, String value)
    {
        public Input
        {
            if (kind != Kind.GET && value == null)
            {
                throw new IllegalArgumentException(kind + " of key " + key + " needs a value");
            }
        }

        public static Input get(final Object key)
        {
            return new Input(Kind.GET, key, null);
        }

        public static Input put(final Object key, final String value)
        {
            return new Input(Kind.PUT, key, value);
        }

        public static Input append(final Object key, final String value)
        {
            return new Input(Kind.APPEND, key, value);
        }
    }

    /**
     * An operation's output.
     *
     * @param indeterminate the operation is indeterminate: its output is not checked
     * @param value the value a get returned; null otherwise
     */
    public record Output(boolean indeterminate, String value)
    {
        public static Output ok()
        {
            return new Output(false, null);
        }

        public static Output got(final String value)
        {
            return new Output(false, value);
        }

        public static Output unknown()
        {
            return new Output(true, null);
        }
    }

    @Override
    public KvValue init()
    {
        return KvValue.EMPTY;
    }

    @Override
    public KvValue step(final KvValue state, final Input input, final Output output)
    {
        switch (input.kind())
        {
            case GET:
                return output.indeterminate() || (output.value() != null && state.contentEquals(output.value())) ? state
                    : null;
            case PUT:
                return KvValue.of(input.value());
            case APPEND:
                return state.append(input.value());
            default:
                throw new IllegalArgumentException("unknown kv operation " + input);
        }
    }

    /** A get changes nothing, and one that never returned constrains nothing. */
    @Override
    public boolean inertWhenIndeterminate(final Input input)
    {
        return input.kind() == Kind.GET;
    }

    @Override
    public List<List<Operation<Input, Output>>> partition(final List<Operation<Input, Output>> history)
    {
        return Partitions.byKey(history, Input::key);
    }

    @Override
    public List<List<Event<Input, Output>>> partitionEvents(final List<Event<Input, Output>> history)
    {
        return Partitions.eventsByKey(history, Input::key);
    }

    @Override
    public String describeOperation(final Input input, final Output output)
    {
        String key = Values.show(input.key());
        switch (input.kind())
        {
            case GET:
                return "get(" + key + ") -> " + (output.indeterminate() ? "unknown" : Values.show(output.value()));
            case PUT:
                return "put(" + key + ", " + Values.show(input.value()) + ")"
                    + (output.indeterminate() ? " -> unknown" : "");
            default:
                return "append(" + key + ", " + Values.show(input.value()) + ")"
                    + (output.indeterminate() ? " -> unknown" : "");
        }
    }

    @Override
    public long hash(final KvValue state)
    {
        return state.longHash();
    }

    @Override
    public String describeState(final KvValue state)
    {
        return Values.show(state.toString());
    }
}
