package io.tributary.bench.load;

import org.agrona.DirectBuffer;

/** A consumer of every shard of the stream, driven by one thread. */
public interface LoadSource extends AutoCloseable
{
    /**
     * Waits up to {@code timeoutMs} for records and hands each value to {@code handler}
     * (the buffer is only valid during the call). Returns the number of records handed over.
     */
    int poll(long timeoutMs, ValueHandler handler) throws Exception;

    @Override
    void close() throws Exception;

    /** Receives one record's value in place. */
    @FunctionalInterface
    interface ValueHandler
    {
        void onValue(DirectBuffer buffer, int offset, int length);
    }
}
