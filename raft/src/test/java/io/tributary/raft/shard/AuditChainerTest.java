package io.tributary.raft.shard;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.tributary.engine.AppendResult;
import io.tributary.engine.ShardLog;
import io.tributary.engine.ShardLogConfig;
import io.tributary.format.AppendStatus;
import io.tributary.format.RecordBatchBuilder;
import io.tributary.format.RecordBatchDescriptor;
import io.tributary.format.RecordBatchFlyweight;
import io.tributary.protocol.access.AuditChain;
import io.tributary.protocol.access.AuditRecord;

/** The audit trail chained by the shard as it applies entries: the chain is the log's order, whoever wrote. */
class AuditChainerTest
{
    @TempDir
    Path dir;

    private final ShardLogConfig config = new ShardLogConfig();
    private final AppendResult result = new AppendResult();

    @Test
    void batchesFromSeveralNodesChainInLogOrderAcrossARestart()
    {
        final AuditChainer chainer = new AuditChainer();
        try (ShardLog log = ShardLog.open(config.directory(dir)))
        {
            appendChained(chainer, log, batch(record("n1", "GRANT"), record("n1", "session-open")));
            appendChained(chainer, log, batch(record("n3", "REVOKE")));
        }
        try (ShardLog log = ShardLog.open(config.directory(dir)))
        {
            appendChained(new AuditChainer(), log, batch(record("n2", "DELETE_STREAM"), record("n2", "denied")));
            final List<AuditRecord> trail = readAll(log);
            assertThat(trail).extracting(AuditRecord::action).containsExactly("GRANT", "session-open", "REVOKE",
                "DELETE_STREAM", "denied");
            assertThat(trail.get(0).previousHash()).isEqualTo(AuditRecord.GENESIS);
            for (int i = 1; i < trail.size(); i++)
            {
                assertThat(trail.get(i).previousHash()).as("record %d", i).isEqualTo(AuditRecord.hash(trail.get(i - 1)
                    .encode()));
            }
        }
    }

    /** A node's writer resends a batch whose answer it lost: the shard chains it again and stores it once. */
    @Test
    void aResentBatchOfTheWritersSequenceIsStoredOnce()
    {
        final AuditChainer chainer = new AuditChainer();
        try (ShardLog log = ShardLog.open(config.directory(dir)))
        {
            final UnsafeBuffer batch = batch(42L, 0, record("n1", "GRANT"), record("n1", "REVOKE"));
            appendChained(chainer, log, batch);
            final int length = batch.getInt(RecordBatchDescriptor.BATCH_LENGTH_OFFSET);
            assertThat(chainer.chain(log, config, batch, 0, length)).isNull();
            log.append(chainer.chained(), 0, length, log.lastRaftIndex() + 1, result);
            assertThat(result.status()).isEqualTo(AppendStatus.DUPLICATE);
            appendChained(chainer, log, batch(42L, 2, record("n1", "DELETE_STREAM")));
            assertThat(readAll(log)).extracting(AuditRecord::action).containsExactly("GRANT", "REVOKE",
                "DELETE_STREAM");
        }
    }

    @Test
    void aDamagedBatchIsRefusedNotGivenANewChecksum()
    {
        final AuditChainer chainer = new AuditChainer();
        try (ShardLog log = ShardLog.open(config.directory(dir)))
        {
            final UnsafeBuffer batch = batch(record("n1", "GRANT"));
            final int length = batch.getInt(0);
            batch.putByte(length - 70, (byte)(batch.getByte(length - 70) ^ 1));
            assertThat(chainer.chain(log, config, batch, 0, length)).startsWith("batch body CRC mismatch");
            assertThat(log.nextOffset()).isZero();
        }
    }

    @Test
    void aValueThatIsNotAnAuditRecordIsRefused()
    {
        final AuditChainer chainer = new AuditChainer();
        try (ShardLog log = ShardLog.open(config.directory(dir)))
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4096]);
            final RecordBatchBuilder builder = new RecordBatchBuilder(buffer);
            builder.reset();
            builder.tryAppend(1L, null, "short".getBytes(StandardCharsets.UTF_8));
            final int length = builder.build();
            assertThat(chainer.chain(log, config, buffer, 0, length)).isEqualTo("audit record 0 of the batch does not "
                + "end with a tab and a 64-digit previous hash (value of 5 bytes)");
        }
    }

    private void appendChained(final AuditChainer chainer, final ShardLog log, final UnsafeBuffer batch)
    {
        final int length = batch.getInt(RecordBatchDescriptor.BATCH_LENGTH_OFFSET);
        assertThat(chainer.chain(log, config, batch, 0, length)).isNull();
        log.append(chainer.chained(), 0, length, log.lastRaftIndex() + 1, result);
        assertThat(result.status()).as(result.message()).isEqualTo(AppendStatus.APPENDED);
    }

    private static AuditRecord record(final String node, final String action)
    {
        return new AuditRecord(1_000L, node, "client:admin", "127.0.0.1:5000", action, "-", "ok", "-",
            AuditRecord.GENESIS);
    }

    private static UnsafeBuffer batch(final AuditRecord... records)
    {
        return batch(RecordBatchDescriptor.NO_PRODUCER_ID, RecordBatchDescriptor.NO_SEQUENCE, records);
    }

    private static UnsafeBuffer batch(final long producerId, final int sequence, final AuditRecord... records)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4096]);
        final RecordBatchBuilder builder = new RecordBatchBuilder(buffer);
        builder.reset(producerId, producerId == RecordBatchDescriptor.NO_PRODUCER_ID ? RecordBatchDescriptor.NO_EPOCH
            : 0, sequence);
        for (final AuditRecord record : records)
        {
            assertThat(builder.tryAppend(record.timeMs(), null, record.encode())).isTrue();
        }
        builder.build();
        return buffer;
    }

    private static List<AuditRecord> readAll(final ShardLog log)
    {
        final UnsafeBuffer in = new UnsafeBuffer(new byte[1 << 16]);
        final int length = log.read(0, in, 0, in.capacity());
        final RecordBatchFlyweight batch = new RecordBatchFlyweight();
        final AuditChain chain = new AuditChain();
        final List<AuditRecord> records = new ArrayList<>();
        for (int at = 0; at < length; at += batch.batchLength())
        {
            batch.wrap(in, at);
            while (batch.nextRecord())
            {
                final AuditRecord record = chain.next(batch.record().offset(), batch.record().valueBytes());
                assertThat(chain.broken()).isNull();
                records.add(record);
            }
        }
        return records;
    }
}
