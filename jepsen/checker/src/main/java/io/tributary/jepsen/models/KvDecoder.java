package io.tributary.jepsen.models;

import io.tributary.jepsen.checker.Operation;
import io.tributary.jepsen.history.HistoryFormatException;
import io.tributary.jepsen.history.OperationDecoder;
import io.tributary.jepsen.history.PairedOperation;
import io.tributary.jepsen.models.KvModel.Input;
import io.tributary.jepsen.models.KvModel.Output;
import java.util.Optional;

/**
 * Decodes key-value operations; each needs a key:
 * <ul>
 *   <li>{@code get}: the completion's value is the value read (nil reads as the empty string);</li>
 *   <li>{@code put}, {@code append}: the invocation's value is written or appended.</li>
 * </ul>
 * Numbers are taken as their text. A failed operation did not happen and is dropped; indeterminate ones
 * get an unknown output. Stateless and thread-safe.
 */
public final class KvDecoder implements OperationDecoder<Input, Output>
{

    @Override
    public Optional<Operation<Input, Output>> decode(final PairedOperation op) throws HistoryFormatException
    {
        if (op.key() == null)
        {
            throw op.error("expected a key: kv operations are per key (the jepsen-log format has no keys; use edn or "
                + "jsonl)");
        }
        Input input;
        switch (op.f())
        {
            case "get":
                input = Input.get(op.key());
                break;
            case "put":
                input = Input.put(op.key(), Decoding.text(op, op.invokeValue(), "the value to put"));
                break;
            case "append":
                input = Input.append(op.key(), Decoding.text(op, op.invokeValue(), "the value to append"));
                break;
            default:
                throw Decoding.unknownOperation(op, "kv", ":get, :put or :append");
        }
        switch (op.completion())
        {
            case OK:
                String read = input.kind() == KvModel.Kind.GET && op.completionValue() != null
                    ? Decoding.text(op, op.completionValue(), "the value read") : "";
                return Optional.of(Decoding.operation(op, input,
                    input.kind() == KvModel.Kind.GET ? Output.got(read) : Output.ok()));
            case INDETERMINATE:
                return Optional.of(Decoding.operation(op, input, Output.unknown()));
            default:
                return Optional.empty();
        }
    }
}
