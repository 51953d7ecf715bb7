package io.tributary.dist;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

import io.tributary.client.Admin;
import io.tributary.protocol.access.Grant;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code tributary acl grant|revoke|list}: roles bound to principals on streams, kept in the metadata quorum and
 * enforced by every node when TLS is on. Run with an admin certificate ({@code --certs DIR --as admin}).
 */
@Command(name = "acl", mixinStandardHelpOptions = true, description = "Grant, revoke or list roles on streams "
    + "(security on). Roles: cluster-admin, stream-admin, producer, consumer, auditor.",
    subcommands = {AclCommand.GrantRole.class, AclCommand.RevokeRole.class, AclCommand.ListGrants.class})
public final class AclCommand implements Runnable
{
    @Spec
    CommandSpec spec;

    @Override
    public void run()
    {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The three values of a grant, as options. */
    static final class GrantOptions
    {
        @Option(names = "--principal", required = true, description = "client:NAME or node:NAME (NAME is the "
            + "certificate's CN).")
        String principal;

        @Option(names = "--role", required = true, description = "cluster-admin, stream-admin, producer, consumer "
            + "or auditor.")
        String role;

        @Option(names = "--stream", defaultValue = "*", description = "A stream name, a prefix ending in * "
            + "(sensors.*), or * for every stream (default ${DEFAULT-VALUE}).")
        String streams;

        Grant grant()
        {
            return Grant.parse(principal, role, streams);
        }
    }

    @Command(name = "grant", mixinStandardHelpOptions = true, description = "Give a principal a role on streams.")
    static final class GrantRole implements Callable<Integer>
    {
        @Mixin
        ClusterOption cluster;

        @Mixin
        GrantOptions options;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception
        {
            final Grant grant = options.grant();
            try (Admin admin = StreamCommand.admin(cluster))
            {
                admin.grant(grant.principal(), grant.role(), grant.streams());
            }
            spec.commandLine().getOut().printf("granted %s%n", grant);
            return 0;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Take a role back (the same three "
        + "values it was granted with).")
    static final class RevokeRole implements Callable<Integer>
    {
        @Mixin
        ClusterOption cluster;

        @Mixin
        GrantOptions options;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception
        {
            final Grant grant = options.grant();
            try (Admin admin = StreamCommand.admin(cluster))
            {
                admin.revoke(grant.principal(), grant.role(), grant.streams());
            }
            spec.commandLine().getOut().printf("revoked %s%n", grant);
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List every grant (cluster-admin or "
        + "auditor).")
    static final class ListGrants implements Callable<Integer>
    {
        @Mixin
        ClusterOption cluster;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception
        {
            final PrintWriter out = spec.commandLine().getOut();
            final List<Grant> grants;
            try (Admin admin = StreamCommand.admin(cluster))
            {
                grants = admin.grants();
            }
            out.printf("%-32s %-14s %s%n", "PRINCIPAL", "ROLE", "STREAMS");
            for (final Grant grant : grants)
            {
                out.printf("%-32s %-14s %s%n", grant.principal(), grant.role().id(), grant.streams());
            }
            return 0;
        }
    }
}
