package io.tributary.bench.compare;

import picocli.CommandLine.Option;

/**
 * The options both comparisons share ({@code bench compare-transports} and {@code bench compare-kafka}), as a
 * picocli mixin: what each run sends, how many runs, the seeds, the launcher, a dry run. Each command keeps its own
 * measured time and warm-up (their defaults differ: compare-kafka's runs are longer) and its own folders.
 */
public final class ComparisonOptions
{
    @Option(names = "--size", defaultValue = "1024", description = "Value bytes per record (default ${DEFAULT-VALUE}).")
    public int sizeBytes;

    @Option(names = "--shards", defaultValue = "3", description =
        "Shards of the stream, and Kafka partitions (default ${DEFAULT-VALUE}).")
    public int shards;

    @Option(names = "--runs", defaultValue = "3", description =
        "Runs per system or transport and experiment; the table shows the median (default ${DEFAULT-VALUE}).")
    public int runs;

    @Option(names = "--seed", defaultValue = "1", description =
        "Key-choice seed of run 1; run i uses seed + i - 1, the same for every system (default ${DEFAULT-VALUE}).")
    public long seed;

    @Option(names = "--no-docs", description =
        "Do not touch --docs (the table is still printed and written to the results folder).")
    public boolean noDocs;

    @Option(names = "--tributary-command", description =
        "The command that runs Tributary's bench (default <repository>/bin/tributary); split at spaces.")
    public String tributaryCommand;

    @Option(names = "--dry-run", description = "Print the runs' command lines and stop.")
    public boolean dryRun;

    /**
     * Checks the shared values.
     *
     * @throws IllegalArgumentException naming the option and the value when one is out of range.
     */
    public void validate()
    {
        if (runs < 1 || runs > 20)
        {
            throw new IllegalArgumentException("--runs must be in [1, 20], was " + runs);
        }
        if (sizeBytes < 0 || shards < 1)
        {
            throw new IllegalArgumentException("--shards must be >= 1 and --size >= 0; were " + shards + ", "
                + sizeBytes);
        }
    }
}
