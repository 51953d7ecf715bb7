package io.tributary.bench.kafka;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import io.tributary.bench.load.LoadOptions;
import io.tributary.bench.load.LoadRun;
import io.tributary.bench.load.LoadSummary;
import io.tributary.protocol.ExitCodes;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The load generator against a running Kafka cluster: the same {@link LoadRun} and options as
 * {@code tributary bench}. {@link CompareKafka} runs it as a child JVM, one run per process.
 */
@Command(name = "kafka-bench", mixinStandardHelpOptions = true,
    description =
        "Run the Tributary load generator against Kafka brokers (acks=all, idempotent, linger 5 ms, 64 KiB batches).")
public final class KafkaBenchMain implements Callable<Integer>
{
    @Mixin
    LoadOptions options;

    @Option(names = "--bootstrap", defaultValue = "127.0.0.1:19092,127.0.0.1:19093,127.0.0.1:19094",
        description = "Kafka bootstrap servers (default ${DEFAULT-VALUE}, as KafkaCluster starts them).")
    String bootstrap;

    @Option(names = "--durability-label", defaultValue = "acks=all",
        description =
            "How the brokers are configured, for the report: acks=all or acks=all+flush (default ${DEFAULT-VALUE}).")
    String durabilityLabel;

    @Option(names = "--broker-pids", split = ",", paramLabel = "NAME=PID",
        description = "Broker processes on this machine whose CPU time is measured with the load generator's, as"
            + " tributary bench --local measures its nodes (compare-kafka passes them); none by default.")
    Map<String, Long> brokerPids = new LinkedHashMap<>();

    @Spec
    CommandSpec spec;

    public static void main(final String[] args)
    {
        final CommandLine commandLine = new CommandLine(new KafkaBenchMain());
        commandLine.setExecutionExceptionHandler((e, cmd, parsed) ->
        {
            cmd.getErr().println("kafka-bench: " + e);
            return 1;
        });
        commandLine.setParameterExceptionHandler((e, args2) ->
        {
            e.getCommandLine().getErr().println("kafka-bench: " + e.getMessage() + " (see --help)");
            return ExitCodes.USAGE; // CompareKafka stops at once on it
        });
        System.exit(commandLine.execute(args));
    }

    @Override
    public Integer call() throws Exception
    {
        options.validate();
        final PrintWriter out = spec.commandLine().getOut();
        final LoadSummary summary;
        try (KafkaSystem system = new KafkaSystem(bootstrap))
        {
            summary = brokerPids.isEmpty() ? LoadRun.run(system, options, durabilityLabel, out)
                : LoadRun.run(system, options, durabilityLabel, out, brokerPids);
        }
        out.println(summary.oneLine());
        out.flush();
        // As tributary bench: a run in which nothing was acknowledged measured nothing.
        return summary.acknowledged() > 0 ? 0 : 1;
    }
}
