package io.tributary.client.internal;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.tributary.client.BufferFullException;
import io.tributary.client.ConditionalResult;
import io.tributary.client.Producer;
import io.tributary.client.ProducerConfig;
import io.tributary.client.RecordMetadata;
import io.tributary.client.RecordTooLargeException;
import io.tributary.client.TributaryException;
import io.tributary.client.UnknownStreamException;
import io.tributary.format.RecordBatchBuilder;
import io.tributary.format.RecordHeaders;
import io.tributary.format.RecordBatchDescriptor;
import io.tributary.format.RecordDescriptor;

import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Producer}: caller threads append records to per-shard batches; one I/O thread per
 * producer seals lingering batches, sends, processes replies, retries and completes futures.
 * Replies and other events reach the I/O thread through a task queue, so the per-shard send
 * state is touched by that thread only.
 */
public final class ProducerImpl implements Producer
{
    private static final Logger LOG = LoggerFactory.getLogger(ProducerImpl.class);
    private static final long MAX_PARK_NS = TimeUnit.MILLISECONDS.toNanos(100);

    final long lingerNs;
    final int batchBytes;
    final int maxRecordBytes;
    final int maxKeyBytes;
    final int maxInFlight;
    final int retries;
    final long retryBackoffMs;
    final long retryBackoffMaxMs;
    final long deliveryTimeoutNs;
    final boolean idempotent;
    final long producerId;
    final MemoryLimiter memory;
    final ProduceTracing tracing;
    final ShardChannel.Factory channels;

    private final ProducerConfig.BackPressure backPressure;
    private final long maxBlockNs;
    private final MetadataView metadata;
    private final Map<String, StreamProducer> streams = new ConcurrentHashMap<>();
    private final Object streamsLock = new Object();
    private final List<ShardProducer> shards = new CopyOnWriteArrayList<>();
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final Set<CompletableFuture<?>> pending = ConcurrentHashMap.newKeySet();
    private final AtomicInteger flushes = new AtomicInteger();
    private final ReentrantReadWriteLock closeLock = new ReentrantReadWriteLock();
    private final ExecutorService metadataExecutor;
    private final Thread ioThread;
    private volatile boolean closed;
    private volatile boolean stopping;
    private volatile boolean stopped;

    /**
     * @param config     validated here.
     * @param metadata   owned by the producer from now on (closed with it).
     * @param channels   opens one channel per shard, owned by the producer.
     * @param producerId the id for idempotent batches (ignored without idempotence).
     */
    public ProducerImpl(final ProducerConfig config, final MetadataView metadata, final ShardChannel.Factory channels,
        final long producerId)
    {
        config.validate();
        this.lingerNs = TimeUnit.MILLISECONDS.toNanos(config.lingerMs());
        this.batchBytes = config.batchBytes();
        this.maxRecordBytes = config.maxRecordBytes();
        this.maxKeyBytes = config.maxKeyBytes();
        this.maxInFlight = config.maxInFlightPerShard();
        this.retries = config.retries();
        this.retryBackoffMs = config.retryBackoffMs();
        this.retryBackoffMaxMs = config.retryBackoffMaxMs();
        this.deliveryTimeoutNs = TimeUnit.MILLISECONDS.toNanos(config.deliveryTimeoutMs());
        this.idempotent = config.idempotence();
        this.producerId = idempotent ? producerId : RecordBatchDescriptor.NO_PRODUCER_ID;
        if (idempotent && producerId < 0)
        {
            throw new IllegalArgumentException("an idempotent producer needs an id >= 0, got " + producerId);
        }
        this.backPressure = config.backPressure();
        this.maxBlockNs = TimeUnit.MILLISECONDS.toNanos(config.maxBlockMs());
        this.memory = new MemoryLimiter(config.bufferMemoryBytes());
        this.tracing = new ProduceTracing(config.openTelemetry());
        this.metadata = metadata;
        this.channels = channels;
        final String name = "tributary-producer-" + (idempotent ? producerId : "anonymous");
        this.metadataExecutor = Executors.newSingleThreadExecutor(runnable -> daemon(runnable, name + "-metadata"));
        this.ioThread = daemon(this::run, name);
        ioThread.start();
    }

    /** Connects to the cluster named by the configuration and gets a producer id (with idempotence). */
    public static Producer create(final ProducerConfig config) throws IOException
    {
        config.validate();
        final FrontEndClient client = FrontEndClient.connect(config);
        final FrontEndMetadataView metadata = new FrontEndMetadataView(client, true);
        try
        {
            final long producerId = config.idempotence() ? metadata.allocateProducerId()
                : RecordBatchDescriptor.NO_PRODUCER_ID;
            return new ProducerImpl(config, metadata, new NodeLinks(client, config.maxRequestsInFlightPerNode()),
                producerId);
        }
        catch (final IOException | RuntimeException e)
        {
            metadata.close();
            throw e;
        }
    }

    private static Thread daemon(final Runnable runnable, final String name)
    {
        final Thread thread = new Thread(runnable, name);
        thread.setDaemon(true);
        return thread;
    }

    // ------------------------------------------------------------------ sending

    @Override
    public CompletableFuture<RecordMetadata> send(final String stream, final byte[] key, final byte[] value)
    {
        return send(stream, key, value, null);
    }

    @Override
    public CompletableFuture<RecordMetadata> send(final String stream, final byte[] key, final byte[] value,
        final RecordHeaders headers)
    {
        Objects.requireNonNull(stream, "stream");
        checkOpen();
        final int recordBytes = checkRecord(key, value, headers);
        final StreamProducer streamProducer;
        try
        {
            streamProducer = admit(stream, recordBytes);
        }
        catch (final TributaryException e)
        {
            return CompletableFuture.failedFuture(e);
        }
        final CompletableFuture<RecordMetadata> future = new CompletableFuture<>();
        final SpanContext link = tracing.callerContext();
        final boolean wake;
        closeLock.readLock().lock();
        try
        {
            if (closed)
            {
                memory.release(recordBytes);
                throw new IllegalStateException("producer " + producerId + " is closed");
            }
            final ShardProducer shard = streamProducer.shards[streamProducer.shardFor(key)];
            wake = shard.append(System.currentTimeMillis(), key, value, headers, recordBytes, future, link,
                System.nanoTime());
        }
        finally
        {
            closeLock.readLock().unlock();
        }
        if (wake)
        {
            LockSupport.unpark(ioThread);
        }
        return future;
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("producer " + producerId + " is closed");
        }
    }

    /** Returns the record's encoded length; throws {@link RecordTooLargeException} if no shard would take it. */
    private int checkRecord(final byte[] key, final byte[] value, final RecordHeaders headers)
    {
        if (key != null && key.length > maxKeyBytes)
        {
            throw new RecordTooLargeException("key of " + key.length + " bytes exceeds maxKeyBytes = " + maxKeyBytes
                + " (the shards' key limit); use a shorter key", key.length, maxKeyBytes);
        }
        final int keyLength = key == null ? RecordDescriptor.NULL_LENGTH : key.length;
        final int valueLength = value == null ? RecordDescriptor.NULL_LENGTH : value.length;
        final int headersLength = headers == null ? 0 : headers.encodedLength();
        final long recordBytes = (long)RecordDescriptor.MIN_RECORD_LENGTH + Math.max(keyLength, 0)
            + Math.max(valueLength, 0) + headersLength;
        if (recordBytes > maxRecordBytes)
        {
            throw new RecordTooLargeException("record of " + recordBytes + " bytes (key " + Math.max(keyLength, 0)
                + ", value " + Math.max(valueLength, 0) + ", headers " + headersLength + ", framing "
                + RecordDescriptor.MIN_RECORD_LENGTH + ") exceeds the largest record a batch can hold, "
                + maxRecordBytes + " bytes (maxBatchBytes " + (maxRecordBytes + RecordBatchDescriptor.HEADER_LENGTH)
                + " minus the " + RecordBatchDescriptor.HEADER_LENGTH
                + "-byte batch header); split the value or raise shard.max.batch.bytes"
                + " on the nodes and maxBatchBytes here", recordBytes, maxRecordBytes);
        }
        return (int)recordBytes;
    }

    /** Takes memory for a record per the back-pressure mode; returns the failure, or null once reserved. */
    /** The stream's producer, with memory reserved for the record; a refusal fails the caller's future. */
    private StreamProducer admit(final String stream, final int recordBytes)
    {
        final StreamProducer streamProducer = streamFor(stream);
        final BufferFullException full = reserve(recordBytes);
        if (full != null)
        {
            throw full;
        }
        return streamProducer;
    }

    private BufferFullException reserve(final int recordBytes)
    {
        if (memory.tryAcquire(recordBytes))
        {
            return null;
        }
        if (backPressure == ProducerConfig.BackPressure.FAIL_FAST || Thread.currentThread() == ioThread)
        {
            return new BufferFullException("producer buffer full: " + memory.usedBytes() + " of " + memory.limitBytes()
                + " bytes (bufferMemoryBytes) are buffered or in flight; a record of " + recordBytes
                + " bytes does not fit" + (Thread.currentThread() == ioThread
                ? " (send from a future's callback never waits)" : "") + "; slow down, or raise bufferMemoryBytes");
        }
        try
        {
            if (memory.acquire(recordBytes, maxBlockNs))
            {
                return null;
            }
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            return new BufferFullException("interrupted while waiting for " + recordBytes
                + " bytes of producer memory");
        }
        return new BufferFullException("producer buffer stayed full for maxBlockMs = " + maxBlockNs / 1_000_000
            + " ms: " + memory.usedBytes() + " of " + memory.limitBytes()
            + " bytes are buffered or in flight; a record of " + recordBytes
            + " bytes does not fit. The cluster is slower than the producer (or unreachable)");
    }

    @Override
    public CompletableFuture<ConditionalResult> sendConditional(final String stream, final byte[] key,
        final byte[] value,
        final long expectedKeyLastOffset)
    {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(key, "a conditional append needs a key");
        checkOpen();
        if (expectedKeyLastOffset < -1)
        {
            throw new IllegalArgumentException("expected offset " + expectedKeyLastOffset
                + " is invalid: use -1 (no record)" + " or an offset >= 0");
        }
        final int recordBytes = checkRecord(key, value, null);
        final StreamProducer streamProducer;
        try
        {
            streamProducer = admit(stream, recordBytes);
        }
        catch (final TributaryException e)
        {
            return CompletableFuture.failedFuture(e);
        }
        final int shard = streamProducer.shardFor(key);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[RecordBatchDescriptor.HEADER_LENGTH + recordBytes]);
        final RecordBatchBuilder builder = new RecordBatchBuilder(buffer).reset();
        builder.tryAppend(System.currentTimeMillis(), key, value);
        final int length = builder.build();
        final Span span = tracing.start(stream, shard, 1, length, -1, -1, true, null);
        final CompletableFuture<ConditionalResult> future = new CompletableFuture<>();
        final ConditionalRequest request =
            new ConditionalRequest(AppendItems.encode(buffer, 0, length, AppendItems.UNCHECKED, key,
            expectedKeyLastOffset, ProduceTracing.traceparent(span)), recordBytes, expectedKeyLastOffset, span, future);
        closeLock.readLock().lock();
        try
        {
            if (closed)
            {
                memory.release(recordBytes);
                throw new IllegalStateException("producer " + producerId + " is closed");
            }
            track(future);
            post(() -> streamProducer.shards[shard].enqueue(request));
        }
        finally
        {
            closeLock.readLock().unlock();
        }
        return future;
    }

    private StreamProducer streamFor(final String name)
    {
        final StreamProducer known = streams.get(name);
        if (known != null)
        {
            return known;
        }
        synchronized (streamsLock)
        {
            final StreamProducer again = streams.get(name);
            if (again != null)
            {
                return again;
            }
            final StreamInfo info;
            try
            {
                info = metadata.describe(name);
            }
            catch (final IOException e)
            {
                throw new TributaryException("cannot describe stream '" + name
                    + "': the metadata quorum did not answer: " + e.getMessage(), e);
            }
            catch (final IllegalArgumentException e)
            {
                throw new TributaryException("cannot use stream '" + name + "': " + e.getMessage(), e);
            }
            final StreamProducer created = new StreamProducer(this, info);
            shards.addAll(List.of(created.shards));
            streams.put(name, created);
            return created;
        }
    }

    void track(final CompletableFuture<?> future)
    {
        pending.add(future);
        future.whenComplete((result, error) -> pending.remove(future));
    }

    /** Runs {@code task} on the I/O thread. */
    void post(final Runnable task)
    {
        tasks.add(task);
        LockSupport.unpark(ioThread);
    }

    /** On the I/O thread: the stream no longer exists; its records fail and later sends describe it again. */
    void forget(final StreamProducer stream, final UnknownStreamException error)
    {
        streams.remove(stream.name, stream);
        shards.removeAll(List.of(stream.shards));
        for (final ShardProducer shard : stream.shards)
        {
            shard.failAll("the stream was deleted", error);
            shard.closeChannel();
        }
    }

    void refreshAsync(final StreamProducer stream)
    {
        try
        {
            metadataExecutor.execute(() ->
            {
                try
                {
                    final StreamInfo fresh = metadata.describe(stream.name);
                    post(() -> stream.onRefreshed(fresh, null));
                }
                catch (final IOException | RuntimeException e)
                {
                    post(() -> stream.onRefreshed(null, e));
                }
            });
        }
        catch (final RejectedExecutionException e)
        {
            post(() -> stream.onRefreshed(null, e));
        }
    }

    // ------------------------------------------------------------------ I/O thread

    private void run()
    {
        while (true)
        {
            runTasks();
            if (stopping)
            {
                break;
            }
            final long nowNs = System.nanoTime();
            final boolean flushing = flushes.get() > 0 || closed;
            long nextNs = nowNs + MAX_PARK_NS;
            for (final ShardProducer shard : shards)
            {
                try
                {
                    nextNs = Math.min(nextNs, shard.service(nowNs, flushing));
                }
                catch (final RuntimeException | Error e)
                {
                    LOG.error("producer {}: {} failed on the I/O thread; its batches will fail", producerId,
                        shard.where(), e);
                    shard.failAll("the producer's I/O thread failed on this shard (" + e
                        + "); it takes no more records", e);
                }
            }
            // Everything this pass queued leaves now: one produce request per node, for all its shards.
            flushChannels();
            if (tasks.isEmpty() && !stopping)
            {
                LockSupport.parkNanos(this, Math.max(0, nextNs - System.nanoTime()));
            }
        }
        runTasks();
        for (final ShardProducer shard : shards)
        {
            shard.failAll("the producer was closed", null);
            shard.closeChannel();
        }
        stopped = true;
    }

    private void flushChannels()
    {
        try
        {
            channels.flush();
        }
        catch (final RuntimeException e)
        {
            LOG.error("producer {}: sending the queued requests failed", producerId, e);
        }
    }

    private void runTasks()
    {
        Runnable task;
        while ((task = tasks.poll()) != null)
        {
            try
            {
                task.run();
            }
            catch (final RuntimeException | Error e)
            {
                LOG.error("producer {}: a task on the I/O thread failed", producerId, e);
            }
        }
    }

    // ------------------------------------------------------------------ flush and close

    @Override
    public void flush() throws InterruptedException
    {
        if (Thread.currentThread() == ioThread)
        {
            throw new
                IllegalStateException("flush() from a future's callback would wait for itself; call it elsewhere");
        }
        awaitPending(Long.MAX_VALUE);
    }

    /** Waits until everything pending now has completed or the deadline passes; returns false on timeout. */
    private boolean awaitPending(final long deadlineNs) throws InterruptedException
    {
        final List<CompletableFuture<?>> snapshot = new ArrayList<>(pending);
        flushes.incrementAndGet();
        LockSupport.unpark(ioThread);
        try
        {
            for (final CompletableFuture<?> future : snapshot)
            {
                final long remainingNs = deadlineNs == Long.MAX_VALUE ? Long.MAX_VALUE : deadlineNs - System.nanoTime();
                try
                {
                    if (remainingNs == Long.MAX_VALUE)
                    {
                        future.handle((result, error) -> null).get();
                    }
                    else
                    {
                        future.handle((result, error) -> null).get(Math.max(0, remainingNs), TimeUnit.NANOSECONDS);
                    }
                }
                catch (final TimeoutException e)
                {
                    return false;
                }
                catch (final ExecutionException e)
                {
                    throw new IllegalStateException("a handled future failed", e);
                }
            }
            return true;
        }
        finally
        {
            flushes.decrementAndGet();
        }
    }

    @Override
    public long producerId()
    {
        return producerId;
    }

    @Override
    public void close()
    {
        close(Duration.ofNanos(deliveryTimeoutNs));
    }

    @Override
    public void close(final Duration timeout)
    {
        closeLock.writeLock().lock();
        try
        {
            if (closed)
            {
                return;
            }
            closed = true;
        }
        finally
        {
            closeLock.writeLock().unlock();
        }
        if (Thread.currentThread() == ioThread)
        {
            throw new
                IllegalStateException("close() from a future's callback would wait for itself; call it elsewhere");
        }
        try
        {
            if (!awaitPending(System.nanoTime() + timeout.toNanos()))
            {
                LOG.warn("producer {}: closing after {} with {} batches or conditional appends still open; they fail as"
                    + " outcome unknown", producerId, timeout, pending.size());
            }
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
        stopping = true;
        LockSupport.unpark(ioThread);
        try
        {
            ioThread.join(TimeUnit.SECONDS.toMillis(30));
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
        if (!stopped)
        {
            LOG.error("producer {}: the I/O thread did not stop within 30 s", producerId);
        }
        metadataExecutor.shutdownNow();
        try
        {
            metadata.close();
        }
        catch (final IOException e)
        {
            LOG.warn("producer {}: closing the metadata client: {}", producerId, e.toString());
        }
    }

    /** For tests: bytes of records buffered or in flight. */
    public long bufferedBytes()
    {
        return memory.usedBytes();
    }
}
