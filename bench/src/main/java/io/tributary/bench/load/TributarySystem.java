package io.tributary.bench.load;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.tributary.client.Admin;
import io.tributary.client.AdminConfig;
import io.tributary.client.Consumer;
import io.tributary.client.ConsumerBatch;
import io.tributary.client.ConsumerConfig;
import io.tributary.client.Producer;
import io.tributary.client.ProducerConfig;
import io.tributary.protocol.tls.TlsSettings;
import io.tributary.client.RecordMetadata;
import io.tributary.format.RecordFlyweight;

/**
 * Tributary through its Java client with default settings (linger 5 ms, idempotence on), as a
 * producer application would use it. A stream left by an earlier run is deleted first, so every
 * run starts from an empty stream.
 */
public final class TributarySystem implements LoadSystem
{
    private final String metadataPeers;
    private final String transport;
    private final TlsSettings tls;
    private final PrintWriter out;

    public TributarySystem(final String metadataPeers, final String transport, final PrintWriter out)
    {
        this(metadataPeers, transport, TlsSettings.disabled(), out);
    }

    /** @param tls the clients' TLS (a client certificate of the cluster's CA), or off. */
    public TributarySystem(final String metadataPeers, final String transport, final TlsSettings tls,
        final PrintWriter out)
    {
        this.metadataPeers = metadataPeers;
        this.transport = transport;
        this.tls = tls;
        this.out = out;
    }

    @Override
    public String name()
    {
        return "tributary-" + transport + (tls.enabled() ? "-tls" : "");
    }

    @Override
    public void createStream(final String stream, final int shards, final int replicationFactor) throws Exception
    {
        try (Admin admin = Admin.create(new AdminConfig().metadataPeers(metadataPeers).transport(transport).tls(tls)))
        {
            if (admin.listStreams().stream().anyMatch(s -> s.name().equals(stream)))
            {
                out.printf("stream '%s' exists (an earlier run): deleting it so this run starts empty%n", stream);
                admin.deleteStream(stream);
            }
            admin.createStream(stream, shards, replicationFactor);
            admin.awaitStreamReady(stream, Duration.ofSeconds(60));
        }
    }

    @Override
    public LoadTarget producer(final String stream) throws Exception
    {
        return new TributaryTarget(Producer.create(new ProducerConfig().metadataPeers(metadataPeers)
            .transport(transport).tls(tls)), stream);
    }

    @Override
    public LoadSource consumer(final String stream) throws Exception
    {
        final Consumer consumer = Consumer.create(new ConsumerConfig().metadataPeers(metadataPeers)
            .transport(transport).tls(tls));
        try
        {
            consumer.assign(stream);
            consumer.seekToBeginning();
            return new TributarySource(consumer);
        }
        catch (final Exception e)
        {
            consumer.close();
            throw e;
        }
    }

    /**
     * Through {@link Admin#streamStatus}, which asks every replica of every shard for its status
     * and role: a few round trips per shard each second, a small load on the nodes it measures.
     */
    @Override
    public ClusterCounters clusterCounters(final String stream)
    {
        return new AdminCounters(Admin.create(new AdminConfig().metadataPeers(metadataPeers).transport(transport)
            .tls(tls)),
            stream);
    }

    @Override
    public void close()
    {
    }

    private static final class AdminCounters implements ClusterCounters
    {
        private final Admin admin;
        private final String stream;

        AdminCounters(final Admin admin, final String stream)
        {
            this.admin = admin;
            this.stream = stream;
        }

        @Override
        public boolean available()
        {
            return true;
        }

        @Override
        public Sample sample() throws IOException
        {
            final List<Shard> shards = new ArrayList<>();
            for (final Admin.ShardStatus status : admin.streamStatus(stream))
            {
                final Admin.ReplicaStatus leader = status.replicas().stream()
                    .filter(replica -> replica.leader() && replica.error() == null).findFirst().orElse(null);
                shards.add(leader == null ? Shard.unknown(status.shard())
                    : new Shard(status.shard(), true, leader.appliedIndex(), leader.batchCount(), leader.nextOffset()));
            }
            return new Sample(shards);
        }

        @Override
        public void close() throws IOException
        {
            admin.close();
        }
    }

    private static final class TributaryTarget implements LoadTarget
    {
        private final Producer producer;
        private final String stream;

        TributaryTarget(final Producer producer, final String stream)
        {
            this.producer = producer;
            this.stream = stream;
        }

        @Override
        public void send(final byte[] key, final byte[] value, final long intendedNs, final SendCallback callback)
        {
            // The client copies key and value into its batch during send.
            final CompletableFuture<RecordMetadata> future = producer.send(stream, key, value);
            future.whenComplete((metadata, error) -> callback.onComplete(intendedNs, error));
        }

        @Override
        public void flush() throws InterruptedException
        {
            producer.flush();
        }

        @Override
        public void close()
        {
            producer.close(Duration.ofSeconds(30));
        }
    }

    private static final class TributarySource implements LoadSource
    {
        private final Consumer consumer;

        TributarySource(final Consumer consumer)
        {
            this.consumer = consumer;
        }

        @Override
        public int poll(final long timeoutMs, final ValueHandler handler)
        {
            final ConsumerBatch batch = consumer.poll(Duration.ofMillis(timeoutMs));
            int count = 0;
            while (batch.nextRecord())
            {
                final RecordFlyweight record = batch.record();
                handler.onValue(record.buffer(), record.valueOffset(), record.valueLength());
                count++;
            }
            return count;
        }

        @Override
        public void close()
        {
            consumer.close();
        }
    }
}
