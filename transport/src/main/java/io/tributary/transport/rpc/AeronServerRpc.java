package io.tributary.transport.rpc;

import io.tributary.protocol.aeron.AeronRuntimes;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

import org.apache.ratis.client.impl.ClientProtoUtils;
import org.apache.ratis.proto.RaftProtos.AppendEntriesReplyProto;
import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
import org.apache.ratis.proto.RaftProtos.GroupInfoRequestProto;
import org.apache.ratis.proto.RaftProtos.GroupListRequestProto;
import org.apache.ratis.proto.RaftProtos.GroupManagementRequestProto;
import org.apache.ratis.proto.RaftProtos.InstallSnapshotReplyProto;
import org.apache.ratis.proto.RaftProtos.InstallSnapshotRequestProto;
import org.apache.ratis.proto.RaftProtos.LeaderElectionManagementRequestProto;
import org.apache.ratis.proto.RaftProtos.RaftClientRequestProto;
import org.apache.ratis.proto.RaftProtos.RaftRpcReplyProto;
import org.apache.ratis.proto.RaftProtos.RaftRpcRequestProto;
import org.apache.ratis.proto.RaftProtos.ReadIndexReplyProto;
import org.apache.ratis.proto.RaftProtos.ReadIndexRequestProto;
import org.apache.ratis.proto.RaftProtos.RequestVoteReplyProto;
import org.apache.ratis.proto.RaftProtos.RequestVoteRequestProto;
import org.apache.ratis.proto.RaftProtos.SetConfigurationRequestProto;
import org.apache.ratis.proto.RaftProtos.SnapshotManagementRequestProto;
import org.apache.ratis.proto.RaftProtos.StartLeaderElectionReplyProto;
import org.apache.ratis.proto.RaftProtos.StartLeaderElectionRequestProto;
import org.apache.ratis.proto.RaftProtos.TransferLeadershipRequestProto;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.ServerNotReadyException;
import org.apache.ratis.rpc.RpcType;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerRpc;
import org.apache.ratis.server.protocol.RaftServerAsynchronousProtocol;
import org.apache.ratis.thirdparty.com.google.protobuf.MessageLite;
import org.apache.ratis.util.LifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.tributary.protocol.aeron.AeronTransportConfig;
import io.tributary.protocol.tls.PeerIdentity;
import io.tributary.protocol.tls.TlsContext;
import io.tributary.protocol.aeron.EmbeddedMediaDriver;
import io.tributary.protocol.frame.MessageType;

/**
 * The server side of the Aeron transport: one endpoint on this peer's address receives peer,
 * client and admin requests; outbound peer calls go to the other peers' addresses.
 * <p>
 * Inbound requests that Ratis serves asynchronously (appendEntries, readIndex, client and admin
 * requests) are submitted from their group's lane ({@link GroupLanes}: in arrival order per group,
 * peer and client traffic apart, never on the polling thread, because some of Ratis's "async"
 * calls block), except that ordered async client requests go through a per-client sliding window
 * ({@link OrderedClientRequests}) that submits in the client's seqNum order; the blocking ones
 * (requestVote, installSnapshot, startLeaderElection) run on a small bounded executor. A full lane
 * or executor answers with an exception instead of queueing.
 */
final class AeronServerRpc implements RaftServerRpc, RaftServerAsynchronousProtocol
{
    private static final Logger LOG = LoggerFactory.getLogger(AeronServerRpc.class);
    private static final int BLOCKING_THREADS = 2;
    private static final int BLOCKING_QUEUE = 256;
    /** Requests queued per group and kind before "busy": far above a pipelined appender's 8 or a client's window. */
    private static final int LANE_QUEUE = 4096;
    /** Bytes of accepted requests not yet run, across lanes and the blocking executor (ByteBudget). */
    static final long QUEUED_BYTES_MAX = 256L << 20;
    /**
     * How long a vote waits for the group's accepted appendEntries to reach the log, and an appendEntries for a
     * vote being decided, before it is refused (VoteFence): far above an append's few milliseconds, below
     * Ratis's vote and append timeouts, so a refusal is retried by the candidate or leader as a lost reply would be.
     */
    private static final long FENCE_WAIT_NS = TimeUnit.SECONDS.toNanos(1);

    private final RaftServer server;
    private final RpcType rpcType;
    private final AeronTransportConfig config;
    private final boolean nodeNameSet;
    /** TLS on every link (null: off); then only node principals are served. */
    private final TlsContext tls;
    private volatile String address;
    private final Map<RaftPeerId, String> peers = new ConcurrentHashMap<>();
    private final ThreadPoolExecutor blocking;
    private final GroupLanes lanes;
    private final ByteBudget queued;
    private final OrderedClientRequests ordered;
    private final Map<UUID, VoteFence> fences = new ConcurrentHashMap<>();
    private EmbeddedMediaDriver runtime;
    private volatile RpcEndpoint endpoint;

    /**
     * Ratis creates the RPC while it constructs the server, before the server knows its id or
     * groups: both are read at {@link #start()} or at the first {@link #getInetSocketAddress()}.
     */
    AeronServerRpc(final RaftServer server, final RpcType rpcType, final AeronTransportConfig config,
        final boolean nodeNameSet, final TlsContext tls)
    {
        this.tls = tls;
        this.server = server;
        this.rpcType = rpcType;
        this.config = config;
        this.nodeNameSet = nodeNameSet;
        this.ordered = new OrderedClientRequests(() -> "server-" + server.getId(),
            r -> server.submitClientRequestAsync(r).thenApply(ClientProtoUtils::toRaftClientReplyProto));
        this.lanes = new GroupLanes("aeron-rpc", LANE_QUEUE);
        this.queued = new ByteBudget(QUEUED_BYTES_MAX);
        this.blocking = new ThreadPoolExecutor(BLOCKING_THREADS, BLOCKING_THREADS, 60, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(BLOCKING_QUEUE), r ->
            {
                final Thread thread = new Thread(r, "aeron-rpc-blocking");
                thread.setDaemon(true);
                return thread;
            });
    }

    /**
     * This server's address as its groups list it. Ratis builds the server's own peer from this
     * RPC's address, so the server cannot be asked (it is still being constructed).
     */
    private static String addressInGroups(final RaftServer server)
    {
        try
        {
            for (final RaftGroup group : server.getGroups())
            {
                final RaftPeer self = group.getPeer(server.getId());
                if (self != null && self.getAddress() != null && self.getAddress().lastIndexOf(':') > 0)
                {
                    return self.getAddress();
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            throw new IllegalArgumentException("Aeron transport: cannot read the groups of " + server.getId()
                + " to find its address; set " + AeronTransportConfig.PREFIX + "server.address=host:port", ex);
        }
        throw new IllegalArgumentException("Aeron transport: " + server.getId()
            + " has no host:port address in its groups; set "
            + AeronTransportConfig.PREFIX + "server.address=host:port");
    }

    @Override
    public synchronized void start() throws IOException
    {
        if (endpoint != null)
        {
            return;
        }
        if (!nodeNameSet)
        {
            config.nodeName(("server-" + server.getId()).replaceAll("[^A-Za-z0-9._-]", "_"));
        }
        final String address = address();
        runtime = AeronRuntimes.acquire(config);
        try
        {
            endpoint = new RpcEndpoint("server-" + server.getId(), config, runtime, address, this::onRequest, tls);
        }
        catch (final RuntimeException ex)
        {
            AeronRuntimes.release(runtime);
            throw new IOException("Aeron transport: cannot listen on " + address + " for " + server.getId(), ex);
        }
        LOG.info("{}: Aeron server RPC on {} ({})", server.getId(), address, config.aeronDirectory());
    }

    private String address()
    {
        String current = address;
        if (current == null)
        {
            current = config.serverAddress() != null ? config.serverAddress() : addressInGroups(server);
            address = current;
        }
        return current;
    }

    @Override
    public InetSocketAddress getInetSocketAddress()
    {
        final String address = address();
        final int colon = address.lastIndexOf(':');
        return InetSocketAddress.createUnresolved(address.substring(0, colon),
            Integer.parseInt(address.substring(colon + 1)));
    }

    @Override
    public RpcType getRpcType()
    {
        return rpcType;
    }

    @Override
    public void addRaftPeers(final Collection<RaftPeer> newPeers)
    {
        for (final RaftPeer peer : newPeers)
        {
            peers.put(peer.getId(), peer.getAddress());
        }
    }

    @Override
    public void handleException(final RaftPeerId serverId, final Exception e, final boolean reconnect)
    {
        // Aeron reconnects publications by itself when the peer's subscription comes back.
    }

    @Override
    public RaftServerAsynchronousProtocol async()
    {
        return this;
    }

    // ---- outbound peer calls -------------------------------------------------------------

    private <M extends MessageLite> CompletableFuture<MessageLite> call(
        final RaftRpcRequestProto header, final MessageType type, final M request) throws IOException
    {
        final RpcEndpoint current = endpoint;
        if (current == null)
        {
            throw new IOException("Aeron transport: server RPC of " + server.getId() + " is not started or closed");
        }
        final RaftPeerId target = RaftPeerId.valueOf(header.getReplyId());
        final String targetAddress = peers.get(target);
        if (targetAddress == null)
        {
            throw new IOException("Aeron transport: no address for peer " + target + " (known: " + peers.keySet()
                + "); was it added to the group?");
        }
        final long[] group = RpcEndpoint.uuid(header.getRaftGroupId().getId());
        final long timeoutMs = header.getTimeoutMs() > 0 ? header.getTimeoutMs() : config.requestTimeoutMs();
        return current.call(targetAddress, type, group[0], group[1], request, timeoutMs);
    }

    static <T> T await(final CompletableFuture<?> future) throws IOException
    {
        try
        {
            @SuppressWarnings("unchecked")
            final T value = (T)future.get();
            return value;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw (IOException)new InterruptedIOException("interrupted waiting for a reply").initCause(ex);
        }
        catch (final ExecutionException ex)
        {
            final Throwable cause = ex.getCause();
            if (cause instanceof IOException)
            {
                throw (IOException)cause;
            }
            throw new IOException(cause);
        }
    }

    @Override
    public RequestVoteReplyProto requestVote(final RequestVoteRequestProto request) throws IOException
    {
        return await(call(request.getServerRequest(), MessageType.REQUEST_VOTE_REQUEST, request));
    }

    @Override
    public AppendEntriesReplyProto appendEntries(final AppendEntriesRequestProto request) throws IOException
    {
        return await(call(request.getServerRequest(), MessageType.APPEND_ENTRIES_REQUEST, request));
    }

    @Override
    public InstallSnapshotReplyProto installSnapshot(final InstallSnapshotRequestProto request) throws IOException
    {
        return await(call(request.getServerRequest(), MessageType.INSTALL_SNAPSHOT_REQUEST, request));
    }

    @Override
    public StartLeaderElectionReplyProto startLeaderElection(final StartLeaderElectionRequestProto request)
        throws IOException
    {
        return await(call(request.getServerRequest(), MessageType.START_LEADER_ELECTION_REQUEST, request));
    }

    @Override
    public CompletableFuture<AppendEntriesReplyProto> appendEntriesAsync(final AppendEntriesRequestProto request)
        throws IOException
    {
        return call(request.getServerRequest(), MessageType.APPEND_ENTRIES_REQUEST, request)
            .thenApply(AppendEntriesReplyProto.class::cast);
    }

    /** An installSnapshot call that does not block the caller (the pipelined log appender's notifications). */
    CompletableFuture<InstallSnapshotReplyProto> installSnapshotAsync(final InstallSnapshotRequestProto request)
        throws IOException
    {
        return call(request.getServerRequest(), MessageType.INSTALL_SNAPSHOT_REQUEST, request)
            .thenApply(InstallSnapshotReplyProto.class::cast);
    }

    AeronTransportConfig config()
    {
        return config;
    }

    @Override
    public CompletableFuture<ReadIndexReplyProto> readIndexAsync(final ReadIndexRequestProto request) throws IOException
    {
        return call(request.getServerRequest(), MessageType.READ_INDEX_REQUEST, request)
            .thenApply(ReadIndexReplyProto.class::cast);
    }

    // ---- inbound requests ------------------------------------------------------------------

    /** Runs {@code task}, then gives its request's bytes back to the budget. */
    private Runnable released(final int bytes, final Runnable task)
    {
        return () ->
        {
            try
            {
                task.run();
            }
            finally
            {
                queued.release(bytes);
            }
        };
    }

    /**
     * On the polling thread: hands the request to its group's lane (GroupLanes: Ratis may block the
     * caller), or to the blocking executor for Ratis's blocking calls. Never calls into Ratis here.
     */
    private void onRequest(
        final RpcEndpoint.ReplyRoute route, final MessageType type, final long correlationId, final long msb,
            final long lsb,
        final MessageLite request)
    {
        if (route.session != null && !route.principal().isNode())
        {
            // Raft traffic, group management and Ratis client requests come from nodes only: a client certificate
            // must not append entries, vote, or add and remove groups (issue #17).
            LOG.warn("{}: refused {} from {} at {}: only node certificates (OU=tributary-node) may send Raft "
                + "traffic", server.getId(), type, route.principal(), route.address());
            final RpcEndpoint current = endpoint;
            if (current != null)
            {
                current.replyException(route, correlationId, msb, lsb, replyHeader(header(type, request)),
                    new IOException("Aeron transport: " + server.getId() + " refused " + type + " from "
                        + route.principal() + ": only node certificates (OU=" + PeerIdentity.NODE_UNIT + ") may send "
                        + "Raft traffic and group management"));
            }
            return;
        }
        final int bytes = request.getSerializedSize();
        try
        {
            if (!queued.tryAcquire(bytes))
            {
                throw new RejectedExecutionException("queued requests hold " + queued.queuedBytes() + " of "
                    + queued.maxBytes() + " bytes; this one has " + bytes);
            }
            try
            {
                switch (type)
                {
                    case REQUEST_VOTE_REQUEST, INSTALL_SNAPSHOT_REQUEST, START_LEADER_ELECTION_REQUEST ->
                        blocking.execute(released(bytes, () -> answerBlocking(route, type, correlationId, msb, lsb,
                            header(type, request), request)));
                    case APPEND_ENTRIES_REQUEST, READ_INDEX_REQUEST ->
                        lanes.execute(msb, lsb, GroupLanes.Kind.PEER, released(bytes,
                            () -> dispatch(route, type, correlationId, msb, lsb, request)));
                    default ->
                        lanes.execute(msb, lsb, GroupLanes.Kind.CLIENT, released(bytes,
                            () -> dispatch(route, type, correlationId, msb, lsb, request)));
                }
            }
            catch (final RejectedExecutionException ex)
            {
                queued.release(bytes);
                throw ex;
            }
        }
        catch (final RejectedExecutionException ex)
        {
            final String what = ex.getMessage() != null
                && (ex.getMessage().contains("lane") || ex.getMessage().contains("bytes"))
                ? ex.getMessage() : BLOCKING_QUEUE + " blocking requests queued";
            final RpcEndpoint current = endpoint;
            if (current == null)
            {
                return;   // closing (the lanes refuse because they are shut): the caller times out as on a lost message
            }
            current.replyException(route, correlationId, msb, lsb, replyHeader(header(type, request)),
                new IOException("Aeron transport: " + server.getId() + " is busy (" + what + "); " + type + " refused",
                    ex));
        }
    }

    /** In the group's lane: calls Ratis and answers when its future completes. */
    private void dispatch(
        final RpcEndpoint.ReplyRoute route, final MessageType type, final long correlationId, final long msb,
            final long lsb,
        final MessageLite request)
    {
        final RaftRpcRequestProto header = header(type, request);
        try
        {
            switch (type)
            {
                case APPEND_ENTRIES_REQUEST ->
                    answer(route, MessageType.APPEND_ENTRIES_REPLY, correlationId, msb, lsb, header,
                    appendEntriesFenced((AppendEntriesRequestProto)request, msb, lsb));
                case READ_INDEX_REQUEST -> answer(route, MessageType.READ_INDEX_REPLY, correlationId, msb, lsb, header,
                    server.readIndexAsync((ReadIndexRequestProto)request));
                case CLIENT_REQUEST -> clientRequest(route, correlationId, msb, lsb, header,
                    ClientProtoUtils.toRaftClientRequest((RaftClientRequestProto)request));
                default -> answer(route, replyType(type), correlationId, msb, lsb, header, admin(type, request));
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            replyException(route, correlationId, msb, lsb, header, ex);
        }
    }

    /** Answers a failure, unless this server is closing (then the caller times out as on a lost message). */
    private void replyException(final RpcEndpoint.ReplyRoute route, final long correlationId, final long msb,
        final long lsb,
        final RaftRpcRequestProto header, final Throwable failure)
    {
        final RpcEndpoint current = endpoint;
        if (current != null)
        {
            current.replyException(route, correlationId, msb, lsb, replyHeader(header), failure);
        }
    }

    /**
     * Ordered async client requests go through the client's sliding window (submitted and answered in seqNum
     * order); unordered async and blocking ones are submitted as they arrive.
     */
    private void clientRequest(
        final RpcEndpoint.ReplyRoute route, final long correlationId, final long msb, final long lsb,
        final RaftRpcRequestProto header, final RaftClientRequest request) throws IOException
    {
        if (!OrderedClientRequests.isOrdered(request))
        {
            answer(route, MessageType.CLIENT_REPLY, correlationId, msb, lsb, header,
                server.submitClientRequestAsync(request).thenApply(ClientProtoUtils::toRaftClientReplyProto));
            return;
        }
        final RpcEndpoint current = endpoint;
        ordered.receive(request, outcome ->
        {
            if (outcome.failure() == null)
            {
                current.reply(route, MessageType.CLIENT_REPLY, correlationId, msb, lsb, outcome.reply());
            }
            else
            {
                current.replyException(route, correlationId, msb, lsb, replyHeader(header), outcome.failure());
            }
        });
    }

    private void answerBlocking(
        final RpcEndpoint.ReplyRoute route, final MessageType type, final long correlationId, final long msb,
            final long lsb,
        final RaftRpcRequestProto header, final MessageLite request)
    {
        try
        {
            final MessageLite reply = switch (type)
            {
                case REQUEST_VOTE_REQUEST -> requestVoteFenced((RequestVoteRequestProto)request, msb, lsb);
                case INSTALL_SNAPSHOT_REQUEST ->
                    installSnapshotOnceRunning((InstallSnapshotRequestProto)request, msb, lsb);
                case START_LEADER_ELECTION_REQUEST ->
                    server.startLeaderElection((StartLeaderElectionRequestProto)request);
                default -> throw new IllegalStateException("not a blocking request: " + type);
            };
            final RpcEndpoint current = endpoint;
            if (current != null)
            {
                current.reply(route, replyType(type), correlationId, msb, lsb, reply);
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            replyException(route, correlationId, msb, lsb, header, ex);
        }
    }

    private VoteFence fence(final long msb, final long lsb)
    {
        return fences.computeIfAbsent(new UUID(msb, lsb), id -> new VoteFence());
    }

    /**
     * An appendEntries, through the group's {@link VoteFence}: held back while a vote is being decided; a heartbeat
     * also waits until the appendEntries before it have completed.
     * <p>
     * Why the heartbeat waits: Ratis 3.3 appends a request's entries asynchronously and checks the next request's
     * previous entry against those pending entries too. A heartbeat has nothing to append, so Ratis raises the
     * follower's commit index at once to min(leader commit, previous index), bounded by the follower's flushed
     * log, while the entries it names are still pending. On a follower whose log holds older, conflicting entries
     * at those indexes (a restarted old leader's uncommitted tail), the state machine then applies those old
     * entries before the pending append truncates them: an entry applied that is not in the log, and applied again
     * when the leader's version arrives (AeronLogAppenderTest: the restarted old leader applied 3,002 entries, its
     * peers 3,001, with a Ratis retry-cache assertion on the twice-applied request). Data requests are safe: Ratis
     * chains their appends, and each raises the commit index only after its own append, hence after the ones before.
     */
    private CompletableFuture<AppendEntriesReplyProto> appendEntriesFenced(final AppendEntriesRequestProto request,
        final long msb,
        final long lsb) throws IOException
    {
        final boolean heartbeat = request.getEntriesCount() == 0;
        final String refusal = heartbeat ? null : LogWriteGate.refusal(server.getId().toString());
        if (refusal != null)
        {
            throw new IOException("Aeron transport: " + server.getId() + " refuses " + request.getEntriesCount()
                + " entries for group " + new UUID(msb, lsb) + ": " + refusal + "; the leader resends");
        }
        final VoteFence fence = fence(msb, lsb);
        try
        {
            if (!fence.appendStarted(heartbeat, FENCE_WAIT_NS))
            {
                throw new IOException("Aeron transport: " + server.getId() + " held "
                    + (heartbeat ? "a heartbeat" : "appendEntries")
                    + " for group " + new UUID(msb, lsb) + " back for " + TimeUnit.NANOSECONDS.toMillis(FENCE_WAIT_NS)
                    + " ms while " + (heartbeat ? "a vote or earlier appendEntries were" : "a vote was")
                    + " pending; refused, the leader resends");
            }
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while appendEntries waited at the fence");
        }
        final CompletableFuture<AppendEntriesReplyProto> future;
        try
        {
            future = server.appendEntriesAsync(request);
        }
        catch (final IOException | RuntimeException e)
        {
            fence.appendEnded();
            throw e;
        }
        future.whenComplete((reply, failure) -> fence.appendEnded());
        return future;
    }

    /**
     * A vote, through the group's {@link VoteFence}: decided only once the appendEntries Ratis accepted before it
     * are in the log, so the candidate is compared with every entry this server will acknowledge in its old term.
     */
    private MessageLite requestVoteFenced(final RequestVoteRequestProto request, final long msb, final long lsb)
        throws IOException
    {
        final VoteFence fence = fence(msb, lsb);
        try
        {
            if (!fence.voteStarted(FENCE_WAIT_NS))
            {
                throw new IOException("Aeron transport: " + server.getId() + " refuses to decide a vote in group "
                    + new UUID(msb, lsb) + ": appendEntries accepted before it were still being written after "
                    + TimeUnit.NANOSECONDS.toMillis(FENCE_WAIT_NS) + " ms; the candidate asks again");
            }
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for appendEntries before a vote");
        }
        try
        {
            return server.requestVote(request);
        }
        finally
        {
            fence.voteEnded();
        }
    }

    /**
     * An install-snapshot request (here always a notification: the follower fetches state itself) reaches Ratis
     * only once the group runs on this server. Ratis 3.3 marks a notification "in progress" before it reads the
     * log, so one that arrives while the group is still being added ("log is uninitialized") left the mark set
     * for good: every later notification answered IN_PROGRESS, the new replica never caught up, and the
     * membership change waited forever (RebalanceTest, on a loaded machine where adding the group took 10 s).
     * Refused now, the leader's appender resends it a heartbeat later.
     * <p>
     * A division that is STARTING with its log open is let through: a division restarted from its storage
     * (TributaryNode.restartDivision) whose own last configuration does not name it stays STARTING until its leader
     * brings it up to date, and when the leader has purged the entries it lacks, this notification is the only way
     * to do that. Refused, it left the replica STARTING for good (Jepsen seed 210, 2026-12-03: a shard without a
     * ready leader 90 s after the heal).
     */
    private MessageLite installSnapshotOnceRunning(final InstallSnapshotRequestProto request, final long msb,
        final long lsb)
        throws IOException
    {
        final RaftServer.Division division = server.getDivision(RaftGroupId.valueOf(new UUID(msb, lsb)));
        if (!installSnapshotAccepted(division.getInfo().getLifeCycleState(), () -> logOpened(division)))
        {
            throw new ServerNotReadyException(division.getMemberId()
                + " is " + division.getInfo().getLifeCycleState()
                    + ", not running yet: install-snapshot refused until it is");
        }
        return server.installSnapshot(request);
    }

    /** RUNNING, or STARTING with its Raft log open (asked only then: a log not yet initialized throws in Ratis). */
    static boolean installSnapshotAccepted(final LifeCycle.State state,
        final BooleanSupplier logOpened)
    {
        return state == LifeCycle.State.RUNNING
            || state == LifeCycle.State.STARTING && logOpened.getAsBoolean();
    }

    private static boolean logOpened(final RaftServer.Division division)
    {
        try
        {
            return division.getRaftLog().isOpened();
        }
        catch (final IllegalStateException ex)
        {
            return false; // "log is uninitialized": the group is still being added
        }
    }

    private CompletableFuture<? extends MessageLite> admin(final MessageType type, final MessageLite request)
        throws IOException
    {
        return switch (type)
        {
            case SET_CONFIGURATION_REQUEST -> server.setConfigurationAsync(
                ClientProtoUtils.toSetConfigurationRequest((SetConfigurationRequestProto)request))
                    .thenApply(ClientProtoUtils::toRaftClientReplyProto);
            case GROUP_MANAGEMENT_REQUEST -> server.groupManagementAsync(
                ClientProtoUtils.toGroupManagementRequest((GroupManagementRequestProto)request))
                    .thenApply(ClientProtoUtils::toRaftClientReplyProto);
            case GROUP_LIST_REQUEST -> server.getGroupListAsync(
                ClientProtoUtils.toGroupListRequest((GroupListRequestProto)request))
                    .thenApply(ClientProtoUtils::toGroupListReplyProto);
            case GROUP_INFO_REQUEST -> server.getGroupInfoAsync(
                ClientProtoUtils.toGroupInfoRequest((GroupInfoRequestProto)request))
                    .thenApply(ClientProtoUtils::toGroupInfoReplyProto);
            case TRANSFER_LEADERSHIP_REQUEST -> server.transferLeadershipAsync(
                ClientProtoUtils.toTransferLeadershipRequest((TransferLeadershipRequestProto)request))
                .thenApply(ClientProtoUtils::toRaftClientReplyProto);
            case SNAPSHOT_MANAGEMENT_REQUEST -> server.snapshotManagementAsync(
                ClientProtoUtils.toSnapshotManagementRequest((SnapshotManagementRequestProto)request))
                .thenApply(ClientProtoUtils::toRaftClientReplyProto);
            case LEADER_ELECTION_MANAGEMENT_REQUEST -> server.leaderElectionManagementAsync(
                ClientProtoUtils.toLeaderElectionManagementRequest((LeaderElectionManagementRequestProto)request))
                .thenApply(ClientProtoUtils::toRaftClientReplyProto);
            default -> throw new IOException("Aeron transport: " + type + " is not a request this server serves");
        };
    }

    private void answer(
        final RpcEndpoint.ReplyRoute route, final MessageType replyType, final long correlationId, final long msb,
            final long lsb,
        final RaftRpcRequestProto header, final CompletableFuture<? extends MessageLite> future)
    {
        final RpcEndpoint current = endpoint;
        if (current == null)
        {
            return;   // closing: the caller times out as on a lost message
        }
        future.whenComplete((reply, failure) ->
        {
            if (failure == null)
            {
                current.reply(route, replyType, correlationId, msb, lsb, reply);
            }
            else
            {
                current.replyException(route, correlationId, msb, lsb, replyHeader(header),
                    failure instanceof CompletionException && failure.getCause() != null ? failure.getCause()
                        : failure);
            }
        });
    }

    static MessageType replyType(final MessageType request)
    {
        return switch (request)
        {
            case REQUEST_VOTE_REQUEST -> MessageType.REQUEST_VOTE_REPLY;
            case APPEND_ENTRIES_REQUEST -> MessageType.APPEND_ENTRIES_REPLY;
            case INSTALL_SNAPSHOT_REQUEST -> MessageType.INSTALL_SNAPSHOT_REPLY;
            case READ_INDEX_REQUEST -> MessageType.READ_INDEX_REPLY;
            case START_LEADER_ELECTION_REQUEST -> MessageType.START_LEADER_ELECTION_REPLY;
            case GROUP_LIST_REQUEST -> MessageType.GROUP_LIST_REPLY;
            case GROUP_INFO_REQUEST -> MessageType.GROUP_INFO_REPLY;
            case CLIENT_REQUEST, SET_CONFIGURATION_REQUEST, GROUP_MANAGEMENT_REQUEST, TRANSFER_LEADERSHIP_REQUEST,
                SNAPSHOT_MANAGEMENT_REQUEST, LEADER_ELECTION_MANAGEMENT_REQUEST -> MessageType.CLIENT_REPLY;
            default -> throw new IllegalArgumentException(request + " is not a request");
        };
    }

    /** The Ratis request header of any request message (for the header of an exception reply). */
    static RaftRpcRequestProto header(final MessageType type, final MessageLite request)
    {
        final Function<MessageLite, RaftRpcRequestProto> get = switch (type)
        {
            case REQUEST_VOTE_REQUEST -> m -> ((RequestVoteRequestProto)m).getServerRequest();
            case APPEND_ENTRIES_REQUEST -> m -> ((AppendEntriesRequestProto)m).getServerRequest();
            case INSTALL_SNAPSHOT_REQUEST -> m -> ((InstallSnapshotRequestProto)m).getServerRequest();
            case READ_INDEX_REQUEST -> m -> ((ReadIndexRequestProto)m).getServerRequest();
            case START_LEADER_ELECTION_REQUEST -> m -> ((StartLeaderElectionRequestProto)m).getServerRequest();
            case CLIENT_REQUEST -> m -> ((RaftClientRequestProto)m).getRpcRequest();
            case SET_CONFIGURATION_REQUEST -> m -> ((SetConfigurationRequestProto)m).getRpcRequest();
            case GROUP_MANAGEMENT_REQUEST -> m -> ((GroupManagementRequestProto)m).getRpcRequest();
            case GROUP_LIST_REQUEST -> m -> ((GroupListRequestProto)m).getRpcRequest();
            case GROUP_INFO_REQUEST -> m -> ((GroupInfoRequestProto)m).getRpcRequest();
            case TRANSFER_LEADERSHIP_REQUEST -> m -> ((TransferLeadershipRequestProto)m).getRpcRequest();
            case SNAPSHOT_MANAGEMENT_REQUEST -> m -> ((SnapshotManagementRequestProto)m).getRpcRequest();
            case LEADER_ELECTION_MANAGEMENT_REQUEST -> m -> ((LeaderElectionManagementRequestProto)m).getRpcRequest();
            default -> m -> RaftRpcRequestProto.getDefaultInstance();
        };
        return get.apply(request);
    }

    static RaftRpcReplyProto replyHeader(final RaftRpcRequestProto request)
    {
        return RaftRpcReplyProto.newBuilder().setRequestorId(request.getRequestorId()).setReplyId(request.getReplyId())
            .setRaftGroupId(request.getRaftGroupId()).setCallId(request.getCallId()).setSuccess(false).build();
    }

    @Override
    public synchronized void close() throws IOException
    {
        final RpcEndpoint current = endpoint;
        endpoint = null;
        blocking.shutdownNow();
        lanes.close();
        ordered.close();
        if (current != null)
        {
            current.close();
            AeronRuntimes.release(runtime);
        }
    }
}
