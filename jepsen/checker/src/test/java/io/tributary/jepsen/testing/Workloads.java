package io.tributary.jepsen.testing;

import io.tributary.jepsen.checker.NondeterministicModel;
import io.tributary.jepsen.models.KvModel;
import io.tributary.jepsen.models.LogModel;
import io.tributary.jepsen.models.RegisterModel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Workloads of the shipped models, over small value domains so that collisions and conflicts are common. */
public final class Workloads
{
    private static final long[] VALUES = {0, 1, 2};

    private Workloads()
{
    }

    /** A register of values 0-2 with reads, writes and compare-and-sets. */
    public static Workload<Object, RegisterModel.Input, RegisterModel.Output> register()
    {
        return new RegisterWorkload(false);
    }

    /** A register whose writes may be lost, for {@link #lossyRegisterModel()}. */
    public static Workload<Object, RegisterModel.Input, RegisterModel.Output> lossyRegister()
    {
        return new RegisterWorkload(true);
    }

    /**
     * A nondeterministic register: a write either takes effect or is lost (the register keeps its value).
     * A model whose power set the fast checker must build, where the brute force simply branches.
     */
    public static NondeterministicModel<RegisterModel.State, RegisterModel.Input,
        RegisterModel.Output> lossyRegisterModel()
    {
        RegisterModel register = new RegisterModel();
        return new NondeterministicModel<>()
        {
            @Override
            public List<RegisterModel.State> init()
            {
                return List.of(register.init());
            }

            @Override
            public List<RegisterModel.State> step(final RegisterModel.State state, final RegisterModel.Input input,
                final RegisterModel.Output output)
            {
                RegisterModel.State next = register.step(state, input, output);
                List<RegisterModel.State> states = new ArrayList<>(2);
                if (next != null)
                {
                    states.add(next);
                }
                if (input.kind() == RegisterModel.Kind.WRITE)
                {
                    states.add(state);
                }
                return states;
            }
        };
    }

    private static long value(final SplittableRandom random)
    {
        return VALUES[random.nextInt(VALUES.length)];
    }

    private static final class RegisterWorkload implements Workload<Object, RegisterModel.Input, RegisterModel.Output>
    {
        private final boolean lossy;

        RegisterWorkload(final boolean lossy)
        {
            this.lossy = lossy;
        }

        @Override
        public Object init()
        {
            return null;
        }

        @Override
        public RegisterModel.Input randomInput(final SplittableRandom random)
        {
            switch (random.nextInt(3))
            {
                case 0: return RegisterModel.Input.read();
                case 1: return RegisterModel.Input.write(value(random));
                default: return RegisterModel.Input.cas(value(random), value(random));
            }
        }

        @Override
        public Applied<Object, RegisterModel.Output> apply(final Object state, final RegisterModel.Input input,
            final SplittableRandom random)
        {
            switch (input.kind())
            {
                case READ:
                    return new Applied<>(RegisterModel.Output.read(state), state);
                case WRITE:
                    return new Applied<>(RegisterModel.Output.ok(), lossy && random.nextInt(4) == 0 ? state
                        : input.value());
                default:
                    boolean matches = input.expected().equals(state);
                    return matches ? new Applied<>(RegisterModel.Output.ok(), input.value())
                        : new Applied<>(RegisterModel.Output.casFailed(), state);
            }
        }

        @Override
        public RegisterModel.Output unknownOutput()
        {
            return RegisterModel.Output.unknown();
        }

        @Override
        public RegisterModel.Output corrupt(final RegisterModel.Input input, final RegisterModel.Output output,
            final SplittableRandom random)
        {
            switch (input.kind())
            {
                case READ:
                    return RegisterModel.Output.read(random.nextInt(4) == 0 ? null : value(random));
                case CAS:
                    return output.status() == RegisterModel.Status.OK ? RegisterModel.Output.casFailed()
                        : RegisterModel.Output.ok();
                default:
                    return null;
            }
        }
    }

    /** A key-value store of two keys with gets, puts and appends of short strings. */
    public static Workload<Map<String, String>, KvModel.Input, KvModel.Output> kv()
    {
        return new Workload<>()
        {
            private final String[] keys = {"a", "b"};
            private final String[] pieces = {"x", "y", "xy"};

            @Override
            public Map<String, String> init()
            {
                return Map.of();
            }

            @Override
            public KvModel.Input randomInput(final SplittableRandom random)
            {
                String key = keys[random.nextInt(keys.length)];
                String piece = pieces[random.nextInt(pieces.length)];
                switch (random.nextInt(3))
                {
                    case 0: return KvModel.Input.get(key);
                    case 1: return KvModel.Input.put(key, piece);
                    default: return KvModel.Input.append(key, piece);
                }
            }

            @Override
            public Applied<Map<String, String>,
                KvModel.Output> apply(final Map<String, String> state, final KvModel.Input input,
                                                                       final SplittableRandom random)
            {
                String key = (String) input.key();
                String current = state.getOrDefault(key, "");
                if (input.kind() == KvModel.Kind.GET)
                {
                    return new Applied<>(KvModel.Output.got(current), state);
                }
                Map<String, String> next = new HashMap<>(state);
                next.put(key, input.kind() == KvModel.Kind.PUT ? input.value() : current + input.value());
                return new Applied<>(KvModel.Output.ok(), next);
            }

            @Override
            public KvModel.Output unknownOutput()
            {
                return KvModel.Output.unknown();
            }

            @Override
            public KvModel.Output corrupt(final KvModel.Input input, final KvModel.Output output,
                final SplittableRandom random)
            {
                if (input.kind() != KvModel.Kind.GET)
                {
                    return null;
                }
                String[] candidates = {"", "x", "y", "xy", "yx", "xx"};
                return KvModel.Output.got(candidates[random.nextInt(candidates.length)]);
            }
        };
    }

    /** A log of two shards with appends (returning offsets) and reads of offsets 0-3. */
    public static Workload<Map<Long, List<Object>>, LogModel.Input, LogModel.Output> log()
    {
        return new Workload<>()
        {
            @Override
            public Map<Long, List<Object>> init()
            {
                return Map.of();
            }

            @Override
            public LogModel.Input randomInput(final SplittableRandom random)
            {
                long shard = random.nextInt(2);
                return random.nextBoolean() ? LogModel.Input.append(shard, "v" + random.nextInt(3))
                    : LogModel.Input.read(shard, random.nextInt(4));
            }

            @Override
            public Applied<Map<Long, List<Object>>,
                LogModel.Output> apply(final Map<Long, List<Object>> state, final LogModel.Input input,
                                                                            final SplittableRandom random)
            {
                List<Object> entries = state.getOrDefault((Long) input.shard(), List.of());
                if (input.kind() == LogModel.Kind.READ)
                {
                    Object value = input.offset() < entries.size() ? entries.get((int) input.offset()) : null;
                    return new Applied<>(LogModel.Output.read(value), state);
                }
                List<Object> appended = new ArrayList<>(entries);
                appended.add(input.value());
                Map<Long, List<Object>> next = new HashMap<>(state);
                next.put((Long) input.shard(), appended);
                return new Applied<>(LogModel.Output.appended(entries.size()), next);
            }

            @Override
            public LogModel.Output unknownOutput()
            {
                return LogModel.Output.unknown();
            }

            @Override
            public LogModel.Output corrupt(final LogModel.Input input, final LogModel.Output output,
                final SplittableRandom random)
            {
                if (input.kind() == LogModel.Kind.APPEND)
                {
                    return LogModel.Output.appended(random.nextInt(4));
                }
                return LogModel.Output.read(random.nextInt(3) == 0 ? null : "v" + random.nextInt(3));
            }
        };
    }
}
