package io.tributary.bench.kafka;

import io.tributary.bench.compare.MachineLoad;
import io.tributary.bench.compare.RunSummary;
import java.nio.file.Path;


/**
 * One child run: where its files are, its summary.json (null if it failed), why it failed (null
 * if it did not), and the machine's load meanwhile.
 */
record RunResult(SystemConfiguration configuration, Experiment experiment, int run, Path dir, RunSummary summary,
    String error, MachineLoad.Sample load, double seconds)
{
    boolean ok()
    {
        return error == null && summary != null;
    }
}
