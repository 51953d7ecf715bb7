package io.tributary.client.internal;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

import io.tributary.client.Consumer;
import io.tributary.client.ConsumerBatch;
import io.tributary.client.ConsumerConfig;
import io.tributary.client.OffsetOutOfRangeException;
import io.tributary.client.ReadConsistency;
import io.tributary.client.AccessDeniedException;
import io.tributary.client.TributaryException;
import io.tributary.format.RecordBatchFlyweight;
import io.tributary.format.RecordBatchDescriptor;
import io.tributary.protocol.FetchResponseDescriptor;

import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Consumer}: one channel and one outstanding read per assigned shard. A read is sent
 * again as soon as its reply has been taken (so the next poll usually finds it answered), with a
 * long-poll wait, so a shard at its end is answered when a record arrives. Each reply is copied
 * once into that shard's reusable buffer, which the returned view reads in place.
 */
public final class ConsumerImpl implements Consumer
{
    private static final Logger LOG = LoggerFactory.getLogger(ConsumerImpl.class);
    private static final long REFRESH_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);
    /** Reads failing this long (every replica tried, likely) make the consumer describe the stream again. */
    private static final long PLACEMENT_SUSPECT_NS = TimeUnit.SECONDS.toNanos(2);

    private final MetadataView metadata;
    private final ShardChannel.Factory channels;
    private final ReadConsistency consistency;
    private final String preferredReplica;
    private final int maxBytes;
    private final int waitMs;
    private final long retryBackoffNs;
    private final long failAfterNs;
    private final long requestTimeoutMs;
    private final ConsumerBatchImpl view = new ConsumerBatchImpl();
    private final RecordBatchFlyweight scan = new RecordBatchFlyweight();

    private StreamInfo info;
    private Reader[] readers = new Reader[0];
    private Reader[] byShard = new Reader[0];
    private long lastRefreshNs = System.nanoTime() - REFRESH_INTERVAL_NS;
    private boolean closed;

    /** One assigned shard. */
    private static final class Reader
    {
        final int shard;
        StreamInfo.ShardInfo placement;
        ShardChannel channel;
        String replica;
        int replicaChoice;
        long position;
        long minAppliedIndex;
        CompletableFuture<ReadOutcome> pending;
        long pendingFrom;
        byte[] bytes = new byte[0];
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[0]);
        long retryAtNs;
        boolean failing;
        long failingSinceNs;
        Throwable lastError;
        RuntimeException error;

        Reader(final int shard, final StreamInfo.ShardInfo placement, final int replicaChoice)
        {
            this.shard = shard;
            this.placement = placement;
            this.replicaChoice = replicaChoice;
        }
    }

    /**
     * @param metadata owned by the consumer from now on (closed with it).
     * @param channels opens one channel per assigned shard, owned by the consumer.
     */
    public ConsumerImpl(final ConsumerConfig config, final MetadataView metadata, final ShardChannel.Factory channels)
    {
        config.validate();
        this.metadata = metadata;
        this.channels = channels;
        this.consistency = config.consistency();
        this.preferredReplica = config.preferredReplica();
        this.maxBytes = config.maxBytesPerShard();
        this.waitMs = (int)Math.min(config.longPollMaxMs(), config.requestTimeoutMs() / 2);
        this.retryBackoffNs = TimeUnit.MILLISECONDS.toNanos(config.retryBackoffMs());
        this.failAfterNs = TimeUnit.MILLISECONDS.toNanos(config.failAfterMs());
        this.requestTimeoutMs = config.requestTimeoutMs();
    }

    public static Consumer create(final ConsumerConfig config) throws IOException
    {
        config.validate();
        final FrontEndClient client = FrontEndClient.connect(config);
        return new ConsumerImpl(config, new FrontEndMetadataView(client, true), new NodeLinks(client));
    }

    // ------------------------------------------------------------------ assignment and positions

    @Override
    public void assign(final String stream, final int... shards) throws IOException
    {
        ensureOpen();
        final StreamInfo described = metadata.describe(stream);
        final int[] chosen = shards.length == 0 ? allShards(described.shardCount()) : Arrays.stream(shards).sorted()
            .distinct()
            .toArray();
        for (final int shard : chosen)
        {
            if (shard < 0 || shard >= described.shardCount())
            {
                throw new IllegalArgumentException("stream '" + stream + "' has shards [0, " + described.shardCount()
                    + "); shard " + shard + " does not exist");
            }
        }
        closeReaders();
        info = described;
        readers = new Reader[chosen.length];
        byShard = new Reader[described.shardCount()];
        final int spread = (int)(System.nanoTime() & 0xFFFF);
        for (int i = 0; i < chosen.length; i++)
        {
            final List<String> replicas = new ArrayList<>(described.shard(chosen[i]).replicas().keySet());
            final int preferred = preferredReplica == null ? -1 : replicas.indexOf(preferredReplica);
            readers[i] = new Reader(chosen[i], described.shard(chosen[i]), preferred >= 0 ? preferred : spread
                + chosen[i]);
            byShard[chosen[i]] = readers[i];
        }
        view.capacity(readers.length);
    }

    private static int[] allShards(final int count)
    {
        final int[] shards = new int[count];
        Arrays.setAll(shards, i -> i);
        return shards;
    }

    @Override
    public String stream()
    {
        return info == null ? null : info.name();
    }

    @Override
    public int[] assignment()
    {
        return Arrays.stream(readers).mapToInt(reader -> reader.shard).toArray();
    }

    @Override
    public void seek(final int shard, final long offset)
    {
        ensureOpen();
        if (offset < 0)
        {
            throw new IllegalArgumentException("offset " + offset + " is negative");
        }
        final Reader reader = reader(shard);
        reader.position = offset;
        reader.pending = null;
        reader.error = null;
        reader.failing = false;
        reader.retryAtNs = 0;
        view.clear();
    }

    @Override
    public void seekToBeginning() throws IOException
    {
        seekByStatus(true);
    }

    @Override
    public void seekToEnd() throws IOException
    {
        seekByStatus(false);
    }

    private void seekByStatus(final boolean beginning) throws IOException
    {
        ensureOpen();
        requireAssigned();
        final ReadOutcome[] statuses = new ReadOutcome[readers.length];
        // A position read that reached a follower is told the leader (the channel follows it): ask again.
        for (int attempt = 0; attempt < 4; attempt++)
        {
            final List<CompletableFuture<ReadOutcome>> replies = new ArrayList<>();
            for (int i = 0; i < readers.length; i++)
            {
                replies.add(statuses[i] != null && statuses[i].isOk() ? null : read(readers[i], 0, 0, 0));
            }
            channels.flush();
            for (int i = 0; i < readers.length; i++)
            {
                if (replies.get(i) != null)
                {
                    statuses[i] = awaitStatus(readers[i], replies.get(i));
                }
            }
        }
        for (int i = 0; i < readers.length; i++)
        {
            if (!statuses[i].isOk())
            {
                throw new IOException(where(readers[i]) + ": status request failed: "
                    + FetchResponseDescriptor.statusName(statuses[i].status()) + ": " + statuses[i].text());
            }
            seek(readers[i].shard, beginning ? statuses[i].firstOffset() : statuses[i].nextOffset());
        }
    }

    private ReadOutcome awaitStatus(final Reader reader, final CompletableFuture<ReadOutcome> reply) throws IOException
    {
        try
        {
            return reply.get(requestTimeoutMs * 3, TimeUnit.MILLISECONDS);
        }
        catch (final ExecutionException | TimeoutException e)
        {
            throw new IOException(where(reader) + ": status request failed: " + ShardProducer.unwrap(e), e);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while asking " + where(reader) + " for its offsets", e);
        }
    }

    @Override
    public long position(final int shard)
    {
        return reader(shard).position;
    }

    private Reader reader(final int shard)
    {
        if (shard < 0 || shard >= byShard.length || byShard[shard] == null)
        {
            throw new IllegalArgumentException("shard " + shard + " is not assigned to this consumer (assigned: "
                + Arrays.toString(assignment()) + " of stream " + stream() + ")");
        }
        return byShard[shard];
    }

    // ------------------------------------------------------------------ polling

    @Override
    public ConsumerBatch poll(final Duration timeout)
    {
        ensureOpen();
        requireAssigned();
        view.clear();
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        while (true)
        {
            final long nowNs = System.nanoTime();
            for (final Reader reader : readers)
            {
                if (reader.pending == null && reader.error == null && nowNs - reader.retryAtNs >= 0)
                {
                    send(reader);
                }
            }
            // One fetch per node for every shard read from it.
            channels.flush();
            for (final Reader reader : readers)
            {
                if (reader.pending != null && reader.pending.isDone())
                {
                    take(reader);
                }
            }
            if (!view.isEmpty())
            {
                return view;
            }
            throwFirstError();
            if (System.nanoTime() - deadlineNs >= 0)
            {
                return view;
            }
            awaitAny(deadlineNs);
        }
    }

    private void send(final Reader reader)
    {
        reader.pendingFrom = reader.position;
        reader.pending = read(reader, reader.position, maxBytes, waitMs);
    }

    private CompletableFuture<ReadOutcome> read(final Reader reader, final long fromOffset, final int readBytes,
        final int readWaitMs)
    {
        try
        {
            if (reader.channel == null)
            {
                if (!reader.placement.isPlaced())
                {
                    return CompletableFuture.failedFuture(new TributaryException(where(reader)
                        + " has no replicas yet (placement in progress)"));
                }
                reader.channel = channels.open(reader.placement);
                reader.replica = chooseReplica(reader);
            }
            return reader.channel.read(fromOffset, readBytes, readWaitMs, reader.replica, reader.minAppliedIndex);
        }
        catch (final RuntimeException e)
        {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Null (the leader, linearizable) or, for follower reads, the replica in turn (the preferred one first). */
    private String chooseReplica(final Reader reader)
    {
        if (consistency == ReadConsistency.LINEARIZABLE)
        {
            return null;
        }
        final List<String> replicas = new ArrayList<>(reader.placement.replicas().keySet());
        return replicas.get(Math.floorMod(reader.replicaChoice, replicas.size()));
    }

    private void take(final Reader reader)
    {
        final CompletableFuture<ReadOutcome> reply = reader.pending;
        reader.pending = null;
        final ReadOutcome outcome;
        try
        {
            outcome = reply.join();
        }
        catch (final CompletionException | CancellationException e)
        {
            onFailure(reader, ShardProducer.unwrap(e));
            return;
        }
        // The outcome's array is the reader's buffer from now on: the batches are not copied again.
        reader.bytes = outcome.data();
        reader.buffer.wrap(reader.bytes, 0, reader.bytes.length);
        try
        {
            onReadReply(reader, outcome);
        }
        catch (final TributaryException e)
        {
            reader.error = e;
        }
    }

    private void onReadReply(final Reader reader, final ReadOutcome outcome)
    {
        final int length = reader.bytes.length;
        switch (outcome.status())
        {
            case FetchResponseDescriptor.STATUS_OK ->
            {
                reader.failing = false;
                reader.minAppliedIndex = Math.max(reader.minAppliedIndex, outcome.appliedIndex());
                if (length > 0)
                {
                    addBatches(reader, 0, length);
                    send(reader);
                }
            }
            case FetchResponseDescriptor.STATUS_OUT_OF_RANGE ->
            {
                if (consistency == ReadConsistency.FOLLOWER && reader.pendingFrom > outcome.nextOffset())
                {
                    // This replica is behind what the consumer has seen: wait for it to catch up.
                    reader.retryAtNs = System.nanoTime() + retryBackoffNs;
                    return;
                }
                throw new OffsetOutOfRangeException(info.name(), reader.shard, reader.pendingFrom,
                    outcome.firstOffset(),
                    outcome.nextOffset());
            }
            case FetchResponseDescriptor.STATUS_CORRUPT -> throw new TributaryException(where(reader) + ": replica "
                + (reader.replica == null ? reader.channel.leader() : reader.replica)
                    + " reports corrupt data reading from offset "
                + reader.pendingFrom + ": " + outcome.text());
            case FetchResponseDescriptor.STATUS_NOT_LEADER ->
            {
                if (outcome.text().isEmpty())
                {
                    final boolean firstInARow = !reader.failing;
                    onFailure(reader, new TributaryException(where(reader)
                        + ": NOT_LEADER, and the node knows no leader yet"));
                    if (firstInARow)
                    {
                        // The channel moved on to the next replica, which likely knows the leader (the node asked
                        // was often just restarted): ask it at once. Back off only if it knows none either.
                        reader.retryAtNs = reader.failingSinceNs;
                    }
                }
                // else: the channel now asks the leader the node named; the next pass sends there at once.
            }
            case FetchResponseDescriptor.STATUS_NOT_HOSTED,
                FetchResponseDescriptor.STATUS_BEHIND, FetchResponseDescriptor.STATUS_BUSY ->
                onFailure(reader, new TributaryException(where(reader) + ": "
                    + FetchResponseDescriptor.statusName(outcome.status())
                    + (outcome.text().isEmpty() ? "" : ": " + outcome.text())),
                    outcome.status() == FetchResponseDescriptor.STATUS_NOT_HOSTED);
            case FetchResponseDescriptor.STATUS_NOT_AUTHORIZED -> throw new AccessDeniedException(where(reader) + ": "
                + outcome.text());
            default -> throw new TributaryException(where(reader) + ": read from offset " + reader.pendingFrom
                + " failed (" + FetchResponseDescriptor.statusName(outcome.status()) + "): " + outcome.text());
        }
    }

    /** Checks the batches of a reply (they hold the requested offset and are dense) and adds them to the view. */
    private void addBatches(final Reader reader, final int start, final int end)
    {
        final long from = reader.pendingFrom;
        long expectedBase = -1;
        int records = 0;
        int at = start;
        while (at < end)
        {
            if (end - at < RecordBatchDescriptor.HEADER_LENGTH)
            {
                throw malformed(reader, "has " + (end - at) + " bytes at position " + at
                    + ", less than a batch header");
            }
            scan.wrap(reader.buffer, at);
            final int batchLength = scan.batchLength();
            final long base = scan.baseOffset();
            final int count = scan.recordCount();
            if (batchLength < RecordBatchDescriptor.HEADER_LENGTH || batchLength > end - at || count < 1)
            {
                throw malformed(reader, "has a batch at position " + at + " of " + batchLength + " bytes and " + count
                    + " records; " + (end - at) + " bytes remain");
            }
            if (expectedBase < 0 ? base > from || base + count <= from : base != expectedBase)
            {
                throw malformed(reader, "has a batch of offsets [" + base + ", " + (base + count - 1) + "] where "
                    + (expectedBase < 0 ? "the requested offset " + from + " was expected" : "offset " + expectedBase
                    + " was expected (offsets must be dense)"));
            }
            records += base >= from ? count : (int)(base + count - from);
            expectedBase = base + count;
            at += batchLength;
        }
        view.add(reader.shard, reader.buffer, start, end, from, records);
        reader.position = expectedBase;
    }

    private TributaryException malformed(final Reader reader, final String what)
    {
        return new TributaryException(where(reader) + ": the read reply for offset " + reader.pendingFrom + " " + what);
    }

    private void onFailure(final Reader reader, final Throwable error)
    {
        onFailure(reader, error, false);
    }

    /**
     * A read failed: back off, try another replica (follower reads; the channel moves on by itself for the
     * leader), and describe the stream again only when a replica said it no longer hosts the shard, or the
     * reads have failed for {@link #PLACEMENT_SUSPECT_NS}. The description asks the metadata quorum, on the
     * polling thread: when the quorum is what is down (its leader killed), describing on every failure held
     * every poll back for its timeout although the shard itself had a leader.
     */
    private void onFailure(final Reader reader, final Throwable error, final boolean placementMoved)
    {
        final long nowNs = System.nanoTime();
        if (!reader.failing)
        {
            reader.failing = true;
            reader.failingSinceNs = nowNs;
        }
        reader.lastError = error;
        reader.retryAtNs = nowNs + retryBackoffNs;
        if (consistency == ReadConsistency.FOLLOWER)
        {
            reader.replicaChoice++;
            reader.replica = reader.channel == null ? null : chooseReplica(reader);
        }
        if (placementMoved || nowNs - reader.failingSinceNs > PLACEMENT_SUSPECT_NS)
        {
            refreshPlacement(nowNs);
        }
        if (nowNs - reader.failingSinceNs > failAfterNs)
        {
            reader.failing = false;
            reader.error = new TributaryException(where(reader) + ": every read from offset " + reader.position
                + " failed for " + (nowNs - reader.failingSinceNs) / 1_000_000 + " ms (failAfterMs = "
                + failAfterNs / 1_000_000 + "); last error: " + error, error);
        }
    }

    /** Describes the stream again (at most once a second) and reopens channels whose replicas changed. */
    private void refreshPlacement(final long nowNs)
    {
        if (nowNs - lastRefreshNs < REFRESH_INTERVAL_NS)
        {
            return;
        }
        lastRefreshNs = nowNs;
        try
        {
            final StreamInfo fresh = metadata.describe(info.name());
            if (fresh.id() != info.id() || fresh.shardCount() != info.shardCount())
            {
                LOG.warn("stream '{}' was replaced (id {} -> {}); keep reading the old shards until they fail",
                    info.name(),
                    info.id(), fresh.id());
                return;
            }
            for (final Reader reader : readers)
            {
                final StreamInfo.ShardInfo placement = fresh.shard(reader.shard);
                if (!placement.equals(reader.placement))
                {
                    reader.placement = placement;
                    if (reader.channel != null && reader.pending == null)
                    {
                        reader.channel.close();
                        reader.channel = null;
                    }
                }
            }
            info = fresh;
        }
        catch (final IOException | RuntimeException e)
        {
            LOG.warn("stream '{}': refreshing its placement failed: {}", info.name(), e.toString());
        }
    }

    private void throwFirstError()
    {
        for (final Reader reader : readers)
        {
            if (reader.error != null)
            {
                final RuntimeException error = reader.error;
                reader.error = null;
                throw error;
            }
        }
    }

    private void awaitAny(final long deadlineNs)
    {
        long untilNs = deadlineNs;
        final List<CompletableFuture<ReadOutcome>> waiting = new ArrayList<>(readers.length);
        for (final Reader reader : readers)
        {
            if (reader.pending != null)
            {
                waiting.add(reader.pending);
            }
            else if (reader.error == null && reader.retryAtNs - untilNs < 0)
            {
                untilNs = reader.retryAtNs;
            }
        }
        final long waitNs = untilNs - System.nanoTime();
        if (waitNs <= 0)
        {
            return;
        }
        if (waiting.isEmpty())
        {
            LockSupport.parkNanos(this, waitNs);
            return;
        }
        try
        {
            CompletableFuture.anyOf(waiting.toArray(new CompletableFuture<?>[0])).get(waitNs, TimeUnit.NANOSECONDS);
        }
        catch (final TimeoutException | ExecutionException | CancellationException e)
        {
            // a timeout ends the wait; a failed read is handled when it is taken
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new TributaryException("interrupted while polling stream '" + info.name() + "'", e);
        }
    }

    // ------------------------------------------------------------------ lifecycle

    private void requireAssigned()
    {
        if (readers.length == 0)
        {
            throw new IllegalStateException("no shard is assigned: call assign(stream, shards...) first");
        }
    }

    private void ensureOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("consumer is closed");
        }
    }

    private String where(final Reader reader)
    {
        return "stream '" + info.name() + "' shard " + reader.shard;
    }

    private void closeReaders()
    {
        for (final Reader reader : readers)
        {
            if (reader.channel != null)
            {
                reader.channel.close();
                reader.channel = null;
            }
        }
        view.clear();
    }

    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        closeReaders();
        try
        {
            metadata.close();
        }
        catch (final IOException e)
        {
            LOG.warn("closing the consumer's metadata client: {}", e.toString());
        }
    }
}
