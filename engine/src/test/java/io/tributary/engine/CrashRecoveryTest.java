package io.tributary.engine;

import io.tributary.format.RecordBatchFlyweight;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * kill -9 during appends: a child JVM appends and reports each offset once append returned;
 * the test kills it with SIGKILL after a random number of acknowledgements (seeded), reopens,
 * and checks that every reported offset is present and intact and that the log ends on a
 * valid batch. Several kill-and-restart rounds per seed on the same log.
 * Replay one seed with -Dtributary.seed=N.
 */
@ExtendWith(ChronicleHygiene.class)
class CrashRecoveryTest
{
    private static final int ROUNDS = 4;
    private static final int ROLLING_ROUNDS = 8;
    private static final int ROLL_EVERY_BATCHES = 10;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1L, 2L, 3L})
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void everyAcknowledgedOffsetSurvivesSigkill(final long defaultSeed) throws Exception
    {
        final long seed = Long.getLong("tributary.seed", defaultSeed);
        System.out.println("CrashRecoveryTest seed " + seed + " (replay with -Dtributary.seed=" + seed + ")");
        final Random random = new Random(seed);
        final Path logDir = dir.resolve("log");
        final Map<Long, String> acknowledged = new HashMap<>();
        for (int run = 0; run < ROUNDS; run++)
        {
            final int killAfterAcks = 1 + random.nextInt(3000);
            runAndKill(logDir, run, killAfterAcks, acknowledged);
            verify(logDir, acknowledged, seed, run);
        }
    }

    /**
     * The same while the child rolls to a new queue file every few batches, so kills land while Chronicle
     * creates a file: before CutQueueFile, a cut file made the next open wait about 80 s and fail.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {11L, 12L})
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void everyAcknowledgedOffsetSurvivesSigkillWhileQueueFilesRoll(final long defaultSeed) throws Exception
    {
        final long seed = Long.getLong("tributary.seed", defaultSeed);
        System.out.println("CrashRecoveryTest rolling seed " + seed + " (replay with -Dtributary.seed=" + seed + ")");
        final Random random = new Random(seed);
        final Path logDir = dir.resolve("log");
        final Map<Long, String> acknowledged = new HashMap<>();
        for (int run = 0; run < ROLLING_ROUNDS; run++)
        {
            // Killed just after the last batch of an hour: the child is then creating the next hour's file.
            runAndKill(logDir, run, ROLL_EVERY_BATCHES * (1 + random.nextInt(30)), acknowledged,
                Integer.toString(ROLL_EVERY_BATCHES));
            verify(logDir, acknowledged, seed, run);
        }
    }

    private static void runAndKill(final Path logDir, final int run, final int killAfterAcks,
        final Map<Long, String> acknowledged, final String... extraArgs) throws Exception
    {
        final String[] args = new String[2 + extraArgs.length];
        args[0] = logDir.toString();
        args[1] = Integer.toString(run);
        System.arraycopy(extraArgs, 0, args, 2, extraArgs.length);
        final Process child = ChildJvm.command(CrashingAppender.class, args)
            .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(),
            StandardCharsets.UTF_8)))
        {
            int acks = 0;
            String line;
            while (acks < killAfterAcks && (line = lines.readLine()) != null)
            {
                if (!line.startsWith("ACK "))
                {
                    continue;
                }
                final String[] parts = line.split(" ");
                final int batchNumber = Integer.parseInt(parts[2]);
                final long baseOffset = Long.parseLong(parts[3]);
                final int records = Integer.parseInt(parts[4]);
                for (int r = 0; r < records; r++)
                {
                    acknowledged.put(baseOffset + r, CrashingAppender.expectedValue(run, batchNumber, r));
                }
                acks++;
            }
            assertThat(acks).as("child died before it was killed; see its stderr").isEqualTo(killAfterAcks);
        }
        finally
        {
            child.destroyForcibly(); // SIGKILL on Linux
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
    }

    private static void verify(final Path logDir, final Map<Long, String> acknowledged, final long seed, final int run)
    {
        try (ShardLog log = ShardLog.open(new ShardLogConfig().directory(logDir)))
        {
            System.out.println("seed " + seed + " run " + run + ": " + log.recoveryReport());
            final long maxAcked = acknowledged.keySet().stream().mapToLong(Long::longValue).max().orElse(-1);
            assertThat(log.lastOffset()).as("seed %d run %d", seed, run).isGreaterThanOrEqualTo(maxAcked);
            final UnsafeBuffer dst = new UnsafeBuffer(new byte[1 << 20]);
            final RecordBatchFlyweight view = new RecordBatchFlyweight();
            int found = 0;
            long next = log.firstOffset();
            while (next < log.nextOffset())
            {
                final int length = log.read(next, dst, 0, 1 << 19);
                for (int at = 0; at < length; at += view.batchLength())
                {
                    view.wrap(dst, at);
                    assertThat(view.baseOffset()).as("offsets are dense").isEqualTo(next);
                    while (view.nextRecord())
                    {
                        final String expected = acknowledged.get(view.record().offset());
                        if (expected != null)
                        {
                            assertThat(view.record().valueAsString())
                                .as("seed %d offset %d", seed, view.record().offset())
                                .isEqualTo(expected);
                            found++;
                        }
                    }
                    next = view.lastOffset() + 1;
                }
            }
            assertThat(found).as("seed %d run %d: every acknowledged offset is present", seed, run)
                .isEqualTo(acknowledged.size());
        }
    }
}
