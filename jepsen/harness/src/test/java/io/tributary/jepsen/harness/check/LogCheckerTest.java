package io.tributary.jepsen.harness.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LogCheckerTest
{
    private static final String LIN = "linearizable";
    private static final String FOLLOWER = "follower";

    @TempDir
    Path dir;

    private LogCheckResult check(final TestHistory history) throws IOException
    {
        return new LogChecker().check(history.read(dir));
    }

    /** Appends of 10 and 11 to shard 1 at offsets 0 and 1, each ok before 100 ms. */
    private static TestHistory twoAppends()
    {
        return new TestHistory()
            .appendOk(0, 1, 10, 0, 0, 10)
            .appendOk(1, 1, 11, 1, 5, 20);
    }

    private static void assertOnly(final LogCheckResult result, final String kind, final long count)
    {
        assertThat(result.counts()).containsEntry(kind, count);
        for (final String other : result.counts().keySet())
        {
            if (!other.equals(kind))
            {
                assertThat(result.counts()).as("count of " + other + " in " + result.anomalies())
                    .containsEntry(other, 0L);
            }
        }
    }

    @Test
    void aValidHistoryHasNoAnomalies() throws IOException
    {
        TestHistory history = twoAppends()
            .appendFail(2, 1, 12, 21, 30)
            .appendInfo(3, 1, 13, 22, 40)
            .appendOk(0, 2, 20, 0, 30, 35)
            .readToEnd(1, 1, LIN, 0, List.of(10L, 11L), 25, 26)
            .read(2, 1, FOLLOWER, 1, List.of(11L), null, 31, 32)
            .readToEnd(4, 2, LIN, 0, List.of(20L), 36, 37)
            // The info append took effect: present once, at the end.
            .finalRead(9, 1, List.of(10L, 11L, 13L), 100, 101)
            .finalRead(9, 2, List.of(20L), 102, 103)
            .finalRead(8, 2, List.of(20L), 102, 104);
        LogCheckResult result = check(history);
        assertThat(result.anomalies()).isEmpty();
        assertThat(result.valid()).isTrue();
        assertThat(result.shards()).containsExactly("1", "2");
        assertThat(result.operations().get("append")).containsEntry("ok", 3L).containsEntry("fail", 1L)
            .containsEntry("info", 1L);
        assertThat(result.counts().values()).allMatch(count -> count == 0);
    }

    @Test
    void anAppendThatEndedUnknownMayBeAbsent() throws IOException
    {
        LogCheckResult result = check(twoAppends().appendInfo(3, 1, 13, 22, 40)
            .finalRead(9, 1, List.of(10L, 11L), 100, 101));
        assertThat(result.valid()).as(result.anomalies().toString()).isTrue();
    }

    @Test
    void anAcknowledgedAppendMissingFromTheFinalReadIsLost() throws IOException
    {
        LogCheckResult result = check(twoAppends().appendOk(2, 1, 12, 2, 30, 40)
            .finalRead(9, 1, List.of(10L, 11L), 100, 101));
        assertThat(result.valid()).isFalse();
        assertOnly(result, LogChecker.LOST, 1);
        assertThat(result.anomalies()).singleElement().asString()
            .contains("lost: append 12 to shard 1 by process 2", "acknowledged offset 2", "[0.030-0.040s");
    }

    @Test
    void aValueReadAndThenGoneFromTheFinalReadIsLost() throws IOException
    {
        LogCheckResult result = check(twoAppends().appendInfo(2, 1, 12, 30, 40)
            .readToEnd(3, 1, LIN, 0, List.of(10L, 11L, 12L), 50, 60)
            .finalRead(9, 1, List.of(10L, 11L), 100, 101));
        assertOnly(result, LogChecker.LOST, 1);
        assertThat(result.anomalies().get(0)).contains("saw 12 at offset 2");
    }

    @Test
    void aValueTwiceInTheFinalReadIsDuplicated() throws IOException
    {
        LogCheckResult result = check(twoAppends().finalRead(9, 1, List.of(10L, 11L, 11L), 100, 101));
        assertThat(result.valid()).isFalse();
        assertThat(result.count(LogChecker.DUPLICATED)).isEqualTo(1);
        assertThat(result.anomalies()).anySatisfy(a -> assertThat(a).contains("value 11 is at offsets 1 and 2"));
    }

    @Test
    void anAppendThatEndedUnknownPresentTwiceIsDuplicated() throws IOException
    {
        LogCheckResult result = check(twoAppends().appendInfo(3, 1, 13, 22, 40)
            .finalRead(9, 1, List.of(10L, 11L, 13L, 13L), 100, 101));
        assertOnly(result, LogChecker.DUPLICATED, 1);
        assertThat(result.valid()).isFalse();
    }

    @Test
    void aValueAtTwoOffsetsAcrossReadsIsDuplicated() throws IOException
    {
        // Each read on its own is fine; together they put 13 at offsets 2 and 3.
        LogCheckResult result = check(twoAppends().appendInfo(3, 1, 13, 22, 40)
            .readToEnd(4, 1, LIN, 2, List.of(13L), 50, 51)
            .finalRead(9, 1, List.of(10L, 11L, 14L, 13L), 100, 101));
        assertThat(result.count(LogChecker.DUPLICATED)).isEqualTo(1);
        assertThat(result.valid()).isFalse();
    }

    @Test
    void valuesAtOtherOffsetsThanTheirOksAreReordered() throws IOException
    {
        LogCheckResult result = check(twoAppends().finalRead(9, 1, List.of(11L, 10L), 100, 101));
        assertOnly(result, LogChecker.REORDERED, 2);
        assertThat(result.anomalies().get(0)).contains("append 10", "acknowledged offset 0", "saw 11 at offset 0");
    }

    @Test
    void twoOksWithTheSameOffsetAreReordered() throws IOException
    {
        LogCheckResult result = check(new TestHistory()
            .appendOk(0, 1, 10, 0, 0, 10)
            .appendOk(1, 1, 11, 0, 5, 20)
            .finalRead(9, 1, List.of(10L, 11L), 100, 101));
        assertThat(result.valid()).isFalse();
        // The shared offset, and 11 being at offset 1 rather than the 0 its ok said.
        assertOnly(result, LogChecker.REORDERED, 2);
        assertThat(result.anomalies()).anySatisfy(a -> assertThat(a).contains("two appends were acknowledged offset 0",
            "append 10", "append 11"));
    }

    @Test
    void readsThatDisagreeOnAnOffsetAreReordered() throws IOException
    {
        LogCheckResult result = check(twoAppends().appendInfo(2, 1, 12, 21, 30).appendInfo(3, 1, 13, 21, 30)
            .readToEnd(4, 1, LIN, 2, List.of(12L), 40, 41)
            .finalRead(9, 1, List.of(10L, 11L, 13L), 100, 101));
        // Offset 2 holds 12 for one read and 13 for the other; 12 then vanished.
        assertThat(result.count(LogChecker.REORDERED)).isEqualTo(1);
        assertThat(result.count(LogChecker.LOST)).isEqualTo(1);
        assertThat(result.anomalies()).anySatisfy(a -> assertThat(a).contains("reads disagree on offset 2 of shard 1"));
    }

    @Test
    void aLinearizableReadEndingBeforeAnAcknowledgedOffsetIsStale() throws IOException
    {
        LogCheckResult result = check(twoAppends()
            .readToEnd(3, 1, LIN, 0, List.of(10L), 30, 40)
            .finalRead(9, 1, List.of(10L, 11L), 100, 101));
        assertOnly(result, LogChecker.STALE, 1);
        assertThat(result.valid()).isFalse();
        assertThat(result.anomalies().get(0)).contains("process 3's linearizable read from 0", "end 1",
            "append 11", "at least 2 entries");
    }

    @Test
    void aLinearizableReadEndingBeforeWhatAnEarlierReadSawIsStale() throws IOException
    {
        LogCheckResult result = check(new TestHistory()
            .appendInfo(0, 1, 10, 0, 10)
            .appendInfo(1, 1, 11, 0, 10)
            .readToEnd(2, 1, FOLLOWER, 0, List.of(10L, 11L), 20, 30)
            .readToEnd(3, 1, LIN, 0, List.of(10L), 31, 40)
            .finalRead(9, 1, List.of(10L, 11L), 100, 101));
        assertOnly(result, LogChecker.STALE, 1);
    }

    @Test
    void aReadConcurrentWithTheAppendMayMissIt() throws IOException
    {
        // The ok of 11 comes at 20 ms, after the read was invoked at 15 ms: no claim either way.
        LogCheckResult result = check(twoAppends()
            .readToEnd(3, 1, LIN, 0, List.of(10L), 15, 40)
            .readToEnd(4, 1, LIN, 0, List.of(10L), 20, 40)
            .finalRead(9, 1, List.of(10L, 11L), 100, 101));
        assertThat(result.valid()).as(result.anomalies().toString()).isTrue();
    }

    @Test
    void aLaggingFollowerReadIsCountedButValid() throws IOException
    {
        LogCheckResult result = check(twoAppends()
            .readToEnd(3, 1, FOLLOWER, 0, List.of(10L), 30, 40)
            .finalRead(9, 1, List.of(10L, 11L), 100, 101));
        assertOnly(result, LogChecker.STALE_FOLLOWER, 1);
        assertThat(result.valid()).isTrue();
        assertThat(result.anomalies().get(0)).startsWith("staleFollower: process 3's follower read");
    }

    @Test
    void aProcessWhoseFollowerReadsGoBackwardsIsStale() throws IOException
    {
        // Appends of unknown outcome, so only the process's own reads bound what it may see.
        LogCheckResult result = check(new TestHistory()
            .appendInfo(0, 1, 10, 0, 10)
            .appendInfo(1, 1, 11, 0, 10)
            .readToEnd(3, 1, FOLLOWER, 0, List.of(10L, 11L), 20, 30)
            .readToEnd(3, 1, FOLLOWER, 0, List.of(10L), 31, 40)
            .finalRead(9, 1, List.of(10L, 11L), 100, 101));
        assertOnly(result, LogChecker.STALE, 1);
        assertThat(result.valid()).isFalse();
        assertThat(result.anomalies().get(0)).contains("a follower read went backwards");
    }

    @Test
    void aConsumerReadDoesNotBindTheProcesssLaterFollowerReads() throws IOException
    {
        // The consumer tells the process no applied index, so its follower read may lag what the consumer saw.
        LogCheckResult result = check(new TestHistory()
            .appendInfo(0, 1, 10, 0, 10)
            .appendInfo(1, 1, 11, 0, 10)
            .consumerRead(3, 1, 0, List.of(10L, 11L), 20, 30)
            .readToEnd(3, 1, FOLLOWER, 0, List.of(10L), 31, 40)
            .finalRead(9, 1, List.of(10L, 11L), 100, 101));
        assertThat(result.valid()).as(result.anomalies().toString()).isTrue();
        assertThat(result.count(LogChecker.STALE)).isZero();
    }

    @Test
    void aConsumerReadIsCheckedForWhatItSaw() throws IOException
    {
        LogCheckResult result = check(twoAppends()
            .consumerRead(3, 1, 0, List.of(11L, 10L), 20, 30)
            .finalRead(9, 1, List.of(10L, 11L), 100, 101));
        assertThat(result.valid()).isFalse();
        assertThat(result.count(LogChecker.REORDERED)).isPositive();
    }

    @Test
    void aFollowerReadMustAgreeWithTheFinalRead() throws IOException
    {
        LogCheckResult result = check(twoAppends()
            .read(3, 1, FOLLOWER, 0, List.of(11L), null, 30, 40)
            .finalRead(9, 1, List.of(10L, 11L), 100, 101));
        assertThat(result.valid()).isFalse();
        assertThat(result.count(LogChecker.REORDERED)).isGreaterThanOrEqualTo(1);
        assertThat(result.count(LogChecker.STALE_FOLLOWER)).isZero();
    }

    @Test
    void valuesNeverAppendedOrDefinitelyFailedArePhantoms() throws IOException
    {
        LogCheckResult result = check(twoAppends().appendFail(2, 1, 12, 21, 30)
            .finalRead(9, 1, List.of(10L, 11L, 12L, 99L), 100, 101));
        assertOnly(result, LogChecker.PHANTOM, 2);
        assertThat(result.anomalies()).anySatisfy(a -> assertThat(a).contains("99", "never appended"))
            .anySatisfy(a -> assertThat(a).contains("append 12", "failed (rejected: not leader)"));
    }

    @Test
    void acknowledgedAppendsWithoutAFinalReadAreInvalid() throws IOException
    {
        LogCheckResult result = check(twoAppends().appendOk(0, 2, 20, 0, 30, 35)
            .finalRead(9, 2, List.of(20L), 100, 101));
        assertOnly(result, LogChecker.FINAL_READ, 1);
        assertThat(result.valid()).isFalse();
        assertThat(result.anomalies().get(0)).contains("no final read of shard 1");
    }

    @Test
    void finalReadsMustAgree() throws IOException
    {
        LogCheckResult result = check(twoAppends().appendInfo(2, 1, 12, 21, 30)
            .finalRead(9, 1, List.of(10L, 11L, 12L), 100, 101)
            .finalRead(8, 1, List.of(10L, 11L), 100, 102));
        assertThat(result.count(LogChecker.FINAL_READ)).isEqualTo(1);
        assertThat(result.valid()).isFalse();
        assertThat(result.anomalies()).anySatisfy(a -> assertThat(a).contains("final reads of shard 1 disagree",
            "in length (ends 3 vs 2)"));
    }

    /** Retention deleted offsets 0 and 1: the final reads start at 2. */
    private static TestHistory retainedFromTwo()
    {
        return twoAppends().appendOk(2, 1, 12, 2, 30, 40).appendOk(3, 1, 13, 3, 41, 45)
            .readToEnd(4, 1, LIN, 0, List.of(10L, 11L, 12L), 42, 43);
    }

    @Test
    void withRetentionAppendsBelowTheFinalReadsFirstOffsetAreRetainedAwayNotLost() throws IOException
    {
        LogCheckResult result = new LogChecker(true).check(retainedFromTwo()
            .finalReadFrom(9, 1, 2, List.of(12L, 13L), 100, 101)
            .finalReadFrom(8, 1, 3, List.of(13L), 100, 102).read(dir));
        assertThat(result.valid()).as(result.anomalies().toString()).isTrue();
        assertThat(result.count(LogChecker.RETAINED)).isEqualTo(2);
        assertThat(result.count(LogChecker.LOST)).isZero();
    }

    @Test
    void withRetentionAnAcknowledgedAppendAtOrAboveTheFirstKeptOffsetIsStillLost() throws IOException
    {
        LogCheckResult result = new LogChecker(true).check(retainedFromTwo()
            .finalReadFrom(9, 1, 2, List.of(12L), 100, 101).read(dir));
        assertThat(result.valid()).isFalse();
        assertThat(result.count(LogChecker.LOST)).isEqualTo(1);
        assertThat(result.anomalies()).anySatisfy(a -> assertThat(a).contains("append 13", "acknowledged offset 3"));
    }

    @Test
    void withRetentionFinalReadsMustAgreeWhereTheyOverlap() throws IOException
    {
        LogCheckResult result = new LogChecker(true).check(retainedFromTwo()
            .finalReadFrom(9, 1, 2, List.of(12L, 13L), 100, 101)
            .finalReadFrom(8, 1, 3, List.of(12L), 100, 102).read(dir));
        assertThat(result.valid()).isFalse();
        assertThat(result.anomalies()).anySatisfy(a -> assertThat(a).contains("final reads of shard 1 disagree",
            "at offset 3 (13 vs 12)"));
    }

    @Test
    void withoutRetentionAFinalReadMustStartAtZero() throws IOException
    {
        LogCheckResult result = check(retainedFromTwo().finalReadFrom(9, 1, 2, List.of(12L, 13L), 100, 101));
        assertThat(result.valid()).isFalse();
        // The read that does not start at 0 is refused as the reference, so the shard has no final read either.
        assertThat(result.count(LogChecker.FINAL_READ)).isEqualTo(2);
        assertThat(result.anomalies()).anySatisfy(a -> assertThat(a).contains("must start at 0"));
    }

    @Test
    void examplesAreCappedAndShareOutTheKinds() throws IOException
    {
        TestHistory history = new TestHistory();
        for (int i = 0; i < 30; i++)
        {
            history.appendOk(i, 1, 100 + i, i, i, i + 1);
        }
        history.readToEnd(99, 1, LIN, 0, List.of(), 50, 51).finalRead(98, 1, List.of(), 100, 101);
        LogCheckResult result = check(history);
        assertThat(result.count(LogChecker.LOST)).isEqualTo(30);
        assertThat(result.anomalies()).hasSize(Anomalies.EXAMPLES_MAX)
            .anySatisfy(a -> assertThat(a).startsWith("stale:"));
    }

    @Test
    void aReadWhoseEndDoesNotMatchItsValuesIsMalformed() throws IOException
    {
        TestHistory history = twoAppends().read(3, 1, LIN, 0, List.of(10L), 5L, 30, 40);
        HistoryFile file = history.read(dir);
        assertThatThrownBy(() -> new LogChecker().check(file)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("history.jsonl:5").hasMessageContaining("\"end\" 5");
    }

    @Test
    void aMalformedLineIsReportedWithFileAndLine() throws IOException
    {
        Path file = twoAppends().writeTo(dir);
        Files.writeString(file, Files.readString(file) + "{\"process\":1,\"type\":\"ok\"\n");
        assertThatThrownBy(() -> HistoryFile.read(file)).isInstanceOf(IOException.class)
            .hasMessageContaining("history.jsonl:5");
    }
}
