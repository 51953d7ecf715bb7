package io.tributary.raft.frontend;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.tributary.protocol.access.AuditRecord;
import io.tributary.protocol.access.Grant;
import io.tributary.protocol.access.Role;
import io.tributary.protocol.tls.PeerIdentity;
import io.tributary.raft.meta.ClusterMetadata;

/**
 * Decides, at the node's front end and before a request has any effect, whether its principal may do what it asks:
 * deny by default once security is on. Node principals (cluster members) and the configured admin principals may do
 * everything; any other principal only what a {@link Grant} in the metadata quorum lets it. The grants and the stream
 * of every shard group are a copy the node refreshes from the metadata quorum every half second ({@link #update}): a
 * revocation takes effect at a node within that. A denial is final only on rules read after it was first met (the
 * requester is asked to retry meanwhile), so a grant takes effect at once. Thread-safe: checks read one immutable
 * {@link Policy}.
 */
public final class AccessControl
{
    private static final Logger LOG = LoggerFactory.getLogger(AccessControl.class);
    private static final long DENIAL_LOG_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);
    /** How long a denial waits for rules read after it before it is final again (then it is checked anew). */
    private static final long RECHECK_TTL_NS = TimeUnit.SECONDS.toNanos(5);
    /** Denials waiting for a re-read of the rules are remembered up to this many (then forgotten at once). */
    private static final int RECHECKS_MAX = 10_000;
    /** Returned by {@link #checkOrRecheck} when the requester should retry while the rules are read again. */
    public static final String RECHECK = "the node is reading its access rules again before it refuses; retry";

    /** Reads the metadata the rules come from (a linearizable query of the metadata quorum). */
    @FunctionalInterface
    public interface Source
    {
        ClusterMetadata read() throws IOException;
    }

    /** What a request asks to do; each role allows some of these. */
    public enum Action
    {
        /** Append to a stream. */
        PRODUCE("produce to"),
        /** Read a stream. */
        CONSUME("read"),
        /** See a stream's shards, placement and status. */
        DESCRIBE("describe"),
        /** Create, delete or move the leaders of a stream. */
        MANAGE_STREAM("manage"),
        /** Take a producer id: any principal that may produce to some stream. */
        PRODUCE_ANYWHERE("take a producer id for"),
        /** List streams and nodes: any principal holding some role. */
        LIST("list"),
        /** Read the grants. */
        READ_GRANTS("read the grants of"),
        /** Nodes, membership, grants, the whole metadata. */
        MANAGE_CLUSTER("administer");

        private final String verb;

        Action(final String verb)
        {
            this.verb = verb;
        }
    }

    /** The grants (by principal: a check scans only its own) and the stream of each shard group, as of one refresh. */
    private record Policy(Map<PeerIdentity, List<Grant>> grantsOf, Map<UUID, String> streamOfGroup)
    {
        static final Policy EMPTY = new Policy(Map.of(), Map.of());
    }

    private final boolean enabled;
    private final Set<PeerIdentity> adminPrincipals;
    private volatile Policy policy = Policy.EMPTY;
    /** When the read of the rules held now began (their content is at least that recent). */
    private volatile long loadedAtNs = System.nanoTime() - RECHECK_TTL_NS;
    private final ConcurrentHashMap<String, Long> rechecks = new ConcurrentHashMap<>();
    private volatile AuditSink audit = AuditSink.NONE;
    private volatile Source source;
    private volatile Executor refresher;
    private final AtomicBoolean refreshQueued = new AtomicBoolean();
    private final AtomicLong lastDenialLogNs = new AtomicLong(System.nanoTime() - DENIAL_LOG_INTERVAL_NS);
    private final AtomicLong denialsNotLogged = new AtomicLong();

    private AccessControl(final boolean enabled, final Set<String> adminPrincipals)
    {
        this.enabled = enabled;
        this.adminPrincipals = adminPrincipals.stream().map(PeerIdentity::parse)
            .collect(Collectors.toUnmodifiableSet());
    }

    /** Security off: everything is allowed (no link has a principal). */
    public static AccessControl disabled()
    {
        return new AccessControl(false, Set.of());
    }

    /**
     * Security on: deny by default.
     *
     * @param adminPrincipals principals ({@code client:admin}) that hold cluster-admin whatever the grants say: the
     *                        bootstrap, so that someone can grant the first roles.
     */
    public static AccessControl enforcing(final Set<String> adminPrincipals)
    {
        return new AccessControl(true, adminPrincipals);
    }

    public boolean enabled()
    {
        return enabled;
    }

    /**
     * Takes the grants and the streams' shard groups from a copy of the metadata.
     *
     * @param readStartNs when the read of that copy began ({@link System#nanoTime()}).
     */
    public void update(final ClusterMetadata metadata, final long readStartNs)
    {
        final Map<UUID, String> streamOfGroup = new HashMap<>();
        for (final ClusterMetadata.Stream stream : metadata.streams().values())
        {
            for (int shard = 0; shard < stream.shards(); shard++)
            {
                streamOfGroup.put(ClusterMetadata.groupIdOf(stream.id(), shard).getUuid(), stream.name());
            }
        }
        final Map<PeerIdentity, List<Grant>> grantsOf = new HashMap<>();
        for (final Grant grant : metadata.grants())
        {
            grantsOf.computeIfAbsent(PeerIdentity.parse(grant.principal()), principal -> new ArrayList<>()).add(grant);
        }
        grantsOf.replaceAll((principal, grants) -> List.copyOf(grants));
        policy = new Policy(Map.copyOf(grantsOf), Map.copyOf(streamOfGroup));
        loadedAtNs = readStartNs;
    }

    /** Where {@link #requestRefresh} and {@link #refreshNow} read the rules, and the executor of the former. */
    public void refreshFrom(final Source source, final Executor refresher)
    {
        this.source = source;
        this.refresher = refresher;
    }

    /** Reads the rules again soon, off the caller's thread (one read at a time however many ask). */
    public void requestRefresh()
    {
        final Source from = source;
        final Executor executor = refresher;
        if (from == null || executor == null || !refreshQueued.compareAndSet(false, true))
        {
            return;
        }
        try
        {
            executor.execute(() ->
            {
                try
                {
                    refreshNow();
                }
                finally
                {
                    refreshQueued.set(false);
                }
            });
        }
        catch (final RejectedExecutionException e)
        {
            refreshQueued.set(false);
        }
    }

    /** Reads the rules again now (a blocking metadata query); a failure leaves the ones held and is logged. */
    public void refreshNow()
    {
        final Source from = source;
        if (from == null)
        {
            return;
        }
        final long startNs = System.nanoTime();
        try
        {
            update(from.read(), startNs);
        }
        catch (final IOException | RuntimeException e)
        {
            LOG.warn("access rules not refreshed: {}", e.toString());
        }
    }

    /** The stream a shard group belongs to, or null when this node's copy of the metadata does not know it yet. */
    public String streamOf(final UUID group)
    {
        return policy.streamOfGroup.get(group);
    }

    /**
     * Null when {@code who} may do {@code action} on {@code stream} (null for actions on no stream) by the rules held,
     * else why not, in words for the requester: who, what, which role it needs and how to get it.
     */
    public String check(final PeerIdentity who, final Action action, final String stream)
    {
        // Keyed by the principal itself (a record): no text is built for a check that passes.
        if (!enabled || (who != null && who.isNode()))
        {
            return null;
        }
        if (action == Action.PRODUCE && AuditRecord.STREAM.equals(stream))
        {
            // Not even an admin writes the trail: its records come from the nodes, chained by the shard.
            return who + " may not write to the audit trail (" + AuditRecord.STREAM + "): only the nodes do";
        }
        if (who != null && adminPrincipals.contains(who))
        {
            return null;
        }
        if (who != null && allows(policy.grantsOf.getOrDefault(who, List.of()), action, stream))
        {
            return null;
        }
        return denial(who, action, stream);
    }

    /**
     * For requests answered on the network thread (produce, fetch): null when allowed; the denial when it is final;
     * {@link #RECHECK} when the requester should retry because the rules held may predate a grant: a denial is final
     * only on rules read after the first time it was met (within {@link #RECHECK_TTL_NS}), so a grant counts at once.
     * A final denial is logged (at most once a second, with a count of the others) and audited with {@code traceId}
     * (the request's W3C trace id, or null); a caller on a hot path calls {@link #check} first and builds it only when
     * that denies.
     */
    public String checkOrRecheck(final PeerIdentity who, final String source, final Action action,
        final String stream, final String traceId)
    {
        final String denial = check(who, action, stream);
        if (denial == null)
        {
            return null;
        }
        final String key = who + "|" + action + "|" + stream;
        final long nowNs = System.nanoTime();
        final Long firstNs = rechecks.get(key);
        if (firstNs == null || nowNs - firstNs > RECHECK_TTL_NS)
        {
            if (rechecks.size() >= RECHECKS_MAX)
            {
                rechecks.clear();
            }
            rechecks.put(key, nowNs);
            requestRefresh();
            return RECHECK;
        }
        if (loadedAtNs - firstNs <= 0)
        {
            requestRefresh();
            return RECHECK;
        }
        denied(who, source, action, stream, denial, traceId);
        return denial;
    }

    /**
     * For requests answered on a thread that may block (admin): null when allowed, else the denial, final on rules
     * read after the request came (read again first when the ones held deny it), logged.
     */
    public String checkAfterRefresh(final PeerIdentity who, final String source, final Action action,
        final String stream, final String traceId)
    {
        if (check(who, action, stream) == null)
        {
            return null;
        }
        refreshNow();
        final String denial = check(who, action, stream);
        if (denial != null)
        {
            denied(who, source, action, stream, denial, traceId);
        }
        return denial;
    }

    /** Whether one principal's grants allow the action. */
    private static boolean allows(final List<Grant> grants, final Action action, final String stream)
    {
        for (final Grant grant : grants)
        {
            if (roleAllows(grant, action, stream))
            {
                return true;
            }
        }
        return false;
    }

    private static boolean roleAllows(final Grant grant, final Action action, final String stream)
    {
        final Role role = grant.role();
        if (role == Role.CLUSTER_ADMIN)
        {
            return true;
        }
        if (AuditRecord.STREAM.equals(stream))
        {
            // The audit trail: nodes alone append to it (check() refuses every client's produce) and only a cluster
            // admin (allowed above) manages it; only auditors read it, whatever producer, consumer or stream-admin
            // patterns say.
            return (action == Action.CONSUME || action == Action.DESCRIBE) && role == Role.AUDITOR
                && grant.covers(stream);
        }
        return switch (action)
        {
            case LIST -> true;
            case PRODUCE_ANYWHERE -> role == Role.PRODUCER;
            case READ_GRANTS -> role == Role.AUDITOR;
            case MANAGE_CLUSTER -> false;
            case DESCRIBE -> stream != null && grant.covers(stream);
            case PRODUCE -> role == Role.PRODUCER && stream != null && grant.covers(stream);
            case CONSUME -> role == Role.CONSUMER && stream != null && grant.covers(stream);
            case MANAGE_STREAM -> role == Role.STREAM_ADMIN && stream != null && grant.covers(stream);
        };
    }

    private static String denial(final PeerIdentity who, final Action action, final String stream)
    {
        final String needed = switch (action)
        {
            case PRODUCE, PRODUCE_ANYWHERE -> Role.PRODUCER.id();
            case CONSUME -> Role.CONSUMER.id();
            case DESCRIBE -> "any role";
            case MANAGE_STREAM -> Role.STREAM_ADMIN.id();
            case LIST -> "some role";
            case READ_GRANTS -> Role.AUDITOR.id() + " or " + Role.CLUSTER_ADMIN.id();
            case MANAGE_CLUSTER -> Role.CLUSTER_ADMIN.id();
        };
        final String target = stream == null ? (action == Action.PRODUCE_ANYWHERE ? "any stream" : "the cluster")
            : "stream '" + stream + "'";
        final String principal = who == null ? "a connection without a certificate" : who.toString();
        return principal + " may not " + action.verb + " " + target + ": it needs " + needed
            + (stream == null ? "" : " on it") + " (access denied; a cluster admin grants roles with 'tributary acl "
            + "grant --principal " + principal + " --role ROLE --stream PATTERN')";
    }

    /** Where final denials are recorded (the audit trail), besides the log. */
    public void audit(final AuditSink sink)
    {
        this.audit = sink;
    }

    /** The sink of the audit trail (nothing when security is off). */
    public AuditSink auditSink()
    {
        return audit;
    }

    private void denied(final PeerIdentity who, final String source, final Action action, final String stream,
        final String denial, final String traceId)
    {
        logDenial(denial);
        audit.record(who, source, action.name().toLowerCase(Locale.ROOT), stream, "denied: " + denial, traceId);
    }

    private void logDenial(final String denial)
    {
        final long nowNs = System.nanoTime();
        final long last = lastDenialLogNs.get();
        if (nowNs - last >= DENIAL_LOG_INTERVAL_NS && lastDenialLogNs.compareAndSet(last, nowNs))
        {
            final long others = denialsNotLogged.getAndSet(0);
            LOG.warn("denied: {}{}", denial, others == 0 ? "" : " (and " + others + " other denials since the last "
                + "logged)");
        }
        else
        {
            denialsNotLogged.incrementAndGet();
        }
    }
}
