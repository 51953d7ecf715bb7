package io.tributary.bench.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import io.tributary.bench.load.LoadSource;
import io.tributary.bench.load.LoadSystem;
import io.tributary.bench.load.LoadTarget;
import io.tributary.bench.load.SendCallback;

/**
 * Kafka as a {@link LoadSystem}: a topic per stream, one {@link KafkaProducer} per load thread, a
 * {@link KafkaConsumer} assigned to every partition. The producer settings match Tributary's
 * producer defaults so both batch alike. Not thread-safe; the producers and consumers it hands out
 * are each driven by one thread, as the load generator does.
 */
public final class KafkaSystem implements LoadSystem
{
    static final int MIN_INSYNC_REPLICAS = 2;
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);
    private static final byte[] EMPTY = new byte[0];

    private final String bootstrap;
    private final Admin admin;

    public KafkaSystem(final String bootstrap)
    {
        if (bootstrap.isBlank())
        {
            throw new IllegalArgumentException("--bootstrap must name at least one broker, e.g. 127.0.0.1:19092");
        }
        this.bootstrap = bootstrap;
        final Properties properties = new Properties();
        properties.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        this.admin = Admin.create(properties);
    }

    @Override
    public String name()
    {
        return "kafka";
    }

    @Override
    public void createStream(final String stream, final int shards, final int replicationFactor) throws Exception
    {
        if (replicationFactor < MIN_INSYNC_REPLICAS)
        {
            throw new IllegalArgumentException("replication factor " + replicationFactor
                + " is below min.insync.replicas "
                + MIN_INSYNC_REPLICAS + ": acks=all would refuse every write; use --replication-factor 3");
        }
        final NewTopic topic = new NewTopic(stream, shards, (short)replicationFactor)
            .configs(Map.of("min.insync.replicas", Integer.toString(MIN_INSYNC_REPLICAS)));
        admin.createTopics(List.of(topic)).all().get(READY_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        awaitLeaders(stream, shards, replicationFactor);
        probeWrites(stream, shards);
    }

    /**
     * Partition leaders answer before their followers fetch (a new partition's replica fetchers
     * start a second or two later on this machine), and until then an acks=all write waits. So
     * one empty record goes to each partition with acks=all, and then it is deleted
     * (deleteRecords moves the log start past it): consumers from the beginning never see it.
     */
    private void probeWrites(final String stream, final int shards) throws Exception
    {
        final Properties p = new Properties();
        p.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.setProperty(ProducerConfig.ACKS_CONFIG, "all");
        p.setProperty(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(READY_TIMEOUT.toMillis()));
        final Map<TopicPartition, RecordsToDelete> probes = new HashMap<>();
        try (KafkaProducer<byte[], byte[]> producer =
            new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer()))
        {
            final List<Future<RecordMetadata>> sends = new ArrayList<>();
            for (int partition = 0; partition < shards; partition++)
            {
                sends.add(producer.send(new ProducerRecord<>(stream, partition, null, EMPTY)));
            }
            for (final Future<RecordMetadata> send : sends)
            {
                final RecordMetadata metadata = send.get(READY_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                probes.put(new TopicPartition(stream, metadata.partition()),
                    RecordsToDelete.beforeOffset(metadata.offset() + 1));
            }
        }
        admin.deleteRecords(probes).all().get(READY_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    /** Every partition with a leader and its full ISR, so the first records do not pay for elections. */
    private void awaitLeaders(final String stream, final int shards, final int replicationFactor) throws Exception
    {
        final long deadlineNs = System.nanoTime() + READY_TIMEOUT.toNanos();
        String state = "not described yet";
        while (System.nanoTime() - deadlineNs < 0)
        {
            try
            {
                final TopicDescription description = admin.describeTopics(List.of(stream)).allTopicNames()
                    .get(5, TimeUnit.SECONDS).get(stream);
                final long ready = description.partitions().stream()
                    .filter(p -> p.leader() != null && !p.leader().isEmpty() && p.isr().size() == replicationFactor)
                        .count();
                if (ready == shards && description.partitions().size() == shards)
                {
                    return;
                }
                state = ready + " of " + shards + " partitions have a leader and " + replicationFactor
                    + " in-sync replicas: " + description.partitions().stream().map(KafkaSystem::describe).toList();
            }
            catch (final ExecutionException | TimeoutException e)
            {
                state = e.getCause() != null ? e.getCause().toString() : e.toString();
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
        throw new IllegalStateException("topic '" + stream + "' not ready after " + READY_TIMEOUT.toSeconds() + " s: "
            + state);
    }

    private static String describe(final TopicPartitionInfo p)
    {
        return p.partition() + ": leader " + (p.leader() == null ? "none" : p.leader().idString()) + ", isr " + p.isr()
            .size();
    }

    @Override
    public LoadTarget producer(final String stream)
    {
        return new Target(new KafkaProducer<>(producerProperties(bootstrap), new ByteArraySerializer(),
            new ByteArraySerializer()), stream);
    }

    /** The producer as configured for every run; public so the report can quote it. */
    public static Properties producerProperties(final String bootstrap)
    {
        final Properties p = new Properties();
        p.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        // Durable as the comparison requires: the leader answers once min.insync.replicas (2 of 3) have the batch.
        p.setProperty(ProducerConfig.ACKS_CONFIG, "all");
        p.setProperty(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        // Tributary's producer defaults (io.tributary.client.ProducerConfig): 5 ms linger, 64 KiB batches,
        // 32 MiB of buffer, 5 batches in flight (Kafka counts those per broker connection, Tributary per shard).
        p.setProperty(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.setProperty(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(64 << 10));
        p.setProperty(ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(32L << 20));
        p.setProperty(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
        p.setProperty(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
        return p;
    }

    @Override
    public LoadSource consumer(final String stream)
    {
        final Properties p = new Properties();
        p.setProperty(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.setProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.setProperty(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        final KafkaConsumer<byte[], byte[]> consumer =
            new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        try
        {
            final List<TopicPartition> partitions = new ArrayList<>();
            for (final PartitionInfo info : consumer.partitionsFor(stream, READY_TIMEOUT))
            {
                partitions.add(new TopicPartition(stream, info.partition()));
            }
            if (partitions.isEmpty())
            {
                throw new IllegalStateException("topic '" + stream
                    + "' has no partitions: was it created (createStream)?");
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            return new Source(consumer);
        }
        catch (final RuntimeException e)
        {
            consumer.close(CloseOptions.timeout(CLOSE_TIMEOUT));
            throw e;
        }
    }

    @Override
    public void close()
    {
        admin.close(CLOSE_TIMEOUT);
    }

    /**
     * A producer thread's target. {@link KafkaProducer#send} serializes the record (the byte-array
     * serializer keeps the array) and copies key and value into its accumulator's batch before it
     * returns, so the load generator may reuse both arrays at once, as {@link LoadTarget} requires.
     */
    private static final class Target implements LoadTarget
    {
        private final KafkaProducer<byte[], byte[]> producer;
        private final String topic;

        Target(final KafkaProducer<byte[], byte[]> producer, final String topic)
        {
            this.producer = producer;
            this.topic = topic;
        }

        @Override
        public void send(final byte[] key, final byte[] value, final long intendedNs, final SendCallback callback)
        {
            producer.send(new ProducerRecord<>(topic, key, value), (metadata, error) ->
                callback.onComplete(intendedNs, error));
        }

        @Override
        public void flush()
        {
            producer.flush();
        }

        @Override
        public void close()
        {
            producer.close(CLOSE_TIMEOUT);
        }
    }

    /** Hands each value over in place: one {@link UnsafeBuffer} re-wrapped around each record's array. */
    private static final class Source implements LoadSource
    {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final UnsafeBuffer buffer = new UnsafeBuffer(EMPTY);

        Source(final KafkaConsumer<byte[], byte[]> consumer)
        {
            this.consumer = consumer;
        }

        @Override
        public int poll(final long timeoutMs, final ValueHandler handler)
        {
            final ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(timeoutMs));
            for (final ConsumerRecord<byte[], byte[]> record : records)
            {
                final byte[] value = record.value() == null ? EMPTY : record.value();
                buffer.wrap(value);
                handler.onValue(buffer, 0, value.length);
            }
            return records.count();
        }

        @Override
        public void close()
        {
            consumer.close(CloseOptions.timeout(CLOSE_TIMEOUT));
        }
    }
}
