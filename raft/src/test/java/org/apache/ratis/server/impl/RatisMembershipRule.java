package org.apache.ratis.server.impl;

import java.util.List;

import org.apache.ratis.protocol.RaftPeer;

/**
 * Ratis's own rule for a membership change, asked of Ratis itself: the check
 * {@code RaftServerImpl.setConfigurationAsync} makes before it accepts a new configuration
 * ({@code RaftConfigurationImpl.changeMajority}, package-private, hence this class's package).
 */
public final class RatisMembershipRule
{
    private RatisMembershipRule()
    {
    }

    /** True if a leader whose stable configuration is {@code current} refuses to change it to {@code next}. */
    public static boolean refuses(final List<String> current, final List<String> next)
    {
        final RaftConfigurationImpl configuration = RaftConfigurationImpl.newBuilder()
            .setConf(new PeerConfiguration(peers(current)))
            .build();
        return configuration.changeMajority(peers(next));
    }

    private static List<RaftPeer> peers(final List<String> ids)
    {
        return ids.stream().map(id -> RaftPeer.newBuilder().setId(id).setAddress("127.0.0.1:1").build()).toList();
    }
}
