package io.tributary.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

import io.tributary.format.RecordBatchBuilder;
import io.tributary.format.RecordBatchDescriptor;
import io.tributary.format.RecordDescriptor;

import org.agrona.concurrent.UnsafeBuffer;

/** Batches and throwaway log directories for the benchmarks. */
final class BenchLogs
{
    /** Every record has an 8-byte key; the value fills the rest of the record's size. */
    static final int KEY_BYTES = 8;
    /** Records of a batch cycle through this many keys (sensor channels): the key index stays small. */
    static final int DISTINCT_KEYS = 256;
    static final long TIMESTAMP_MS = 1_700_000_000_000L;
    /** MB in every reported rate is 10^6 bytes. */
    static final double BYTES_PER_MB = 1_000_000.0;

    private BenchLogs()
    {
    }

    /** Bytes of a stored batch of {@code records} records of {@code recordBytes} (key + value) each. */
    static int batchBytes(final int records, final int recordBytes)
    {
        return RecordBatchDescriptor.HEADER_LENGTH
            + records * RecordDescriptor.encodedLength(KEY_BYTES, recordBytes - KEY_BYTES, 0);
    }

    /**
     * Builds a non-idempotent batch of {@code records} records whose key + value is
     * {@code recordBytes}, in a direct buffer of exactly the batch's length.
     */
    static UnsafeBuffer buildBatch(final int records, final int recordBytes)
    {
        if (records < 1 || recordBytes <= KEY_BYTES)
        {
            throw new IllegalArgumentException("a batch needs at least 1 record of more than " + KEY_BYTES
                + " bytes; got " + records + " records of " + recordBytes + " bytes");
        }
        final int length = batchBytes(records, recordBytes);
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(length));
        final UnsafeBuffer key = new UnsafeBuffer(ByteBuffer.allocateDirect(KEY_BYTES));
        final UnsafeBuffer value = new UnsafeBuffer(ByteBuffer.allocateDirect(recordBytes - KEY_BYTES));
        for (int i = 0; i < value.capacity(); i++)
        {
            value.putByte(i, (byte)('a' + i % 26));
        }
        final RecordBatchBuilder builder = new RecordBatchBuilder(buffer);
        builder.reset();
        for (int i = 0; i < records; i++)
        {
            key.putLong(0, i % DISTINCT_KEYS);
            if (!builder.tryAppend(TIMESTAMP_MS + i, key, 0, KEY_BYTES, value, 0, value.capacity(), null))
            {
                throw new IllegalStateException("record " + i + " does not fit a batch buffer of " + length + " bytes");
            }
        }
        final int built = builder.build();
        if (built != length)
        {
            throw new IllegalStateException("built a batch of " + built + " bytes, expected " + length);
        }
        return buffer;
    }

    /** A new empty directory under {@code baseDir}, or under java.io.tmpdir when that does not exist. */
    static Path createDirectory(final String baseDir, final String prefix)
    {
        final Path base = Files.isDirectory(Paths.get(baseDir)) ? Paths.get(baseDir)
            : Paths.get(System.getProperty("java.io.tmpdir"));
        try
        {
            return Files.createTempDirectory(base, prefix);
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException("cannot create a log directory under " + base, e);
        }
    }
}
