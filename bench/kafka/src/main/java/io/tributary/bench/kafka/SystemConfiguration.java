package io.tributary.bench.kafka;

import java.util.Locale;

/** The four systems compared, in pairs of matching durability (see {@link #pair()}). */
enum SystemConfiguration
{
    /** Tributary's default: acknowledged once a majority has the write in its fsynced Raft log. */
    TRIBUTARY_FSYNC("tributary-fsync", "Tributary fsync", "tributary", "fsync"),
    /** Acknowledged once a majority has the write in its Raft log, in the page cache (no fsync). */
    TRIBUTARY_NOFSYNC("tributary-nofsync", "Tributary nofsync", "tributary", "nofsync"),
    /** Kafka's usual durable setting: 2 of 3 in-sync replicas have the batch in their page cache. */
    KAFKA_ACKS_ALL("kafka-acks-all", "Kafka acks=all", "kafka", "acks=all"),
    /** As above, and every append is fsynced (log.flush.interval.messages=1): parity with Tributary fsync. */
    KAFKA_ACKS_ALL_FLUSH("kafka-acks-all-flush", "Kafka acks=all+flush", "kafka", "acks=all+flush");

    final String id;
    final String label;
    final String system;
    final String durability;

    SystemConfiguration(final String id, final String label, final String system, final String durability)
    {
        this.id = id;
        this.label = label;
        this.system = system;
        this.durability = durability;
    }

    boolean isKafka()
    {
        return "kafka".equals(system);
    }

    /** The configuration of the other system with the same durability. */
    SystemConfiguration pair()
    {
        return switch (this)
        {
            case TRIBUTARY_FSYNC -> KAFKA_ACKS_ALL_FLUSH;
            case KAFKA_ACKS_ALL_FLUSH -> TRIBUTARY_FSYNC;
            case TRIBUTARY_NOFSYNC -> KAFKA_ACKS_ALL;
            case KAFKA_ACKS_ALL -> TRIBUTARY_NOFSYNC;
        };
    }

    static SystemConfiguration parse(final String text)
    {
        final String value = text.trim().toLowerCase(Locale.ROOT);
        for (final SystemConfiguration configuration : values())
        {
            if (configuration.id.equals(value))
            {
                return configuration;
            }
        }
        throw new IllegalArgumentException("'" + text
            + "' is not a configuration; use tributary-fsync, tributary-nofsync, kafka-acks-all or "
            + "kafka-acks-all-flush");
    }
}
