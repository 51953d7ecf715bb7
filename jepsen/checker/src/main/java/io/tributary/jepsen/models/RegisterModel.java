package io.tributary.jepsen.models;

import io.tributary.jepsen.checker.Model;
import io.tributary.jepsen.checker.Operation;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A single register holding any value (initially nil), with read, write and compare-and-set, as in the
 * etcd histories. Values compare with {@link Objects#equals}. A failed cas means the compare failed: the
 * register did not hold the expected value at that moment (etcd's Jepsen client reports it so, and
 * porcupine checks it so). Stateless and thread-safe.
 */
public final class RegisterModel implements Model<RegisterModel.State, RegisterModel.Input, RegisterModel.Output>
{

    /** The kinds of register operations. */
    public enum Kind
    {
        READ,
        WRITE,
        CAS
    }

    /**
     * An operation's input.
     *
     * @param kind read, write or cas
     * @param value the value written, or the new value of a cas; null for reads
     * @param expected the value a cas compares with; null otherwise
     */
    public record Input(Kind kind, Object value, Object expected)
    {
        public static Input read()
        {
            return new Input(Kind.READ, null, null);
        }

        public static Input write(final Object value)
        {
            return new Input(Kind.WRITE, value, null);
        }

        public static Input cas(final Object expected, final Object value)
        {
            return new Input(Kind.CAS, value, expected);
        }
    }

    /** Whether an operation succeeded, failed (a cas whose compare failed), or is unknown. */
    public enum Status
    {
        OK,
        FAILED,
        UNKNOWN
    }

    /**
     * An operation's output.
     *
     * @param status ok, failed (cas only) or unknown (indeterminate: not checked)
     * @param value the value a read returned; null otherwise
     */
    public record Output(Status status, Object value)
    {
        public static Output ok()
        {
            return new Output(Status.OK, null);
        }

        public static Output read(final Object value)
        {
            return new Output(Status.OK, value);
        }

        public static Output casFailed()
        {
            return new Output(Status.FAILED, null);
        }

        public static Output unknown()
        {
            return new Output(Status.UNKNOWN, null);
        }
    }

    /**
     * The register's content.
     *
     * @param value the value held; null for nil
     */
    public record State(Object value)
{
    }

    private static final State NIL = new State(null);

    @Override
    public State init()
    {
        return NIL;
    }

    @Override
    public State step(final State state, final Input input, final Output output)
    {
        boolean unknown = output.status() == Status.UNKNOWN;
        switch (input.kind())
        {
            case READ:
                return unknown || Objects.equals(state.value(), output.value()) ? state : null;
            case WRITE:
                return new State(input.value());
            case CAS:
                boolean matches = Objects.equals(state.value(), input.expected());
                if (unknown)
                {
                    return matches ? new State(input.value()) : state;
                }
                if (output.status() == Status.OK)
                {
                    return matches ? new State(input.value()) : null;
                }
                return matches ? null : state;
            default:
                throw new IllegalArgumentException("unknown register operation " + input);
        }
    }

    /** A read changes nothing, and one that never returned constrains nothing. */
    @Override
    public boolean inertWhenIndeterminate(final Input input)
    {
        return input.kind() == Kind.READ;
    }

    /**
     * A write that never returned, of a value no read returned and no cas compared with, called after every cas that
     * returned without succeeding (failed, or with an unknown outcome) had returned. Why a linearization never needs
     * it: in one that places it, the register holds its value until the next write, so nothing can come between the
     * two: a read would return the value, a successful cas would compare with it, and a failed one (or one of unknown
     * outcome, which takes effect only if the register matches) would have to return after the write's call. So the
     * next operation to touch the register after it is a write (or there is none), and taking it out changes no result
     * (a pending cas placed in between failed, had no effect, and may be left out too). The failed-cas condition
     * matters: with write(a), a crashed write(v), a failed cas(a, b), write(a) and a read of a, only the crashed write
     * explains the failure.
     */
    @Override
    public Predicate<Operation<Input, Output>> unobservedWhenIndeterminate(final List<Operation<Input, Output>> part)
    {
        Set<Object> observed = new HashSet<>();
        long lastFailedCasReturn = Long.MIN_VALUE;
        for (final Operation<Input, Output> operation : part)
        {
            Input input = operation.input();
            if (input.kind() == Kind.READ && !operation.isIndeterminate() && operation.output().status() == Status.OK)
            {
                observed.add(operation.output().value());
            }
            else if (input.kind() == Kind.CAS)
            {
                observed.add(input.expected());
                if (!operation.isIndeterminate() && operation.output().status() != Status.OK)
                {
                    // Failed, or returned with an unknown outcome (it took effect iff the register matched).
                    lastFailedCasReturn = Math.max(lastFailedCasReturn, operation.returnTime());
                }
            }
        }
        long failedCasReturnedBy = lastFailedCasReturn;
        return operation -> operation.isIndeterminate() && operation.input().kind() == Kind.WRITE
            && !observed.contains(operation.input().value()) && operation.callTime() > failedCasReturnedBy;
    }

    @Override
    public long hash(final State state)
    {
        return Objects.hashCode(state.value());
    }

    @Override
    public String describeOperation(final Input input, final Output output)
    {
        String result = output.status() == Status.UNKNOWN ? "unknown" : output.status() == Status.OK ? "ok" : "fail";
        switch (input.kind())
        {
            case READ:
                return "read() -> " + (output.status() == Status.UNKNOWN ? "unknown" : Values.show(output.value()));
            case WRITE:
                return "write(" + Values.show(input.value()) + ")"
                    + (output.status() == Status.UNKNOWN ? " -> unknown" : "");
            default:
                return "cas(" + Values.show(input.expected()) + ", " + Values.show(input.value()) + ") -> " + result;
        }
    }

    @Override
    public String describeState(final State state)
    {
        return Values.show(state.value());
    }
}
