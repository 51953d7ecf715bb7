package io.tributary.bench;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Secondary JMH results, reported as rates per second next to the primary score:
 * {@code records} in records/s, {@code payloadMB} and {@code storedMB} in MB/s (10^6 bytes).
 * Payload is key plus value bytes; stored is whole batches, headers and record framing included.
 * JMH prints all three with the unit "ops/s".
 */
// Every public field here is a counter, constants included (JMH assigns them): keep constants out.
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class Throughput
{
    public long records;
    public double payloadMB;
    public double storedMB;

    @Setup(Level.Iteration)
    public void reset()
    {
        records = 0;
        payloadMB = 0;
        storedMB = 0;
    }
}
