package io.tributary.jepsen.harness.check;

/**
 * A fault the nemesis injected, from its "start" record to the matching "stop" (same fault and detail).
 * Instantaneous faults (a leader transfer, a membership step) have start and stop close together.
 *
 * @param fault kill, pause, partition, loss, disk, membership, transfer, ...
 * @param detail free text from the harness, such as "isolate n3"
 * @param startNs the start record's time (history clock)
 * @param stopNs the stop record's time; the end of the history if {@code stopped} is false
 * @param stopped false if the history ends without a stop: the fault was still on at the end
 */
public record NemesisInterval(String fault, String detail, long startNs, long stopNs, boolean stopped)
{

    public NemesisInterval
    {
        if (stopNs < startNs)
        {
            throw new IllegalArgumentException("nemesis " + fault + " (" + detail + ") stops at " + stopNs
                + " ns, before its start at " + startNs + " ns");
        }
    }
}
