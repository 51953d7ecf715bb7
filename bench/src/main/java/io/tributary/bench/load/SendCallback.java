package io.tributary.bench.load;

/** Completion of one {@link LoadTarget#send}. */
@FunctionalInterface
public interface SendCallback
{
    /** {@code error} is null on success. */
    void onComplete(long intendedNs, Throwable error);
}
