package io.tributary.raft.rpc;

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
        NettyUtils.shutdownGracefully(group);
    }
}
