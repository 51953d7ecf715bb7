package io.tributary.client.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;

import io.tributary.client.TributaryException;
import io.tributary.format.AppendStatus;
import io.tributary.protocol.AppendResultDescriptor;
import io.tributary.protocol.ErrorResponseDescriptor;
import io.tributary.protocol.FetchRequestDescriptor;
import io.tributary.protocol.FetchResponseDescriptor;
import io.tributary.protocol.ProduceRequestDescriptor;
import io.tributary.protocol.ProduceResponseDescriptor;
import io.tributary.protocol.frame.MessageType;
import io.tributary.protocol.net.ResponseHandler;

/**
 * Shard channels over the nodes' front ends: appends and reads queued per node and sent at
 * {@link #flush()} as one produce request and one fetch request per node (many shards each).
 * Responses are fanned out to each call's future on the transport's thread. Each channel
 * follows its shard's leader: NOT_LEADER answers name it, and a node that does not answer makes
 * the channel try the next replica. Thread-safe.
 */
public final class NodeLinks implements ShardChannel.Factory
{
    /** A request grows up to this before another is started for the same node. */
    private static final int REQUEST_BYTES_MAX = 8 << 20;

    private final FrontEndClient client;
    private final long requestTimeoutMs;
    private final int requestsInFlightMax;
    private final Map<String, AtomicInteger> producesInFlight = new ConcurrentHashMap<>();
    private final ExpandableArrayBuffer encoder = new ExpandableArrayBuffer(64 * 1024);
    // Guarded by this.
    private Map<String, List<Produce>> produce = new LinkedHashMap<>();
    private Map<String, Fetch> fetch = new LinkedHashMap<>();

    /** Links with the default limit of produce requests in flight per node. */
    public NodeLinks(final FrontEndClient client)
    {
        this(client, DEFAULT_REQUESTS_IN_FLIGHT_MAX);
    }

    /**
     * @param requestsInFlightMax produce requests in flight per node before channels report {@link
     * ShardChannel#canSend()} false (batches then grow instead of queueing up small).
     */
    public NodeLinks(final FrontEndClient client, final int requestsInFlightMax)
    {
        this.client = client;
        this.requestTimeoutMs = client.requestTimeoutMs();
        this.requestsInFlightMax = requestsInFlightMax;
    }

    public static final int DEFAULT_REQUESTS_IN_FLIGHT_MAX = 2;

    private AtomicInteger inFlight(final String address)
    {
        return producesInFlight.computeIfAbsent(address, a -> new AtomicInteger());
    }

    private synchronized boolean canSend(final String address)
    {
        return produce.containsKey(address) || inFlight(address).get() < requestsInFlightMax;
    }

    @Override
    public ShardChannel open(final StreamInfo.ShardInfo shard)
    {
        return new Channel(shard);
    }

    private record ProduceItem(Channel channel, byte[] item, CompletableFuture<AppendOutcome> future)
    {
    }

    private static final class Produce
    {
        final List<ProduceItem> items = new ArrayList<>();
        int bytes = ProduceRequestDescriptor.HEADER_LENGTH;
    }

    private record FetchItem(Channel channel, long fromOffset, int maxBytes, byte consistency, long minIndex,
        CompletableFuture<ReadOutcome> future)
    {
    }

    private static final class Fetch
    {
        final List<FetchItem> items = new ArrayList<>();
        int maxWaitMs;
    }

    private synchronized void addProduce(final String address, final ProduceItem item)
    {
        final List<Produce> requests = produce.computeIfAbsent(address, a -> new ArrayList<>());
        Produce request = requests.isEmpty() ? null : requests.get(requests.size() - 1);
        final int itemBytes = ProduceRequestDescriptor.ITEM_APPEND_OFFSET + item.item().length;
        if (request == null || (request.bytes + itemBytes > REQUEST_BYTES_MAX && !request.items.isEmpty())
            || request.items.size() == ProduceRequestDescriptor.ITEM_COUNT_MAX)
        {
            request = new Produce();
            requests.add(request);
        }
        request.items.add(item);
        request.bytes += itemBytes;
    }

    private synchronized void addFetch(final String address, final FetchItem item, final int waitMs)
    {
        final Fetch request = fetch.computeIfAbsent(address, a -> new Fetch());
        request.items.add(item);
        request.maxWaitMs = Math.max(request.maxWaitMs, waitMs);
    }

    @Override
    public void flush()
    {
        final Map<String, List<Produce>> produces;
        final Map<String, Fetch> fetches;
        synchronized (this)
        {
            if (produce.isEmpty() && fetch.isEmpty())
            {
                return;
            }
            produces = produce;
            fetches = fetch;
            produce = new LinkedHashMap<>();
            fetch = new LinkedHashMap<>();
        }
        synchronized (encoder)
        {
            produces.forEach((address, requests) -> requests.forEach(request -> sendProduce(address, request)));
            fetches.forEach(this::sendFetch);
        }
    }

    private void sendProduce(final String address, final Produce request)
    {
        final int count = request.items.size();
        ProduceRequestDescriptor.writeHeader(encoder, 0, count);
        int at = ProduceRequestDescriptor.HEADER_LENGTH;
        for (final ProduceItem item : request.items)
        {
            encoder.checkLimit(at + ProduceRequestDescriptor.ITEM_APPEND_OFFSET + item.item().length);
            final UUID group = item.channel().shard.groupId();
            encoder.putLong(at + ProduceRequestDescriptor.ITEM_GROUP_MSB_OFFSET, group.getMostSignificantBits());
            encoder.putLong(at + ProduceRequestDescriptor.ITEM_GROUP_LSB_OFFSET, group.getLeastSignificantBits());
            encoder.putBytes(at + ProduceRequestDescriptor.ITEM_APPEND_OFFSET, item.item());
            at += ProduceRequestDescriptor.ITEM_APPEND_OFFSET + item.item().length;
        }
        final AtomicInteger inFlight = inFlight(address);
        inFlight.incrementAndGet();
        client.transport().call(address, MessageType.PRODUCE_REQUEST, encoder, 0, at, requestTimeoutMs,
            new ResponseHandler()
        {
            @Override
            public void onResponse(final MessageType type, final DirectBuffer buffer, final int offset,
                final int length)
            {
                // The slot frees before the items complete: their callbacks wake the producer, which then sends.
                inFlight.decrementAndGet();
                onProduceResponse(address, request, type, buffer, offset, length);
            }

            @Override
            public void onFailure(final IOException error)
            {
                inFlight.decrementAndGet();
                for (final ProduceItem item : request.items)
                {
                    item.channel().onUnreachable(address);
                    item.future().completeExceptionally(error);
                }
            }
        });
    }

    private static void onProduceResponse(final String address, final Produce request, final MessageType type,
        final DirectBuffer buffer, final int offset, final int length)
    {
        if (type == MessageType.ERROR_RESPONSE)
        {
            final int code = length >= ErrorResponseDescriptor.HEADER_LENGTH
                ? ErrorResponseDescriptor.code(buffer, offset) : -1;
            final String text = "node " + address + " refused the produce request: "
                + ErrorResponseDescriptor.codeName(code) + ": " + ErrorResponseDescriptor.text(buffer, offset, length);
            for (final ProduceItem item : request.items)
            {
                if (code == ErrorResponseDescriptor.BUSY || code == ErrorResponseDescriptor.UNAVAILABLE)
                {
                    item.future().complete(AppendOutcome.of(AppendStatus.BUSY, text));
                }
                else
                {
                    item.future().completeExceptionally(new TributaryException(text));
                }
            }
            return;
        }
        final int end = offset + length;
        final boolean wellFormed = type == MessageType.PRODUCE_RESPONSE
            && length >= ProduceResponseDescriptor.HEADER_LENGTH
            && ProduceResponseDescriptor.itemCount(buffer, offset) == request.items.size();
        int at = offset + ProduceResponseDescriptor.HEADER_LENGTH;
        for (final ProduceItem item : request.items)
        {
            if (!wellFormed || end - at < AppendResultDescriptor.HEADER_LENGTH
                || AppendResultDescriptor.length(buffer, at) > end - at)
            {
                item.future().completeExceptionally(new IOException("node " + address
                    + " answered a produce request of "
                    + request.items.size() + " items with a malformed " + type + " of " + length + " bytes"));
                continue;
            }
            final AppendOutcome outcome = AppendOutcome.decode(buffer, at);
            at += AppendResultDescriptor.length(buffer, at);
            if (outcome.status() == AppendStatus.NOT_LEADER)
            {
                item.channel().onNotLeader(outcome.message());
            }
            else if (outcome.status() == AppendStatus.SHARD_NOT_HOSTED)
            {
                item.channel().onNotHosted(address);
            }
            item.future().complete(outcome);
        }
    }

    private void sendFetch(final String address, final Fetch request)
    {
        final int count = request.items.size();
        FetchRequestDescriptor.writeHeader(encoder, 0, count, request.maxWaitMs);
        encoder.checkLimit(FetchRequestDescriptor.itemOffset(0, count));
        for (int i = 0; i < count; i++)
        {
            final FetchItem item = request.items.get(i);
            final UUID group = item.channel().shard.groupId();
            FetchRequestDescriptor.writeItem(encoder, FetchRequestDescriptor.itemOffset(0, i),
                group.getMostSignificantBits(),
                group.getLeastSignificantBits(), item.fromOffset(), item.minIndex(), item.maxBytes(),
                    item.consistency());
        }
        final long timeoutMs = requestTimeoutMs + request.maxWaitMs;
        client.transport().call(address, MessageType.FETCH_REQUEST, encoder, 0,
            FetchRequestDescriptor.itemOffset(0, count),
            timeoutMs, new ResponseHandler()
            {
                @Override
                public void onResponse(final MessageType type, final DirectBuffer buffer, final int offset,
                    final int length)
                {
                    onFetchResponse(address, request, type, buffer, offset, length);
                }

                @Override
                public void onFailure(final IOException error)
                {
                    for (final FetchItem item : request.items)
                    {
                        item.channel().onUnreachable(address);
                        item.future().completeExceptionally(error);
                    }
                }
            });
    }

    private static void onFetchResponse(final String address, final Fetch request, final MessageType type,
        final DirectBuffer buffer, final int offset, final int length)
    {
        if (type != MessageType.FETCH_RESPONSE || length < FetchResponseDescriptor.HEADER_LENGTH
            || FetchResponseDescriptor.itemCount(buffer, offset) != request.items.size())
        {
            final String text = type == MessageType.ERROR_RESPONSE
                ? ErrorResponseDescriptor.text(buffer, offset, length)
                : "a malformed " + type + " of " + length + " bytes";
            for (final FetchItem item : request.items)
            {
                item.future().completeExceptionally(new IOException("node " + address + " answered a fetch of "
                    + request.items.size() + " shards with " + text));
            }
            return;
        }
        final int end = offset + length;
        int at = offset + FetchResponseDescriptor.HEADER_LENGTH;
        for (final FetchItem item : request.items)
        {
            if (end - at < FetchResponseDescriptor.ITEM_HEADER_LENGTH
                || FetchResponseDescriptor.dataLength(buffer, at) < 0
                || FetchResponseDescriptor.itemLength(buffer, at) > end - at)
            {
                item.future().completeExceptionally(new IOException("node " + address
                    + " sent a fetch response whose item at"
                    + " byte " + (at - offset) + " runs past its " + length + " bytes"));
                at = end;
                continue;
            }
            final ReadOutcome outcome = ReadOutcome.decode(buffer, at);
            at += FetchResponseDescriptor.itemLength(buffer, at);
            if (outcome.status() == FetchResponseDescriptor.STATUS_NOT_LEADER && item.consistency()
                == FetchRequestDescriptor.CONSISTENCY_LINEARIZABLE)
            {
                item.channel().onNotLeader(outcome.text());
            }
            else if (outcome.status() == FetchResponseDescriptor.STATUS_NOT_HOSTED && item.consistency()
                == FetchRequestDescriptor.CONSISTENCY_LINEARIZABLE)
            {
                item.channel().onNotHosted(address);
            }
            item.future().complete(outcome);
        }
    }

    /** One shard's channel: its placement and the leader it believes in. */
    private final class Channel implements ShardChannel
    {
        final StreamInfo.ShardInfo shard;
        private final List<String> replicas;
        private volatile String leader;

        Channel(final StreamInfo.ShardInfo shard)
        {
            this.shard = shard;
            this.replicas = List.copyOf(shard.replicas().keySet());
            // The first replica is the preferred leader, which the cluster keeps leading when it can; one known
            // to be down is passed over (a fresh consumer used to pay a failure and a back-off on it first).
            this.leader = replicas.isEmpty() ? null : liveFrom(0);
        }

        /**
         * The first replica from {@code start} on (wrapping) not known to be down; the one at {@code start} if all are.
         */
        private String liveFrom(final int start)
        {
            final int count = replicas.size();
            for (int i = 0; i < count; i++)
            {
                final String candidate = replicas.get((start + i) % count);
                final String address = addressOf(candidate);
                if (address != null && !client.transport().knownDown(address))
                {
                    return candidate;
                }
            }
            return replicas.get(start % count);
        }

        @Override
        public CompletableFuture<AppendOutcome> append(final byte[] item)
        {
            final CompletableFuture<AppendOutcome> future = new CompletableFuture<>();
            final String address = addressOf(leader);
            if (address == null)
            {
                future.completeExceptionally(new TributaryException("shard " + shard.shard()
                    + " has no replicas yet (placement" + " in progress)"));
                return future;
            }
            addProduce(address, new ProduceItem(this, item, future));
            return future;
        }

        @Override
        public CompletableFuture<ReadOutcome> read(final long fromOffset, final int maxBytes, final int waitMs,
            final String replica,
            final long minIndex)
        {
            final CompletableFuture<ReadOutcome> future = new CompletableFuture<>();
            final String address = addressOf(replica == null ? leader : replica);
            if (address == null)
            {
                future.completeExceptionally(new TributaryException("shard " + shard.shard() + " has no replica "
                    + (replica == null ? "(placement in progress)" : "'" + replica + "' (moved?)")));
                return future;
            }
            addFetch(address, new FetchItem(this, fromOffset, maxBytes, replica == null
                ? FetchRequestDescriptor.CONSISTENCY_LINEARIZABLE
                : FetchRequestDescriptor.CONSISTENCY_FOLLOWER, minIndex, future), waitMs);
            return future;
        }

        private String addressOf(final String node)
        {
            return node == null ? null : shard.replicas().get(node);
        }

        void onNotLeader(final String hint)
        {
            if (hint != null && replicas.contains(hint))
            {
                leader = hint;
            }
            else
            {
                next();
            }
        }

        /**
         * A replica the placement lists says it holds no live replica (moved away, not created yet, or
         * stranded): it cannot lead, so the next request goes to the next replica. Staying would ask the
         * same node forever, as a fresh channel starts at the preferred replica.
         */
        void onNotHosted(final String address)
        {
            onUnreachable(address);
        }

        void onUnreachable(final String address)
        {
            if (address.equals(addressOf(leader)))
            {
                next();
            }
        }

        private void next()
        {
            final String current = leader;
            if (!replicas.isEmpty())
            {
                leader = liveFrom(Math.max(0, replicas.indexOf(current)) + 1);
            }
        }

        @Override
        public boolean canSend()
        {
            final String address = addressOf(leader);
            return address == null || NodeLinks.this.canSend(address);
        }

        @Override
        public String leader()
        {
            return leader;
        }

        @Override
        public void close()
        {
            // Nothing of its own: the transport belongs to the client.
        }

        @Override
        public String toString()
        {
            return "shard " + shard.shard() + " (group " + shard.groupId() + ", leader " + leader + ")";
        }
    }
}
