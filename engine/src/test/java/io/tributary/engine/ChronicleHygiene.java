package io.tributary.engine;

import net.openhft.chronicle.core.io.AbstractCloseable;
import net.openhft.chronicle.core.io.AbstractReferenceCounted;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test that leaves a Chronicle queue, appender, tailer or mapped file open: leaks of
 * mapped memory show up here rather than as warnings nobody reads.
 */
public final class ChronicleHygiene implements BeforeEachCallback, AfterEachCallback
{
    @Override
    public void beforeEach(final ExtensionContext context)
    {
        AbstractReferenceCounted.enableReferenceTracing();
        AbstractCloseable.enableCloseableTracing();
    }

    @Override
    public void afterEach(final ExtensionContext context)
    {
        try
        {
            AbstractCloseable.waitForCloseablesToClose(2_000);
            AbstractCloseable.assertCloseablesClosed();
            AbstractReferenceCounted.assertReferencesReleased();
        }
        finally
        {
            AbstractCloseable.disableCloseableTracing();
            AbstractReferenceCounted.disableReferenceTracing();
        }
    }
}
