package io.tributary.dist;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Callable;

import io.tributary.client.AuditTrailReader;
import io.tributary.client.Consumer;
import io.tributary.client.ConsumerConfig;
import io.tributary.protocol.ExitCodes;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code tributary audit tail|verify}: the replicated, hash-chained audit trail of a secure cluster (admin operations
 * and denied requests). Needs the auditor role ({@code --certs DIR --as NAME}).
 */
@Command(name = "audit", mixinStandardHelpOptions = true, description = "Read or verify the audit trail (security "
    + "on; auditor role).", subcommands = {AuditCommand.Tail.class, AuditCommand.Verify.class})
public final class AuditCommand implements Runnable
{
    private static final Duration READ_TIMEOUT = Duration.ofMinutes(5);

    @Spec
    CommandSpec spec;

    @Override
    public void run()
    {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static Consumer consumer(final ClusterOption cluster) throws IOException
    {
        return Consumer.create(new ConsumerConfig().metadataPeers(cluster.peers()).transport(cluster.transport())
            .tls(cluster.tls()));
    }

    @Command(name = "tail", mixinStandardHelpOptions = true, description = "Print the last records of the trail "
        + "(the chain checked from the first).")
    static final class Tail implements Callable<Integer>
    {
        @Mixin
        ClusterOption cluster;

        @Option(names = "--count", defaultValue = "20", description = "Records to print (default ${DEFAULT-VALUE}).")
        int count;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception
        {
            final PrintWriter out = spec.commandLine().getOut();
            final Deque<String> last = new ArrayDeque<>();
            final AuditTrailReader.Result result;
            try (Consumer consumer = consumer(cluster))
            {
                result = AuditTrailReader.read(consumer, READ_TIMEOUT, (offset, record) ->
                {
                    last.addLast(offset + "\t" + record);
                    if (last.size() > Math.max(0, count))
                    {
                        last.removeFirst();
                    }
                });
            }
            last.forEach(out::println);
            if (result.broken() != null)
            {
                spec.commandLine().getErr().println("tributary audit tail: the chain is broken at " + result.broken());
                return ExitCodes.FAILED;
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true, description = "Check the whole trail's hash chain: "
        + "exit 0 when intact, 1 (saying where) when a record was removed, altered or moved.")
    static final class Verify implements Callable<Integer>
    {
        @Mixin
        ClusterOption cluster;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception
        {
            final AuditTrailReader.Result result;
            try (Consumer consumer = consumer(cluster))
            {
                result = AuditTrailReader.read(consumer, READ_TIMEOUT, (offset, record) ->
                {
                });
            }
            if (result.broken() != null)
            {
                spec.commandLine().getErr().println("tributary audit verify: " + result.checked() + " records passed, "
                    + "then the chain broke at " + result.broken());
                return ExitCodes.FAILED;
            }
            spec.commandLine().getOut().printf("audit trail intact: %d records, each naming the hash of the one "
                + "before%n", result.checked());
            return ExitCodes.OK;
        }
    }
}
