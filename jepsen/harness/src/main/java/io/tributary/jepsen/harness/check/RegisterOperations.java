package io.tributary.jepsen.harness.check;

import io.tributary.jepsen.checker.Operation;
import io.tributary.jepsen.history.HistoryRecord;
import io.tributary.jepsen.history.PairedOperation;
import io.tributary.jepsen.internal.Json;
import io.tributary.jepsen.models.RegisterModel.Input;
import io.tributary.jepsen.models.RegisterModel.Output;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The register workload's operations as {@code RegisterModel} operations, split by key. Unlike
 * {@code RegisterDecoder}, which takes every failed cas for a failed compare (as etcd's Jepsen client
 * reports), our harness says so only with the error {@value RegisterChecker#CAS_FAILED}; a cas that failed
 * with any other error was rejected before it ran, did not happen, and is left out like a failed read or
 * write. A fail with error {@code timed-out}, an info, or no completion is indeterminate.
 */
final class RegisterOperations
{
    /** Per key, in key order, the operations in the order of their invocations. */
    final Map<String, List<Operation<Input, Output>>> byKey = new TreeMap<>();
    /** Per operation name, per outcome (ok, fail, info): how many. */
    final Map<String, Map<String, Long>> outcomes = new LinkedHashMap<>();
    /** Definite failures left out: they did not happen. */
    long leftOut;

    static RegisterOperations decode(final HistoryFile history)
    {
        RegisterOperations out = new RegisterOperations();
        for (final PairedOperation op : history.operations())
        {
            out.outcomes.computeIfAbsent(op.f(), k -> new LinkedHashMap<>())
                .merge(LogOperations.outcomeName(op), 1L, Long::sum);
            if (op.key() == null)
            {
                throw LogOperations.malformed(op, "expected the register's key (such as \"k3\"), found none");
            }
            Operation<Input, Output> decoded = out.decode(op, history);
            if (decoded != null)
            {
                out.byKey.computeIfAbsent(String.valueOf(op.key()), k -> new ArrayList<>()).add(decoded);
            }
        }
        return out;
    }

    /** The model's operation, or null if it definitely did not happen. */
    private Operation<Input, Output> decode(final PairedOperation op, final HistoryFile history)
    {
        Input input;
        switch (op.f())
        {
            case "read":
                input = Input.read();
                break;
            case "write":
                input = Input.write(op.invokeValue());
                break;
            case "cas":
                if (!(op.invokeValue() instanceof List) || ((List<?>) op.invokeValue()).size() != 2)
                {
                    throw LogOperations.malformed(op, "expected [expected, new] as the value of cas, found "
                        + Json.write(op.invokeValue()));
                }
                List<?> pair = (List<?>) op.invokeValue();
                input = Input.cas(pair.get(0), pair.get(1));
                break;
            default:
                throw LogOperations.malformed(op, "the register workload has no operation " + op.f()
                    + "; expected read, write or cas");
        }
        switch (op.completion())
        {
            case OK:
                return operation(op, input, op.f().equals("read") ? Output.read(op.completionValue()) : Output.ok());
            case INDETERMINATE:
                return operation(op, input, Output.unknown());
            default:
                HistoryRecord completion = history.completionOf(op);
                if (op.f().equals("cas") && completion != null && RegisterChecker.CAS_FAILED.equals(completion.error()))
                {
                    return operation(op, input, Output.casFailed());
                }
                leftOut++;
                return null;
        }
    }

    private static Operation<Input, Output> operation(final PairedOperation op, final Input input, final Output output)
    {
        if (op.process() < 0 || op.process() > Integer.MAX_VALUE)
        {
            throw LogOperations.malformed(op, "process id " + op.process() + " is out of range [0, " + Integer.MAX_VALUE
                + "]");
        }
        return new Operation<>((int) op.process(), input, op.callTime(), output, op.returnTime());
    }
}
