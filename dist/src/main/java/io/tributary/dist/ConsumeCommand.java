package io.tributary.dist;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;

import io.tributary.client.Consumer;
import io.tributary.client.ConsumerBatch;
import io.tributary.client.ConsumerConfig;
import io.tributary.client.ReadConsistency;
import io.tributary.format.RecordFlyweight;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import sun.misc.Signal;

/** {@code tributary consume STREAM}: prints {@code shard<TAB>offset<TAB>key<TAB>value} lines. */
@Command(name = "consume", mixinStandardHelpOptions = true,
    description =
        "Print a stream's records as shard<TAB>offset<TAB>key<TAB>value, from an offset, optionally following.")
public final class ConsumeCommand implements Callable<Integer>
{
    @Mixin
    ClusterOption cluster;

    @Parameters(index = "0", description = "Stream.")
    String stream;

    @Option(names = "--from", defaultValue = "beginning",
        description = "beginning, end, or an offset applied to every shard (default ${DEFAULT-VALUE}).")
    String from;

    @Option(names = "--shard", description = "Only these shards (repeatable; default all).")
    int[] shards;

    @Option(names = "--follow", description = "Keep waiting for new records (Ctrl-C stops).")
    boolean follow;

    @Option(names = "--consistency", defaultValue = "LINEARIZABLE",
        description = "LINEARIZABLE (default) or a follower read: ${COMPLETION-CANDIDATES}.")
    ReadConsistency consistency;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception
    {
        final PrintWriter out = spec.commandLine().getOut();
        final AtomicBoolean stop = new AtomicBoolean();
        Signal.handle(new Signal("INT"), signal -> stop.set(true));
        try (Consumer consumer = Consumer.create(new ConsumerConfig().metadataPeers(cluster.peers())
            .transport(cluster.transport()).tls(cluster.tls()).consistency(consistency)))
        {
            consumer.assign(stream, shards == null ? new int[0] : shards);
            position(consumer);
            long printed = 0;
            while (!stop.get())
            {
                final ConsumerBatch batch = consumer.poll(Duration.ofMillis(follow ? 1000 : 300));
                if (batch.isEmpty() && !follow)
                {
                    break;
                }
                while (batch.nextRecord())
                {
                    final RecordFlyweight record = batch.record();
                    out.println(batch.shard() + "\t" + record.offset() + "\t" + text(record.keyBytes()) + "\t"
                        + text(record.valueBytes()));
                    printed++;
                }
                out.flush();
            }
            spec.commandLine().getErr().println("consumed " + printed + " records");
        }
        return 0;
    }

    private void position(final Consumer consumer) throws IOException
    {
        switch (from)
        {
            case "beginning" -> consumer.seekToBeginning();
            case "end" -> consumer.seekToEnd();
            default ->
            {
                final long offset;
                try
                {
                    offset = Long.parseLong(from);
                }
                catch (final NumberFormatException e)
                {
                    throw new IllegalArgumentException("--from '" + from + "' is not beginning, end or an offset");
                }
                for (final int shard : consumer.assignment())
                {
                    consumer.seek(shard, offset);
                }
            }
        }
    }

    private static String text(final byte[] bytes)
    {
        return bytes == null ? "" : new String(bytes, StandardCharsets.UTF_8);
    }
}
