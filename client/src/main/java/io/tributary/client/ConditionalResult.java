package io.tributary.client;

/**
 * Outcome of {@link Producer#sendConditional}: either the record was appended at
 * {@link #offset()}, or the key's last offset was not the expected one and nothing was stored
 * ({@link #expected()} and {@link #found()}; -1 means "no record with this key").
 */
public record ConditionalResult(boolean appended, int shard, long offset, long expected, long found)
{
    /** Sentinel for the fields that do not apply to an outcome. */
    public static final long NONE = Long.MIN_VALUE;

    public static ConditionalResult appended(final int shard, final long offset)
    {
        return new ConditionalResult(true, shard, offset, NONE, NONE);
    }

    public static ConditionalResult conditionFailed(final int shard, final long expected, final long found)
    {
        return new ConditionalResult(false, shard, NONE, expected, found);
    }

    @Override
    public String toString()
    {
        return appended ? "appended at shard " + shard + " offset " + offset
            : "condition failed on shard " + shard + ": expected last offset " + expected + ", found " + found;
    }
}
