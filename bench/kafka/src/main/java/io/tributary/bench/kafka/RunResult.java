package io.tributary.bench.kafka;

import io.tributary.bench.compare.MachineLoad;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One child run: where its files are, its summary.json (null if it failed), why it failed (null
 * if it did not), and the machine's load meanwhile.
 */
record RunResult(SystemConfiguration configuration, Experiment experiment, int run, Path dir, JsonNode summary,
    String error, MachineLoad.Sample load, double seconds)
{
    boolean ok()
    {
        return error == null && summary != null;
    }
}
