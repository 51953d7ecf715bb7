package io.tributary.client;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.tributary.client.internal.AdminImpl;

import io.tributary.protocol.access.Grant;
import io.tributary.protocol.access.Role;

/**
 * Manages streams and nodes and reports the cluster's state, through the nodes' front ends (any
 * node forwards metadata requests to the metadata quorum). Every call is synchronous and bounded
 * by the request timeout (times the nodes tried); thread-safe.
 *
 * <p>Changes go through the metadata quorum; the controller on its leader then moves the
 * cluster towards them (creates shard groups, moves replicas), so they take effect shortly
 * after the call returns: {@link #awaitStreamReady} waits for a new stream.
 *
 * <p><b>Failures.</b> A refused change (invalid name, unknown node, ...) throws
 * {@link TributaryException} with the quorum's reason; an unknown stream throws
 * {@link UnknownStreamException}; an unreachable quorum throws {@link IOException}.
 */
public interface Admin extends AutoCloseable
{
    static Admin create(final AdminConfig config)
    {
        return AdminImpl.create(config);
    }

    /** A stream as the metadata holds it, with the current replicas of each shard. */
    record StreamDescription(String name, long id, int shards, int replicationFactor, long retentionBytes,
        long retentionMs, List<ShardPlacement> placement)
    {
    }

    /** A shard's Raft group and its replicas (node id -> host:port, in placement order); empty until placed. */
    record ShardPlacement(int shard, String groupId, Map<String, String> replicas)
    {
    }

    record StreamSummary(String name, int shards, int replicationFactor)
    {
    }

    /** A node: REGISTERED (known, holds nothing), ACTIVE (holds replicas) or DRAINING (being emptied). */
    record NodeInfo(String id, String address, String state)
    {
    }

    /**
     * One replica of a shard as it answered a status request (its own position, read on that replica);
     * {@code error} is null when it answered. Lags are relative to the leader: records
     * ({@code nextOffset}) and Raft entries ({@code appliedIndex}). {@code batchCount} is the
     * number of batches the replica stores (-1 when it did not answer).
     */
    record ReplicaStatus(String nodeId, boolean leader, long firstOffset, long nextOffset, long appliedIndex,
        long lagRecords, long lagEntries, String error, long batchCount)
    {
    }

    /** A shard's leader (null if none answered) and its replicas. */
    record ShardStatus(String stream, int shard, String leader, long nextOffset, List<ReplicaStatus> replicas)
    {
    }

    record ClusterStatus(List<NodeInfo> nodes, Map<String, List<ShardStatus>> streams)
    {
    }

    /** Creates a stream without retention limits; returns its id. */
    long createStream(String name, int shards, int replicationFactor) throws IOException;

    /**
     * Creates a stream; returns its id. Its shards are placed on nodes shortly after.
     *
     * @param retentionBytes per shard, -1 for no limit.
     * @param retentionMs    -1 for no limit.
     */
    long createStream(String name, int shards, int replicationFactor, long retentionBytes, long retentionMs)
        throws IOException;

    /**
     * Waits until every shard of the stream is placed and has a leader that answers, then (at most 20 s more, within
     * the timeout) until each shard is led by its preferred replica, which the cluster moves leadership to shortly
     * after creation: producers starting then find their leaders at the first try. A shard whose preferred replica
     * holds no division or does not answer for 2 s is not waited for: that replica cannot lead.
     *
     * @throws TributaryException when the shards are not all placed and led within the timeout, naming what is missing.
     */
    void awaitStreamReady(String name, Duration timeout) throws IOException, InterruptedException;

    StreamDescription describeStream(String name) throws IOException;

    List<StreamSummary> listStreams() throws IOException;

    /** Deletes a stream: its shard groups and data are removed shortly after. */
    void deleteStream(String name) throws IOException;

    List<NodeInfo> nodes() throws IOException;

    /** Leader, offsets, applied index and lag of every replica of every shard of the stream. */
    List<ShardStatus> streamStatus(String name) throws IOException;

    /** Nodes and the status of every stream. */
    ClusterStatus clusterStatus() throws IOException;

    /**
     * Makes {@code newLeader} (a replica of the shard) its leader, waiting up to {@code timeout}.
     *
     * @throws TributaryException if the transfer did not happen (the reason from Ratis).
     */
    void transferLeadership(String stream, int shard, String newLeader, Duration timeout) throws IOException;

    /** Lets a registered node hold replicas; the controller moves some to it. */
    void addNode(String nodeId) throws IOException;

    /**
     * The node that leads the metadata quorum now (and so runs the controller), as the quorum answers a
     * linearizable query; null if it names none.
     */
    String metadataLeader() throws IOException;

    /** Drains a node: the controller moves its replicas away, then it becomes REGISTERED again. */
    void removeNode(String nodeId) throws IOException;

    /**
     * Binds a role to a principal on the streams a pattern names (a name, a prefix ending in {@code *}, or {@code *});
     * granting one that exists changes nothing. Needs cluster-admin; takes effect at every node within a second.
     *
     * @param principal {@code client:NAME} (NAME is the certificate's CN) or {@code node:NAME}.
     * @throws IllegalArgumentException when the principal, role or pattern is malformed (nothing is sent).
     * @throws AccessDeniedException    when this client's principal is not a cluster admin.
     */
    void grant(String principal, Role role, String streams) throws IOException;

    /**
     * Removes a grant made with exactly these three values.
     *
     * @throws TributaryException when there is no such grant (the message lists the principal's grants).
     */
    void revoke(String principal, Role role, String streams) throws IOException;

    /** Every grant, ordered by principal, role and pattern; needs cluster-admin or auditor. */
    List<Grant> grants() throws IOException;

    @Override
    void close() throws IOException;
}
