package io.tributary.jepsen.history;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Writes seeded register histories (read, write, cas on values 0-4) in Jepsen's log-line form, the form of
 * porcupine's etcd test data, so that this checker and porcupine can be timed on the same files.
 *
 * <p>A simulated register is driven by concurrent clients: each operation takes effect at one instant between
 * its call and its return, so the history is linearizable by construction. A crashed client leaves its
 * operation open for good (it took effect or not, at random) and goes on as a new process, as Jepsen does;
 * open writes and compare-and-sets may then be linearized anywhere after their call, which is what makes such
 * histories hard. Mutations change the value a completed read returned, which usually (not always) makes the
 * history not linearizable. Usage:
 *
 * <pre>RegisterHistoryGenerator SEED CLIENTS OPERATIONS CRASHES MUTATIONS FILE</pre>
 */
public final class RegisterHistoryGenerator
{
    private static final int VALUES = 5;
    private static final int NIL = -1;

    private RegisterHistoryGenerator()
{
    }

    public static void main(final String[] args) throws IOException
    {
        if (args.length != 6)
        {
            System.err.println("usage: RegisterHistoryGenerator SEED CLIENTS OPERATIONS CRASHES MUTATIONS FILE");
            System.exit(64);
        }
        final List<String> lines = generate(Long.parseLong(args[0]), Integer.parseInt(args[1]),
            Integer.parseInt(args[2]),
            Integer.parseInt(args[3]), Integer.parseInt(args[4]));
        try (Writer out = Files.newBufferedWriter(Path.of(args[5]), StandardCharsets.UTF_8))
        {
            for (final String line : lines)
            {
                out.write(line);
                out.write('\n');
            }
        }
    }

    /** The history's lines, in time order. */
    public static List<String> generate(final long seed, final int clients, final int operations, final int crashes,
        final int mutations)
    {
        if (clients < 1 || operations < 1 || crashes < 0 || mutations < 0)
        {
            throw new
                IllegalArgumentException("clients and operations must be positive, crashes and mutations not negative");
        }
        final SplittableRandom random = new SplittableRandom(seed);
        final List<String> lines = new ArrayList<>();
        final List<Integer> readReturns = new ArrayList<>();   // line numbers of completed reads, for mutations
        final PriorityQueue<Step> steps = new PriorityQueue<>();
        final int[] process = new int[clients];
        final Op[] current = new Op[clients];
        for (int c = 0; c < clients; c++)
        {
            process[c] = c;
            steps.add(new Step(random.nextDouble() * 5, c, Phase.CALL));
        }
        // Which operations crash: spread over the run.
        final Set<Integer> crashAt = new HashSet<>();
        while (crashAt.size() < Math.min(crashes, operations))
        {
            crashAt.add(random.nextInt(operations));
        }
        int register = NIL;
        int invoked = 0;
        while (!steps.isEmpty())
        {
            final Step step = steps.poll();
            final int c = step.client;
            switch (step.phase)
            {
                case CALL ->
                {
                    if (invoked == operations)
                    {
                        continue;
                    }
                    final Op op = new Op(random.nextInt(10), random.nextInt(VALUES), random.nextInt(VALUES),
                        crashAt.contains(invoked));
                    invoked++;
                    current[c] = op;
                    lines.add(prefix(process[c]) + ":invoke\t" + op.describeCall());
                    final boolean takesEffect = !op.crashes || random.nextBoolean();
                    if (takesEffect)
                    {
                        steps.add(new Step(step.time + latency(random), c, Phase.TAKE_EFFECT));
                    }
                    else
                    {
                        crashed(steps, step.time + latency(random), c, process, clients, random);
                    }
                }
                case TAKE_EFFECT ->
                {
                    final Op op = current[c];
                    if (op.kind < 4)
                    {
                        op.result = register;
                    }
                    else if (op.kind < 7)
                    {
                        register = op.a;
                    }
                    else
                    {
                        op.ok = register == op.a;
                        if (op.ok)
                        {
                            register = op.b;
                        }
                    }
                    if (op.crashes)
                    {
                        crashed(steps, step.time + latency(random), c, process, clients, random);
                    }
                    else
                    {
                        steps.add(new Step(step.time + latency(random), c, Phase.RETURN));
                    }
                }
                case RETURN ->
                {
                    final Op op = current[c];
                    if (op.kind < 4)
                    {
                        readReturns.add(lines.size());
                    }
                    lines.add(prefix(process[c]) + op.describeReturn());
                    steps.add(new Step(step.time + random.nextDouble() * 3, c, Phase.CALL));
                }
                default -> throw new IllegalStateException(step.phase.toString());
            }
        }
        mutate(lines, readReturns, mutations, random);
        return lines;
    }

    /** Replaces the value of up to {@code mutations} completed reads (chosen at random) by another value. */
    private static void mutate(final List<String> lines, final List<Integer> readReturns, final int mutations,
        final SplittableRandom random)
    {
        for (int m = 0; m < mutations && !readReturns.isEmpty(); m++)
        {
            final int line = readReturns.remove(random.nextInt(readReturns.size()));
            final String text = lines.get(line);
            final String value = text.substring(text.lastIndexOf('\t') + 1);
            String replacement;
            do
            {
                replacement = random.nextInt(VALUES + 1) == VALUES ? "nil" : Integer.toString(random.nextInt(VALUES));
            }
            while (replacement.equals(value));
            lines.set(line, text.substring(0, text.lastIndexOf('\t') + 1) + replacement);
        }
    }

    /** The client's operation stays open for good; the client goes on as a new process. */
    private static void crashed(final PriorityQueue<Step> steps, final double time, final int c, final int[] process,
        final int clients, final SplittableRandom random)
    {
        process[c] += clients;
        steps.add(new Step(time + random.nextDouble() * 3, c, Phase.CALL));
    }

    private static double latency(final SplittableRandom random)
    {
        // Mostly short, sometimes long: long operations overlap many others.
        return random.nextInt(10) == 0 ? 5 + random.nextDouble() * 40 : 0.1 + random.nextDouble() * 3;
    }

    private static String prefix(final int process)
    {
        return "INFO  jepsen.util - " + process + "\t";
    }

    private enum Phase
    {
        CALL,
        TAKE_EFFECT,
        RETURN
    }

    private record Step(double time, int client, Phase phase) implements Comparable<Step>
    {
        @Override
        public int compareTo(final Step other)
        {
            final int byTime = Double.compare(time, other.time);
            return byTime != 0 ? byTime : Integer.compare(client, other.client);
        }
    }

    /** Kinds 0-3 read, 4-6 write, 7-9 cas. */
    private static final class Op
    {
        final int kind;
        final int a;
        final int b;
        final boolean crashes;
        int result;
        boolean ok;

        Op(final int kind, final int a, final int b, final boolean crashes)
        {
            this.kind = kind;
            this.a = a;
            this.b = b;
            this.crashes = crashes;
        }

        String describeCall()
        {
            return kind < 4 ? ":read\tnil" : kind < 7 ? ":write\t" + a : ":cas\t[" + a + " " + b + "]";
        }

        String describeReturn()
        {
            if (kind < 4)
            {
                return ":ok\t:read\t" + (result == NIL ? "nil" : Integer.toString(result));
            }
            return kind < 7 ? ":ok\t:write\t" + a : (ok ? ":ok" : ":fail") + "\t:cas\t[" + a + " " + b + "]";
        }
    }
}
