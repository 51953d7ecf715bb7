package io.tributary.jepsen.harness;

import io.tributary.client.ProducerConfig;
import io.tributary.protocol.ShardRing;
import io.tributary.protocol.tls.TlsSettings;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** What every client process of a run shares: the history, the cluster's address, the stream, unique values. */
record ClientContext(HistoryLog history, Map<String, String> metadataPeers, String transport, TlsSettings tls,
    String stream, int shards, int concurrency, long opTimeoutMs, AtomicLong values, long startNs)
{
    /** Every value written in a run is unique, so a value read names the one write that stored it. */
    long nextValue()
    {
        return values.incrementAndGet();
    }

    ShardRing ring()
    {
        return new ShardRing(stream, shards);
    }

    /** A key the producer sends to {@code shard}: the first of p0, p1, ... that hashes there. */
    String keyFor(final int shard)
    {
        final ShardRing ring = ring();
        for (int i = 0; ; i++)
        {
            if (ring.shardFor(("p" + i).getBytes(StandardCharsets.UTF_8)) == shard)
            {
                return "p" + i;
            }
        }
    }

    /**
     * Producers resend on their own (idempotently) until the delivery timeout; an operation whose
     * future is still open after that is indeterminate.
     */
    ProducerConfig producerConfig()
    {
        return new ProducerConfig().metadataPeers(metadataPeers).transport(transport).tls(tls).requestTimeoutMs(3_000)
            .deliveryTimeoutMs(opTimeoutMs).lingerMs(0);
    }
}
