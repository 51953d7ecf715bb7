package io.tributary.jepsen.harness.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TimelineTest
{
    @TempDir
    Path dir;

    private HistoryFile history() throws IOException
    {
        TestHistory history = new TestHistory().nemesis("start", "partition", "isolate n3 <majority>", 0);
        for (int i = 0; i < 50; i++)
        {
            history.appendOk(i % 5, 1, i, i, i * 100, i * 100 + 1 + i);
        }
        return history.nemesis("stop", "partition", "isolate n3 <majority>", 2500)
            .nemesis("start", "kill", "n1", 4000)
            .finalRead(9, 1, List.of(), 5000, 5010)
            .read(dir);
    }

    @Test
    void shadesNemesisIntervalsWithTheirDetailOnHover() throws IOException
    {
        String html = Timeline.render(history(), "log run");
        // The partition spans 0 to 2.5 s of a 6 s axis (1000 px from x=70): x=70, width ~416.
        assertThat(html).contains("<g class=\"nemesis\" data-fault=\"partition\"><rect x=\"70\"")
            .contains("<title>partition: isolate n3 &lt;majority&gt; (0-2.5 s)</title>")
            .contains("data-fault=\"kill\"")
            .contains("<title>kill: n1 (4-5.01 s, never stopped)</title>");
    }

    @Test
    void aStopThatSaysHowItHealedClosesTheFaultItStopped() throws IOException
    {
        HistoryFile history = new TestHistory().nemesis("start", "kill", "kill -9 [n2]", 0)
            .appendOk(0, 1, 1, 0, 100, 200)
            .nemesis("stop", "kill", "restart [n2]", 1500)
            .finalRead(9, 1, List.of(1L), 2000, 2010)
            .read(dir);
        assertThat(history.nemesis()).hasSize(1);
        assertThat(history.nemesis().get(0).detail()).isEqualTo("kill -9 [n2] -> restart [n2]");
        assertThat(history.nemesis().get(0).stopped()).isTrue();
    }

    @Test
    void plotsRatesAndLatenciesWithoutScriptsOrNetwork() throws IOException
    {
        String html = Timeline.render(history(), "log run");
        assertThat(html).startsWith("<!DOCTYPE html>").contains("<svg")
            .contains("class=\"ok\"").contains("class=\"p50\"").contains("class=\"p99\"").contains("class=\"max\"")
            .doesNotContain("<script").doesNotContain("src=").doesNotContain("href=");
        // 10 completions per second in the first 5 seconds.
        assertThat(html).contains(">10<");
    }
}
