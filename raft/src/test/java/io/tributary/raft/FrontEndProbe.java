package io.tributary.raft;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import io.tributary.format.AppendStatus;
import io.tributary.protocol.AppendItemDescriptor;
import io.tributary.protocol.AppendResultDescriptor;
import io.tributary.protocol.FrontEndProtocol;
import io.tributary.protocol.ProduceRequestDescriptor;
import io.tributary.protocol.ProduceResponseDescriptor;
import io.tributary.protocol.aeron.AeronRuntimes;
import io.tributary.protocol.aeron.AeronTransportConfig;
import io.tributary.protocol.aeron.EmbeddedMediaDriver;
import io.tributary.protocol.aeron.MessageEndpoint;
import io.tributary.protocol.frame.MessageType;
import io.tributary.protocol.net.ResponseHandler;

/**
 * Speaks the front-end protocol to a node directly, byte by byte, for server tests: well-formed
 * requests built here, and malformed ones built by the test. Not the client library (which the
 * server module's tests cannot depend on).
 */
final class FrontEndProbe implements AutoCloseable
{
    private final EmbeddedMediaDriver driver;
    private final MessageEndpoint endpoint;

    /** One response, copied. */
    record Response(MessageType type, byte[] bytes)
    {
        UnsafeBuffer buffer()
        {
            return new UnsafeBuffer(bytes);
        }
    }

    /** One item's result in a produce response. */
    record Result(AppendStatus status, long baseOffset, long lastOffset, long expected, long found, String message)
    {
    }

    /** An item of a produce request: the shard's group and the append item's bytes. */
    record Item(UUID group, byte[] item)
    {
    }

    FrontEndProbe()
    {
        this.driver = AeronRuntimes.acquireForClient(new AeronTransportConfig()
            .nodeName("probe-" + ProcessHandle.current().pid()),
            false);
        this.endpoint = new MessageEndpoint("probe", driver, "127.0.0.1:0", FrontEndProtocol.AERON_STREAM_ID, null);
    }

    Response call(final String address, final MessageType type, final byte[] body) throws Exception
    {
        final CompletableFuture<Response> future = new CompletableFuture<>();
        endpoint.call(address, type, new UnsafeBuffer(body), 0, body.length, 20_000, new ResponseHandler()
        {
            @Override
            public void onResponse(final MessageType responseType, final DirectBuffer buffer, final int offset,
                final int length)
            {
                final byte[] copy = new byte[length];
                buffer.getBytes(offset, copy);
                future.complete(new Response(responseType, copy));
            }

            @Override
            public void onFailure(final IOException error)
            {
                future.completeExceptionally(error);
            }
        });
        return future.get(30, TimeUnit.SECONDS);
    }

    /** Sends a message without waiting for an answer (none is expected); the call is abandoned after a second. */
    void send(final String address, final MessageType type, final byte[] body)
    {
        endpoint.call(address, type, new UnsafeBuffer(body), 0, body.length, 1_000, new ResponseHandler()
        {
            @Override
            public void onResponse(final MessageType responseType, final DirectBuffer buffer, final int offset,
                final int length)
            {
            }

            @Override
            public void onFailure(final IOException error)
            {
            }
        });
    }

    /** An append item of a batch, with no condition unless given. */
    static byte[] item(final byte[] batch, final int flags, final long expectedShard, final byte[] key,
        final long expectedKey,
        final String traceparent)
    {
        final byte[] trace = traceparent == null ? new byte[0] : traceparent.getBytes(StandardCharsets.US_ASCII);
        final int keyLength = key == null ? 0 : key.length;
        final UnsafeBuffer out = new UnsafeBuffer(new byte[AppendItemDescriptor.itemLength(trace.length, keyLength,
            batch.length)]);
        int at = AppendItemDescriptor.writeHeader(out, 0, flags, trace.length, keyLength, expectedShard, expectedKey,
            batch.length);
        out.putBytes(at, trace);
        at += trace.length;
        if (key != null)
        {
            out.putBytes(at, key);
            at += keyLength;
        }
        out.putBytes(at, batch);
        return out.byteArray();
    }

    static byte[] produceRequest(final List<Item> items)
    {
        final ExpandableArrayBuffer out = new ExpandableArrayBuffer(1024);
        ProduceRequestDescriptor.writeHeader(out, 0, items.size());
        int at = ProduceRequestDescriptor.HEADER_LENGTH;
        for (final Item item : items)
        {
            out.putLong(at + ProduceRequestDescriptor.ITEM_GROUP_MSB_OFFSET, item.group().getMostSignificantBits());
            out.putLong(at + ProduceRequestDescriptor.ITEM_GROUP_LSB_OFFSET, item.group().getLeastSignificantBits());
            out.putBytes(at + ProduceRequestDescriptor.ITEM_APPEND_OFFSET, item.item());
            at += ProduceRequestDescriptor.ITEM_APPEND_OFFSET + item.item().length;
        }
        return Arrays.copyOf(out.byteArray(), at);
    }

    List<Result> produce(final String address, final List<Item> items) throws Exception
    {
        final Response response = call(address, MessageType.PRODUCE_REQUEST, produceRequest(items));
        if (response.type() != MessageType.PRODUCE_RESPONSE)
        {
            throw new IllegalStateException("expected a PRODUCE_RESPONSE, got " + response.type() + ": "
                + new String(response.bytes(), StandardCharsets.UTF_8));
        }
        final UnsafeBuffer in = response.buffer();
        final int count = ProduceResponseDescriptor.itemCount(in, 0);
        final List<Result> results = new ArrayList<>(count);
        int at = ProduceResponseDescriptor.HEADER_LENGTH;
        for (int i = 0; i < count; i++)
        {
            results.add(new Result(AppendResultDescriptor.status(in, at), AppendResultDescriptor.baseOffset(in, at),
                AppendResultDescriptor.lastOffset(in, at), AppendResultDescriptor.expected(in, at),
                    AppendResultDescriptor.found(in, at),
                AppendResultDescriptor.message(in, at)));
            at += AppendResultDescriptor.length(in, at);
        }
        return results;
    }

    /**
     * Sends the items until no result is a refusal that stored nothing (a group still electing its first
     * leader answers NOT_LEADER, a new leader BUSY), polling with a deadline as a producer would.
     */
    List<Result> produceUntilStored(final String address, final List<Item> items, final long timeoutMs) throws Exception
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true)
        {
            final List<Result> results = produce(address, items);
            if (results.stream().noneMatch(r -> r.status() != null && r.status().isRetriable())
                || System.nanoTime() > deadlineNs)
            {
                return results;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    @Override
    public void close()
    {
        endpoint.close();
        AeronRuntimes.release(driver);
    }
}
