package io.tributary.protocol.aeron;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.tributary.protocol.frame.FramedPublication;

/**
 * Bounds the publications an endpoint opens only to answer requesters (not to call them): each is
 * a log buffer in the media driver (three terms), and a stream of requests naming new reply-to
 * addresses must not grow them without end. At {@link #MAX} such publications, admitting a new
 * one evicts an old one, a disconnected one if any (its requester is gone); a requester still
 * there gets a new one with its next request. Shares the endpoint's map of publications, whose
 * called addresses are never evicted.
 */
public final class ReplyPublications
{
    public static final int MAX = 256;

    private final Map<String, FramedPublication> publications;
    private final Set<String> replyOnly = ConcurrentHashMap.newKeySet();

    public ReplyPublications(final Map<String, FramedPublication> publications)
    {
        this.publications = publications;
    }

    /** The endpoint calls {@code address}: its publication is no longer only a reply one. */
    public void called(final String address)
    {
        replyOnly.remove(address);
    }

    /**
     * Before opening a publication to answer {@code address}: marks it reply-only if it has none yet and,
     * at {@link #MAX}, evicts and returns one (already removed from the map; the caller forgets its routes
     * through it and closes it), else null. Network thread only.
     */
    public FramedPublication admit(final String address)
    {
        if (publications.containsKey(address))
        {
            return null;
        }
        FramedPublication evicted = null;
        if (replyOnly.size() >= MAX)
        {
            String victim = null;
            for (final String candidate : replyOnly)
            {
                final FramedPublication publication = publications.get(candidate);
                if (victim == null || publication == null || !publication.isConnected())
                {
                    victim = candidate;
                    if (publication == null || !publication.isConnected())
                    {
                        break;
                    }
                }
            }
            replyOnly.remove(victim);
            evicted = publications.remove(victim);
        }
        replyOnly.add(address);
        return evicted;
    }
}
