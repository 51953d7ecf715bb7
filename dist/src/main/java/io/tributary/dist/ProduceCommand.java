package io.tributary.dist;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import io.tributary.client.Admin;
import io.tributary.client.Producer;
import io.tributary.client.ProducerConfig;
import io.tributary.client.RecordMetadata;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code tributary produce STREAM}: one record per stdin line, {@code key<TAB>value} or a plain
 * value (no key); prints each acknowledged {@code shard<TAB>offset} in input order.
 */
@Command(name = "produce", mixinStandardHelpOptions = true,
    description =
        "Send stdin lines (key<TAB>value, or a plain value) to a stream; print the acknowledged shard and offset of "
        + "each.")
public final class ProduceCommand implements Callable<Integer>
{
    private static final int MAX_PENDING = 10_000;

    @Mixin
    ClusterOption cluster;

    @Parameters(index = "0", description = "Stream.")
    String stream;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception
    {
        final PrintWriter out = spec.commandLine().getOut();
        try (Admin admin = StreamCommand.admin(cluster))
        {
            admin.describeStream(stream); // an unknown stream fails here, before any input is read
        }
        final ArrayDeque<CompletableFuture<RecordMetadata>> pending = new ArrayDeque<>();
        try (Producer producer = Producer.create(new ProducerConfig().metadataPeers(cluster.peers())
            .transport(cluster.transport()).tls(cluster.tls()));
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)))
        {
            String line;
            while ((line = in.readLine()) != null)
            {
                final int tab = line.indexOf('\t');
                final byte[] key = tab < 0 ? null : line.substring(0, tab).getBytes(StandardCharsets.UTF_8);
                final byte[] value = (tab < 0 ? line : line.substring(tab + 1)).getBytes(StandardCharsets.UTF_8);
                pending.add(producer.send(stream, key, value));
                while (pending.size() > MAX_PENDING || (!pending.isEmpty() && pending.peek().isDone()))
                {
                    print(out, pending.poll());
                }
            }
            producer.flush();
            while (!pending.isEmpty())
            {
                print(out, pending.poll());
            }
        }
        out.flush();
        return 0;
    }

    private static void print(final PrintWriter out, final CompletableFuture<RecordMetadata> future)
        throws InterruptedException
    {
        try
        {
            final RecordMetadata metadata = future.get();
            out.println(metadata.shard() + "\t" + metadata.offset());
        }
        catch (final ExecutionException e)
        {
            throw new IllegalStateException("a record was not acknowledged: " + e.getCause().getMessage(),
                e.getCause());
        }
    }
}
