package io.tributary.protocol;

/**
 * The exit codes of every Tributary process and command, in one place: the launcher's subcommands, a node process,
 * the load generator and the Kafka comparison's children (which tell their parent a refused command line from a
 * failed run by these). sysexits.h values where one fits. The linearizability checker (jepsen/checker) keeps its own
 * codes: it depends on nothing of Tributary.
 */
public final class ExitCodes
{
    /** Done, and what was asked for held. */
    public static final int OK = 0;
    /** The command ran and failed (an execution error, a benchmark that could not run). */
    public static final int FAILED = 1;
    /** A node's configuration is missing or invalid; the message on stderr says which setting. */
    public static final int NODE_BAD_CONFIG = 2;
    /** A node's transport closed itself after a stall: the process exits and is restarted as after a crash. */
    public static final int NODE_TRANSPORT_CLOSED = 3;
    /** A usage error (unknown option, bad value), sysexits' EX_USAGE: every retry with the same line fails too. */
    public static final int USAGE = 64;

    private ExitCodes()
    {
    }
}
