package io.tributary.jepsen.models;

import io.tributary.jepsen.checker.Operation;
import io.tributary.jepsen.history.HistoryFormatException;
import io.tributary.jepsen.history.OperationDecoder;
import io.tributary.jepsen.history.PairedOperation;
import io.tributary.jepsen.models.LogModel.Input;
import io.tributary.jepsen.models.LogModel.Output;
import java.util.Optional;

/**
 * Decodes log operations; the key is the shard (absent: one shard):
 * <ul>
 *   <li>{@code append}: the invocation's value is appended; the ok completion's value is the offset it
 *   got, e.g. {@code {"f":"append","value":"x"}} then {@code {"f":"append","value":7}};</li>
 *   <li>{@code read}: the invocation's value is the offset; the ok completion's value is the value read,
 *   nil if nothing is there yet.</li>
 * </ul>
 * A failed operation did not happen and is dropped; indeterminate ones get an unknown output. Stateless
 * and thread-safe.
 */
public final class LogDecoder implements OperationDecoder<Input, Output>
{

    @Override
    public Optional<Operation<Input, Output>> decode(final PairedOperation op) throws HistoryFormatException
    {
        Input input;
        switch (op.f())
        {
            case "append":
                input = Input.append(op.key(), op.invokeValue());
                break;
            case "read":
                input = Input.read(op.key(), Decoding.offset(op, op.invokeValue(),
                    "the offset to read as the invoke value"));
                break;
            default:
                throw Decoding.unknownOperation(op, "log", ":append or :read");
        }
        switch (op.completion())
        {
            case OK:
                Output output = input.kind() == LogModel.Kind.APPEND
                    ? Output.appended(Decoding.offset(op, op.completionValue(),
                        "the offset the append got as the ok value"))
                    : Output.read(op.completionValue());
                return Optional.of(Decoding.operation(op, input, output));
            case INDETERMINATE:
                return Optional.of(Decoding.operation(op, input, Output.unknown()));
            default:
                return Optional.empty();
        }
    }
}
