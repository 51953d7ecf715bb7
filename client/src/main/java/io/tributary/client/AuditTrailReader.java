package io.tributary.client;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

import io.tributary.protocol.access.AuditChain;
import io.tributary.protocol.access.AuditRecord;

/**
 * Reads the cluster's audit trail ({@link AuditRecord#STREAM}, security on) from its first record to its end as of the
 * call, checking the hash chain as it goes: what {@code tributary audit tail} and {@code audit verify} run. The
 * consumer's principal needs the auditor role (or cluster-admin).
 */
public final class AuditTrailReader
{
    /** What a pass found: records that passed, and where and how the chain broke (null: intact). */
    public record Result(long checked, String broken)
    {
    }

    private AuditTrailReader()
    {
    }

    /**
     * Reads every record up to the trail's end (as of the call), handing each one that passes the chain to
     * {@code each} (offset, record); stops at the first break.
     *
     * @param consumer a consumer of the cluster (its principal an auditor); assigned to the trail here.
     * @param timeout  how long the whole read may take.
     * @throws AccessDeniedException when the principal may not read the trail.
     */
    public static Result read(final Consumer consumer, final Duration timeout, final BiConsumer<Long, AuditRecord> each)
        throws IOException
    {
        consumer.assign(AuditRecord.STREAM, 0);
        consumer.seekToEnd();
        final long end = consumer.position(0);
        consumer.seekToBeginning();
        final AuditChain chain = new AuditChain();
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        while (consumer.position(0) < end && chain.broken() == null)
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new IOException("the audit trail was not read to its end (offset " + end + ") within "
                    + timeout.toMillis() + " ms; read up to " + consumer.position(0));
            }
            final ConsumerBatch batch = consumer.poll(Duration.ofMillis(Math.min(500,
                TimeUnit.NANOSECONDS.toMillis(Math.max(1, deadlineNs - System.nanoTime())))));
            while (batch.nextRecord() && chain.broken() == null)
            {
                final long offset = batch.record().offset();
                if (offset >= end)
                {
                    break;
                }
                final AuditRecord record = chain.next(offset, batch.record().valueBytes());
                if (record != null)
                {
                    each.accept(offset, record);
                }
            }
        }
        return new Result(chain.checked(), chain.broken());
    }
}
