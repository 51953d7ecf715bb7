package io.tributary.jepsen.history;

import io.tributary.jepsen.checker.Operation;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Turns paired Jepsen operations into a model's operations. Each model documents which operation names
 * and values it accepts. Implementations are stateless and thread-safe.
 *
 * @param <I> the model's input
 * @param <O> the model's output
 */
public interface OperationDecoder<I, O>
{

    /**
     * The model's operation, or empty if it has no bearing on the history (an operation that definitely
     * failed and so changed nothing).
     *
     * @throws HistoryFormatException if the operation is not one the model knows, or its values do not fit
     */
    Optional<Operation<I, O>> decode(PairedOperation operation) throws HistoryFormatException;

    default List<Operation<I, O>> decodeAll(final List<PairedOperation> operations) throws HistoryFormatException
    {
        List<Operation<I, O>> decoded = new ArrayList<>(operations.size());
        for (final PairedOperation operation : operations)
        {
            Optional<Operation<I, O>> op = decode(operation);
            if (op.isPresent())
            {
                decoded.add(op.get());
            }
        }
        return decoded;
    }
}
