package io.tributary.jepsen.harness.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.jepsen.checker.CheckResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RegisterCheckerTest
{
    @TempDir
    Path dir;

    private RegisterCheckResult check(final TestHistory history) throws IOException
    {
        return new RegisterChecker(Duration.ofSeconds(10)).check(history.read(dir), dir);
    }

    /** k1: written, read back; k2: created by a cas from nil, a cas that fails its compare, read. */
    private static TestHistory twoKeys()
    {
        return new TestHistory()
            .write(0, "k1", 1, 0, 10)
            .readRegister(1, "k1", 1L, 20, 30)
            .readRegister(2, "k2", null, 0, 5)
            .cas(3, "k2", null, 7, 10, "ok", null, 20)
            .cas(4, "k2", 3L, 8, 25, "fail", RegisterChecker.CAS_FAILED, 30)
            .write(5, "k1", 2, 40, 50)
            .op(6, "write", "k1", 3L, 55, "info", null, "timed-out", 60)
            .readRegister(7, "k2", 7L, 40, 45);
    }

    @Test
    void aLinearizableHistoryIsValidPerKey() throws IOException
    {
        RegisterCheckResult result = check(twoKeys().readRegister(1, "k1", 3L, 70, 80));
        assertThat(result.verdict()).as(result.anomalies().toString()).isEqualTo(Verdict.VALID);
        assertThat(result.keys()).containsEntry("k1", CheckResult.OK).containsEntry("k2", CheckResult.OK);
        assertThat(result.reports()).isEmpty();
        try (var files = Files.list(dir))
        {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("history.jsonl");
        }
    }

    @Test
    void aStaleReadMakesItsKeyInvalidAndWritesItsReport() throws IOException
    {
        // k2 held 7 from 20 ms; a read from 60 ms sees nil again.
        RegisterCheckResult result = check(twoKeys().readRegister(8, "k2", null, 60, 70));
        assertThat(result.verdict()).isEqualTo(Verdict.INVALID);
        assertThat(result.keys()).containsEntry("k1", CheckResult.OK).containsEntry("k2", CheckResult.ILLEGAL);
        assertThat(result.reports()).containsOnly(Map.entry("k2", "linearizability-k2.html"));
        Path report = dir.resolve("linearizability-k2.html");
        assertThat(report).exists();
        assertThat(Files.readString(report)).contains("<html").contains("register k2");
        assertThat(result.anomalies()).singleElement().asString().startsWith("key k2: not linearizable")
            .contains("see linearizability-k2.html");
        CheckerReport summary = result.report();
        assertThat(summary.verdict()).isEqualTo(Verdict.INVALID);
        assertThat(summary.counts()).containsEntry("illegalKeys", 1L).containsEntry("keys", 2L);
    }

    @Test
    void aCasThatFailedForAnotherReasonDidNotHappen() throws IOException
    {
        // Rejected before it ran: left out. Were it a failed compare, the register (holding 1) could not
        // have failed cas(1, 2).
        TestHistory history = new TestHistory()
            .write(0, "k1", 1, 0, 10)
            .cas(1, "k1", 1L, 2, 20, "fail", "rejected: not leader", 30)
            .readRegister(2, "k1", 1L, 40, 50);
        RegisterCheckResult result = check(history);
        assertThat(result.verdict()).as(result.anomalies().toString()).isEqualTo(Verdict.VALID);
        assertThat(result.leftOut()).isEqualTo(1);
        assertThat(result.operations().get("cas")).containsEntry("fail", 1L);
    }

    @Test
    void aCasFailedCompareIsCheckedAsOne() throws IOException
    {
        TestHistory history = new TestHistory()
            .write(0, "k1", 1, 0, 10)
            .cas(1, "k1", 1L, 2, 20, "fail", RegisterChecker.CAS_FAILED, 30)
            .readRegister(2, "k1", 1L, 40, 50);
        RegisterCheckResult result = check(history);
        assertThat(result.verdict()).isEqualTo(Verdict.INVALID);
        assertThat(result.leftOut()).isZero();
    }

    @Test
    void anIndeterminateCasMayHaveTakenEffect() throws IOException
    {
        TestHistory history = new TestHistory()
            .write(0, "k1", 1, 0, 10)
            .cas(1, "k1", 1L, 2, 20, "info", "timed-out", 30)
            .readRegister(2, "k1", 2L, 40, 50)
            .readRegister(3, "k1", 2L, 60, 70);
        assertThat(check(history).verdict()).isEqualTo(Verdict.VALID);
    }
}
