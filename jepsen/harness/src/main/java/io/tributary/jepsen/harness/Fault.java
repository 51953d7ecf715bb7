package io.tributary.jepsen.harness;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** The kinds of fault the nemesis can inject, by their command-line names. */
public enum Fault
{
    KILL,
    PAUSE,
    PARTITION,
    LOSS,
    DISK,
    MEMBERSHIP,
    TRANSFER,
    /** Random and mutated frames of every message type sent to the nodes' Aeron streams (FrameFuzzer). */
    FUZZ,
    /** Another stream created while the workload runs and deleted at the heal: Raft groups come and go on the nodes. */
    STREAMS,
    /** kill -9 of the metadata quorum's leader (the node running the controller), restarted at the heal. */
    METADATA,
    /**
     * A node restarted with its wall clock minutes off (libfaketime), and restarted with the true clock at the
     * heal, so its wall clock also jumps back or forth.
     */
    SKEW;

    public String label()
    {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether the fault needs network namespaces. */
    boolean needsNetwork()
    {
        return this == PARTITION || this == LOSS;
    }

    /**
     * Parses "kill,pause,partition", "all" or "none".
     *
     * @throws IllegalArgumentException naming the unknown fault and the known ones.
     */
    public static Set<Fault> parse(final String text)
    {
        final Set<Fault> faults = EnumSet.noneOf(Fault.class);
        if (text == null || text.isBlank() || text.strip().equals("none"))
        {
            return faults;
        }
        for (final String part : text.split(","))
        {
            final String name = part.strip().toLowerCase(Locale.ROOT);
            if (name.equals("all"))
            {
                faults.addAll(EnumSet.allOf(Fault.class));
                continue;
            }
            try
            {
                faults.add(Fault.valueOf(name.toUpperCase(Locale.ROOT)));
            }
            catch (final IllegalArgumentException e)
            {
                throw new IllegalArgumentException("unknown nemesis fault '" + part.strip() + "' in --nemesis " + text
                    + "; known: " + names() + ", all, none");
            }
        }
        return faults;
    }

    public static String names()
    {
        final List<String> names = new ArrayList<>();
        for (final Fault fault : values())
        {
            names.add(fault.label());
        }
        return String.join(",", names);
    }
}
