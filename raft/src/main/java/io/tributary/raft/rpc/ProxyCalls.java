package io.tributary.raft.rpc;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * What the dynamic proxies in front of Ratis's server and its RPC ({@link GatedRaftServer},
 * {@link NettyReadIndexRedirect}) share.
 */
final class ProxyCalls
{
    private ProxyCalls()
    {
    }

    /** Calls {@code method} on {@code target}; what the target throws is thrown as itself, not wrapped. */
    static Object forward(final Object target, final Method method, final Object[] args) throws Throwable
    {
        try
        {
            return method.invoke(target, args);
        }
        catch (final InvocationTargetException e)
        {
            throw e.getCause();
        }
    }
}
