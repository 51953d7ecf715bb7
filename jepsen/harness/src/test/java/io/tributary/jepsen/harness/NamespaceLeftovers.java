package io.tributary.jepsen.harness;

import java.util.ArrayList;
import java.util.List;

/** The namespaces and links this JVM's harness created that still exist (there should be none after a run). */
final class NamespaceLeftovers
{
    private NamespaceLeftovers()
    {
    }

    static List<String> ours()
    {
        final String prefix = "tj" + ProcessHandle.current().pid();
        final List<String> left = new ArrayList<>();
        for (final String line : (Shell.tryRun("ip", "netns", "list").output() + "\n"
            + Shell.tryRun("ip", "-o", "link", "show")
            .output()).split("\n"))
        {
            if (line.contains(prefix + "-") || line.contains(" " + prefix + "b") || line.contains(" " + prefix + "h"))
            {
                left.add(line.strip());
            }
        }
        return left;
    }
}
