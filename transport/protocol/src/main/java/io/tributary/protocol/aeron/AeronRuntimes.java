package io.tributary.protocol.aeron;

import java.util.HashMap;
import java.util.Map;


/**
 * The process's media drivers, shared by reference count: a server RPC and the clients of the
 * same node name use one driver; it closes when the last user releases it.
 */
public final class AeronRuntimes
{
    private static final Map<String, Entry> BY_DIRECTORY = new HashMap<>();

    private static final class Entry
    {
        final EmbeddedMediaDriver driver;
        int users;

        Entry(final EmbeddedMediaDriver driver)
        {
            this.driver = driver;
        }
    }

    private AeronRuntimes()
    {
    }

    public static synchronized EmbeddedMediaDriver acquire(final AeronTransportConfig config)
    {
        final String dir = config.validate().aeronDirectory();
        Entry entry = BY_DIRECTORY.get(dir);
        if (entry == null)
        {
            entry = new Entry(EmbeddedMediaDriver.launch(config));
            BY_DIRECTORY.put(dir, entry);
        }
        entry.users++;
        return entry.driver;
    }

    /**
     * A client shares the driver already running in this process (a node's server RPC, or another
     * client's), so a process runs one driver; it launches its own only when there is none, or
     * when its settings name a node explicitly.
     */
    public static synchronized EmbeddedMediaDriver acquireForClient(final AeronTransportConfig config,
        final boolean nodeNamed)
    {
        if (!nodeNamed && !config.externalDriver() && !BY_DIRECTORY.isEmpty())
        {
            final Entry shared = BY_DIRECTORY.values().iterator().next();
            shared.users++;
            return shared.driver;
        }
        return acquire(config);
    }

    public static synchronized void release(final EmbeddedMediaDriver driver)
    {
        final Entry entry = BY_DIRECTORY.get(driver.aeronDirectory());
        if (entry == null || entry.driver != driver)
        {
            return;
        }
        if (--entry.users == 0)
        {
            BY_DIRECTORY.remove(driver.aeronDirectory());
            driver.close();
        }
    }
}
