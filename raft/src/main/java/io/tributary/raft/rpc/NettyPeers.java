package io.tributary.raft.rpc;

import java.util.concurrent.TimeUnit;

import org.apache.ratis.thirdparty.io.netty.channel.EventLoopGroup;
import org.apache.ratis.util.NettyUtils;
import org.apache.ratis.util.PeerProxyMap;

import io.tributary.protocol.tls.RaftPeerTls;

/**
 * The connections of one owner (a node's server RPC or a Raft client) to its peers, on their own event loops: TLS
 * connections with {@code tls} set, plain ones with it null.
 */
final class NettyPeers extends PeerProxyMap<NettyPeer>
{
    /** How long the event loops may take to finish what is queued once closed. */
    private static final long CLOSE_TIMEOUT_S = 5;

    private final EventLoopGroup group;

    NettyPeers(final String name, final RaftPeerTls tls, final long requestTimeoutMs, final boolean useEpoll)
    {
        this(name, tls, requestTimeoutMs, NettyUtils.newEventLoopGroup(name + (tls == null ? "-netty" : "-tls"), 0,
            useEpoll));
    }

    private NettyPeers(final String name, final RaftPeerTls tls, final long requestTimeoutMs,
        final EventLoopGroup group)
    {
        super(name, peer -> new NettyPeer(peer, tls, group, requestTimeoutMs));
        this.group = group;
    }

    @Override
    public void close()
    {
        super.close();
        // Not waited for, and no quiet period: a Raft client is closed after each of the controller's calls, and
        // Netty's default shutdown (a 2 s quiet period, awaited by NettyUtils) made each close take over 2 s.
        group.shutdownGracefully(0, CLOSE_TIMEOUT_S, TimeUnit.SECONDS);
    }
}
