package io.tributary.engine;

import net.openhft.chronicle.core.time.TimeProvider;

/**
 * A wall clock for tests that moves only when told, forwards or back (Chronicle's SetTimeProvider refuses
 * going back): Chronicle names its files by the cycle of this clock, so tests roll files or skew time with it.
 */
public final class SettableClock implements TimeProvider
{
    public static final long HOUR_MS = 3_600_000L;

    private volatile long nowMs;

    public SettableClock(final long startMs)
    {
        this.nowMs = startMs;
    }

    public void currentTimeMillis(final long ms)
    {
        nowMs = ms;
    }

    public void advanceMillis(final long ms)
    {
        nowMs += ms;
    }

    @Override
    public long currentTimeMillis()
    {
        return nowMs;
    }

    @Override
    public long currentTimeMicros()
    {
        return nowMs * 1_000;
    }

    @Override
    public long currentTimeNanos()
    {
        return nowMs * 1_000_000;
    }
}
