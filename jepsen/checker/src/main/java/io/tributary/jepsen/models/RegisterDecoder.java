package io.tributary.jepsen.models;

import io.tributary.jepsen.checker.Operation;
import io.tributary.jepsen.history.Completion;
import io.tributary.jepsen.history.HistoryFormatException;
import io.tributary.jepsen.history.OperationDecoder;
import io.tributary.jepsen.history.PairedOperation;
import io.tributary.jepsen.models.RegisterModel.Input;
import io.tributary.jepsen.models.RegisterModel.Output;
import java.util.List;
import java.util.Optional;

/**
 * Decodes register operations:
 * <ul>
 *   <li>{@code read}: the completion's value is the value read (nil for an empty register);</li>
 *   <li>{@code write}: the invocation's value is written;</li>
 *   <li>{@code cas}: the invocation's value is {@code [expected new]}; ok means it swapped, fail means
 *   the compare failed.</li>
 * </ul>
 * A failed read or write did not happen and is dropped. Indeterminate operations get an unknown output.
 * Keys are ignored. Stateless and thread-safe.
 */
public final class RegisterDecoder implements OperationDecoder<Input, Output>
{

    @Override
    public Optional<Operation<Input, Output>> decode(final PairedOperation op) throws HistoryFormatException
    {
        switch (op.f())
        {
            case "read":
                return outcome(op, Input.read(), Output.read(op.completionValue()));
            case "write":
                return outcome(op, Input.write(op.invokeValue()), Output.ok());
            case "cas":
                List<?> args = Decoding.pair(op, op.invokeValue(), "[expected new] as the value of :cas");
                Input cas = Input.cas(args.get(0), args.get(1));
                if (op.completion() == Completion.FAILED)
                {
                    return Optional.of(Decoding.operation(op, cas, Output.casFailed()));
                }
                return outcome(op, cas, Output.ok());
            default:
                throw Decoding.unknownOperation(op, "register", ":read, :write or :cas");
        }
    }

    private static Optional<Operation<Input,
        Output>> outcome(final PairedOperation op, final Input input, final Output ok)
        throws HistoryFormatException
    {
        switch (op.completion())
        {
            case OK:
                return Optional.of(Decoding.operation(op, input, ok));
            case INDETERMINATE:
                return Optional.of(Decoding.operation(op, input, Output.unknown()));
            default:
                return Optional.empty();
        }
    }
}
