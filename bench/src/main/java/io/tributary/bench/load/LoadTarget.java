package io.tributary.bench.load;

/**
 * A producer driven by one load thread. {@link #send} may block for back-pressure; it must have
 * copied (or serialized) {@code key} and {@code value} by the time it returns, because the load
 * generator reuses both arrays for the next record.
 */
public interface LoadTarget extends AutoCloseable
{
    /**
     * Sends one record. {@code callback} runs once, on any thread, when the system acknowledged
     * it durably (as configured) or failed; it receives {@code intendedNs} back.
     */
    void send(byte[] key, byte[] value, long intendedNs, SendCallback callback) throws Exception;

    /** Waits until every record sent so far was acknowledged or failed. */
    void flush() throws Exception;

    @Override
    void close() throws Exception;
}
