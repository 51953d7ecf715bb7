package io.tributary.protocol.aeron;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A process's client endpoints, shared by reference count: every client of the same media
 * driver that answers from the same host uses one endpoint (one UDP subscription, one set of
 * publications to the nodes), however many producers, consumers or Raft clients the process
 * opens. Each endpoint is one more socket the network thread polls every turn, and one more
 * port; sharing keeps a process at one. Endpoints route responses by correlation id, so
 * sharing is safe. Thread-safe.
 *
 * @param <E> the endpoint type.
 */
public final class SharedClientEndpoints<E extends AutoCloseable>
{
    private final Map<String, Entry<E>> byKey = new HashMap<>();

    private static final class Entry<E>
    {
        final E endpoint;
        int users;

        Entry(final E endpoint)
        {
            this.endpoint = endpoint;
        }
    }

    /** The endpoint for this driver and reply host, made by {@code create} when there is none. */
    public E acquire(final EmbeddedMediaDriver driver, final String replyHost, final Supplier<E> create)
    {
        return acquire(driver, replyHost, "", create);
    }

    /**
     * As {@link #acquire(EmbeddedMediaDriver, String, Supplier)}, kept apart by {@code security} (the TLS settings'
     * text): clients of one process with different certificates never share an endpoint.
     */
    public synchronized E acquire(final EmbeddedMediaDriver driver, final String replyHost, final String security,
        final Supplier<E> create)
    {
        final String key = driver.aeronDirectory() + "|" + replyHost + "|" + security;
        Entry<E> entry = byKey.get(key);
        if (entry == null)
        {
            entry = new Entry<>(create.get());
            byKey.put(key, entry);
        }
        entry.users++;
        return entry.endpoint;
    }

    /** Gives the endpoint back; the last user closes it. */
    public synchronized void release(final E endpoint) throws Exception
    {
        for (final Map.Entry<String, Entry<E>> entry : byKey.entrySet())
        {
            if (entry.getValue().endpoint == endpoint)
            {
                if (--entry.getValue().users == 0)
                {
                    byKey.remove(entry.getKey());
                    endpoint.close();
                }
                return;
            }
        }
    }
}
