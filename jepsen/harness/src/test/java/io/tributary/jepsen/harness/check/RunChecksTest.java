package io.tributary.jepsen.harness.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.jepsen.internal.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RunChecksTest
{
    @TempDir
    Path dir;

    private static Map<String, Object> runInfo()
    {
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("seed", 42L);
        run.put("nodes", 3L);
        return run;
    }

    /** A log run with a partition from 1 s to 2.5 s and a leader transfer at 3 s; a follower lags. */
    private static TestHistory logRun()
    {
        return new TestHistory()
            .appendOk(0, 1, 10, 0, 0, 10)
            .nemesis("start", "partition", "isolate n3", 1000)
            .appendOk(1, 1, 11, 1, 1100, 1900)
            .appendInfo(2, 1, 12, 1200, 2400)
            .appendFail(3, 1, 13, 1300, 1400)
            .nemesis("stop", "partition", "isolate n3", 2500)
            .readToEnd(4, 1, "follower", 0, List.of(10L), 2600, 2700)
            .nemesis("start", "transfer", "leader to n2", 3000)
            .nemesis("stop", "transfer", "leader to n2", 3000)
            .finalRead(9, 1, List.of(10L, 11L), 4000, 4100);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> results(final Path outDir) throws IOException
    {
        return (Map<String, Object>) Json.parse(Files.readString(outDir.resolve(RunChecks.RESULTS_FILE)).trim());
    }

    @Test
    @SuppressWarnings("unchecked")
    void aLogRunWritesResultsThatParseBack() throws IOException
    {
        Path out = dir.resolve("out");
        RunVerdict verdict = RunChecks.checkAndWrite(out, logRun().writeTo(dir), "log", runInfo(),
            Duration.ofSeconds(10));
        assertThat(verdict.valid()).as(verdict.summary()).isTrue();
        assertThat(verdict.verdict()).isEqualTo("valid");
        assertThat(verdict.summary()).contains("checker log: valid", "staleFollower: process 4", "verdict: valid",
            "seed 42");

        Map<String, Object> results = results(out);
        assertThat(results).containsEntry("workload", "log").containsEntry("seed", 42L).containsEntry("valid", true)
            .containsEntry("verdict", "valid");
        Map<String, Object> log = (Map<String, Object>) ((Map<String, Object>) results.get("checkers")).get("log");
        assertThat(log).containsEntry("valid", true).containsEntry("verdict", "valid").containsKey("details");
        Map<String, Object> counts = (Map<String, Object>) results.get("counts");
        assertThat(counts).containsEntry("ok", 4L).containsEntry("fail", 1L).containsEntry("info", 1L)
            .containsEntry("lost", 0L).containsEntry("duplicated", 0L).containsEntry("reordered", 0L)
            .containsEntry("stale", 0L).containsEntry("staleFollower", 1L);
        List<Object> nemesis = (List<Object>) results.get("nemesis");
        assertThat(nemesis).hasSize(2);
        assertThat((Map<String, Object>) nemesis.get(0)).containsEntry("fault", "partition")
            .containsEntry("detail", "isolate n3").containsEntry("startS", 1.0).containsEntry("stopS", 2.5);
        assertThat((Map<String, Object>) nemesis.get(1)).containsEntry("fault", "transfer")
            .containsEntry("startS", 3.0).containsEntry("stopS", 3.0);
        assertThat((Map<String, Object>) results.get("run")).containsEntry("nodes", 3L);
        assertThat(out.resolve(RunChecks.TIMELINE_FILE)).exists();
    }

    @Test
    void aLostAppendMakesTheRunInvalid() throws IOException
    {
        TestHistory history = logRun().appendOk(5, 1, 14, 2, 3500, 3600);
        RunVerdict verdict = RunChecks.checkAndWrite(dir.resolve("out"), history.writeTo(dir), "log", runInfo(),
            Duration.ofSeconds(10));
        assertThat(verdict.valid()).isFalse();
        assertThat(verdict.verdict()).isEqualTo("invalid");
        assertThat(verdict.summary()).contains("lost: append 14", "verdict: invalid");
        assertThat(results(dir.resolve("out"))).containsEntry("valid", false).containsEntry("verdict", "invalid");
    }

    @Test
    @SuppressWarnings("unchecked")
    void aRegisterRunNamesTheKeyThatFailsAndWritesItsReport() throws IOException
    {
        TestHistory history = new TestHistory()
            .write(0, "k1", 1, 0, 10)
            .readRegister(1, "k1", 1L, 20, 30)
            .write(2, "k3", 5, 0, 10)
            .readRegister(3, "k3", null, 20, 30);
        Path out = dir.resolve("out");
        RunVerdict verdict = RunChecks.checkAndWrite(out, history.writeTo(dir), "register", runInfo(),
            Duration.ofSeconds(10));
        assertThat(verdict.valid()).isFalse();
        assertThat(verdict.summary()).contains("checker linearizability: invalid", "key k3: not linearizable");
        assertThat(out.resolve("linearizability-k3.html")).exists();
        assertThat(out.resolve("linearizability-k1.html")).doesNotExist();
        Map<String, Object> checker = (Map<String, Object>) ((Map<String, Object>) results(out).get("checkers"))
            .get(RegisterChecker.NAME);
        Map<String, Object> details = (Map<String, Object>) checker.get("details");
        assertThat((Map<String, Object>) details.get("keys")).containsEntry("k1", "OK").containsEntry("k3", "ILLEGAL");
        assertThat((Map<String, Object>) details.get("reports")).containsEntry("k3", "linearizability-k3.html");
    }

    @Test
    void aMalformedHistoryNamesTheFileAndLine() throws IOException
    {
        Path file = logRun().writeTo(dir);
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        lines.set(2, "{\"process\":1,\"type\":\"invoke\",");
        Files.write(file, lines);
        assertThatThrownBy(() -> RunChecks.checkAndWrite(dir.resolve("out"), file, "log", runInfo(), Duration.ZERO))
            .isInstanceOf(IOException.class).hasMessageContaining("history.jsonl:3");
    }

    @Test
    void anUnknownWorkloadIsRefused()
    {
        assertThatThrownBy(() -> RunChecks.checkAndWrite(dir, dir.resolve("none"), "bank", runInfo(), Duration.ZERO))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"bank\"");
    }
}
