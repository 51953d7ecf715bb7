package io.tributary.engine.internal;

import net.openhft.chronicle.core.time.TimeProvider;

/**
 * The wall clock Chronicle names its files by, made never to go back: a jump back of the node's clock
 * (NTP stepping, a VM restored, a restart after running ahead) would otherwise make the appender write
 * into an earlier cycle than records already stored, and the queue reads as damaged when reopened
 * ({@code ClockSkewTest}). While the true clock is behind, appends stay in the newest file; files roll
 * again once it passes. Only the file names depend on this clock: offsets and record timestamps do not.
 */
public final class MonotonicWallClock implements TimeProvider
{
    private final TimeProvider wall;
    private volatile long floorMs;

    public MonotonicWallClock(final TimeProvider wall)
    {
        this.wall = wall;
    }

    /** Never answers earlier than {@code ms} from now on (the start of the newest stored cycle, at open). */
    public void holdAtLeast(final long ms)
    {
        if (ms > floorMs)
        {
            floorMs = ms;
        }
    }

    @Override
    public long currentTimeMillis()
    {
        final long now = wall.currentTimeMillis();
        final long floor = floorMs;
        if (now <= floor)
        {
            return floor;
        }
        // Racy by design: a concurrent caller may store a slightly older time, which only keeps the floor lower.
        floorMs = now;
        return now;
    }

    @Override
    public long currentTimeMicros()
    {
        return currentTimeMillis() * 1_000L;
    }

    @Override
    public long currentTimeNanos()
    {
        return currentTimeMillis() * 1_000_000L;
    }
}
