package io.tributary.raft;

import java.util.List;

/**
 * The transports every cluster test runs on, with the same assertions (Ratis's pattern: RaftBasicTests run by
 * TestRaftWithGrpc and TestRaftWithNetty). {@code -Dtributary.transports=grpc} narrows a local run to some of them.
 */
public final class Transports
{
    private static final List<String> ALL = List.of("aeron", "grpc", "netty");

    private Transports()
    {
    }

    public static List<String> all()
    {
        final String only = System.getProperty("tributary.transports", "").trim();
        return only.isEmpty() ? ALL : List.of(only.split(","));
    }
}
