package io.tributary.raft.shard;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import io.tributary.engine.BatchValidator;
import io.tributary.engine.ShardLog;
import io.tributary.engine.ShardLogConfig;
import io.tributary.format.Checksums;
import io.tributary.format.RecordBatchDescriptor;
import io.tributary.format.RecordBatchFlyweight;
import io.tributary.protocol.access.AuditRecord;

/**
 * Chains audit records as the shard applies them (entries flagged {@code CHAIN_AUDIT}): each record's last field, the
 * hash of the record before it, is written here from the shard's own last record, so the chain is the log's order
 * whichever node sent the records, and no writer has to win a race for the end of the trail. Every replica applies the
 * same entries to the same log and computes the same bytes. The patched batch gets a new body checksum, after the whole
 * batch was validated as the engine would (a damaged batch is refused, never blessed). One per state machine; applier
 * thread only.
 */
final class AuditChainer
{
    /** The previous-hash field: the last 64 bytes of a record's value, lowercase hex, after a tab. */
    static final int HASH_HEX_LENGTH = 64;
    private static final int INITIAL_BYTES = 64 * 1024;
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] GENESIS_HEX = AuditRecord.GENESIS.getBytes(StandardCharsets.US_ASCII);

    private final MessageDigest sha256;
    private final RecordBatchFlyweight batch = new RecordBatchFlyweight();
    private final byte[] previousHex = new byte[HASH_HEX_LENGTH];
    private UnsafeBuffer chained = new UnsafeBuffer(new byte[INITIAL_BYTES]);
    private UnsafeBuffer last = new UnsafeBuffer(new byte[INITIAL_BYTES]);

    AuditChainer()
    {
        try
        {
            sha256 = MessageDigest.getInstance("SHA-256");
        }
        catch (final NoSuchAlgorithmException e)
        {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }

    /**
     * Copies the batch at {@code offset} into {@link #chained()} with every record's previous hash filled in, the
     * first one's from the last record of {@code log}.
     *
     * @return null when done, else why the batch cannot be chained (nothing to store: the caller refuses the item).
     */
    String chain(final ShardLog log, final ShardLogConfig config, final DirectBuffer source, final int offset,
        final int length)
    {
        // The engine validates again after the patch; this check keeps a malformed batch from being walked here and a
        // damaged one from being given a valid checksum.
        final String invalid = BatchValidator.validate(source, offset, length, config.maxBatchBytes(),
            config.maxKeyBytes());
        if (invalid != null)
        {
            return invalid;
        }
        if (chained.capacity() < length)
        {
            chained = new UnsafeBuffer(new byte[Math.max(length, chained.capacity() * 2)]);
        }
        chained.putBytes(0, source, offset, length);
        previousHashOf(log);
        batch.wrap(chained, 0);
        int records = 0;
        while (batch.nextRecord())
        {
            final int valueLength = batch.record().valueLength();
            final int valueOffset = batch.record().valueOffset();
            final int hashAt = valueOffset + valueLength - HASH_HEX_LENGTH;
            if (valueLength < HASH_HEX_LENGTH + 1 || chained.getByte(hashAt - 1) != '\t')
            {
                return "audit record " + records + " of the batch does not end with a tab and a " + HASH_HEX_LENGTH
                    + "-digit previous hash (value of " + valueLength + " bytes)";
            }
            chained.putBytes(hashAt, previousHex);
            sha256.update(chained.byteArray(), valueOffset, valueLength);
            toHex(sha256.digest(), previousHex);
            records++;
        }
        chained.putInt(RecordBatchDescriptor.CRC_OFFSET, Checksums.crc32c(chained,
            RecordBatchDescriptor.CRC_COVERED_START, length - RecordBatchDescriptor.CRC_COVERED_START));
        return null;
    }

    /** The batch {@link #chain} made, at offset 0. */
    DirectBuffer chained()
    {
        return chained;
    }

    /**
     * Puts the hash of the log's last record in {@link #previousHex}: {@link AuditRecord#GENESIS} when the log holds
     * none. The audit stream keeps every record (no retention), so the last one is always there to read.
     */
    private void previousHashOf(final ShardLog log)
    {
        final long lastOffset = log.lastOffset();
        if (log.nextOffset() == 0 || lastOffset < log.firstOffset())
        {
            System.arraycopy(GENESIS_HEX, 0, previousHex, 0, HASH_HEX_LENGTH);
            return;
        }
        final int length = log.readLength(lastOffset, 1);
        if (last.capacity() < length)
        {
            last = new UnsafeBuffer(new byte[Math.max(length, last.capacity() * 2)]);
        }
        log.read(lastOffset, last, 0, length);
        batch.wrap(last, 0);
        while (batch.nextRecord())
        {
            if (batch.record().offset() == lastOffset)
            {
                sha256.update(last.byteArray(), batch.record().valueOffset(), Math.max(0, batch.record()
                    .valueLength()));
                toHex(sha256.digest(), previousHex);
                return;
            }
        }
        throw new IllegalStateException("the batch read from offset " + lastOffset + " does not hold that record");
    }

    private static void toHex(final byte[] digest, final byte[] hex)
    {
        for (int i = 0; i < digest.length; i++)
        {
            hex[2 * i] = HEX[(digest[i] >> 4) & 0xF];
            hex[2 * i + 1] = HEX[digest[i] & 0xF];
        }
    }
}
