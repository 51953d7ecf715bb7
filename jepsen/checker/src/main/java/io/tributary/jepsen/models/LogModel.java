package io.tributary.jepsen.models;

import io.tributary.jepsen.checker.Event;
import io.tributary.jepsen.checker.Model;
import io.tributary.jepsen.checker.Operation;
import io.tributary.jepsen.checker.Partitions;
import java.util.List;
import java.util.Objects;

/**
 * An append-only log per shard, Tributary's core contract: an append returns the offset its value got
 * (the log's size before it), and a read of an offset returns the value stored there, or nil if nothing
 * is stored there yet. Shards are independent, so histories are partitioned by shard. Stateless and
 * thread-safe.
 */
public final class LogModel implements Model<LogState, LogModel.Input, LogModel.Output>
{

    /** The kinds of log operations. */
    public enum Kind
    {
        APPEND,
        READ
    }

    /**
     * An operation's input.
     *
     * @param kind append or read
     * @param shard the shard; any value with equals and hashCode, or null
     * @param value the value appended; null for reads
     * @param offset the offset read; -1 for appends
     */
    public record Input(Kind kind, Object shard, Object value, long offset)
    {
        public static Input append(final Object shard, final Object value)
        {
            return new Input(Kind.APPEND, shard, value, -1);
        }

        public static Input read(final Object shard, final long offset)
        {
            if (offset < 0)
            {
                throw new IllegalArgumentException("read offset must be >= 0, got " + offset);
            }
            return new Input(Kind.READ, shard, null, offset);
        }
    }

    /**
     * An operation's output.
     *
     * @param indeterminate the operation is indeterminate: its output is not checked (an append still appends)
     * @param offset the offset an append got; -1 otherwise
     * @param value the value a read returned (null: nothing there yet); null otherwise
     */
    public record Output(boolean indeterminate, long offset, Object value)
    {
        public static Output appended(final long offset)
        {
            return new Output(false, offset, null);
        }

        public static Output read(final Object value)
        {
            return new Output(false, -1, value);
        }

        public static Output unknown()
        {
            return new Output(true, -1, null);
        }
    }

    @Override
    public LogState init()
    {
        return LogState.EMPTY;
    }

    @Override
    public LogState step(final LogState state, final Input input, final Output output)
    {
        if (input.kind() == Kind.APPEND)
        {
            return output.indeterminate() || output.offset() == state.size() ? state.append(input.value()) : null;
        }
        if (output.indeterminate())
        {
            return state;
        }
        Object stored = input.offset() < state.size() ? state.get(input.offset()) : null;
        return Objects.equals(stored, output.value()) ? state : null;
    }

    /** A read changes nothing, and one that never returned constrains nothing. */
    @Override
    public boolean inertWhenIndeterminate(final Input input)
    {
        return input.kind() == Kind.READ;
    }

    @Override
    public long hash(final LogState state)
    {
        return state.longHash();
    }

    @Override
    public List<List<Operation<Input, Output>>> partition(final List<Operation<Input, Output>> history)
    {
        return Partitions.byKey(history, Input::shard);
    }

    @Override
    public List<List<Event<Input, Output>>> partitionEvents(final List<Event<Input, Output>> history)
    {
        return Partitions.eventsByKey(history, Input::shard);
    }

    @Override
    public String describeOperation(final Input input, final Output output)
    {
        String shard = input.shard() == null ? "" : Values.show(input.shard()) + ", ";
        if (input.kind() == Kind.APPEND)
        {
            String offset = output.indeterminate() ? "unknown" : Long.toString(output.offset());
            return "append(" + shard + Values.show(input.value()) + ") -> " + offset;
        }
        return "read(" + shard + input.offset() + ") -> "
            + (output.indeterminate() ? "unknown" : Values.show(output.value()));
    }

    @Override
    public String describeState(final LogState state)
    {
        return state.toString();
    }
}
