package io.tributary.jepsen.visual;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tributary.jepsen.checker.Analysis;
import io.tributary.jepsen.checker.CheckOptions;
import io.tributary.jepsen.checker.Checker;
import io.tributary.jepsen.checker.Operation;
import io.tributary.jepsen.internal.Json;
import io.tributary.jepsen.models.KvModel;
import io.tributary.jepsen.models.RegisterModel;
import io.tributary.jepsen.models.RegisterModel.Input;
import io.tributary.jepsen.models.RegisterModel.Output;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HtmlReportTest
{
    private static final Checker EXPLAINING = new Checker(CheckOptions.defaults().withExplain(true));

    private static Analysis<Input, Output> staleRead()
    {
        return EXPLAINING.check(new RegisterModel(), List.of(
            new Operation<>(0, Input.write(1L), 0, Output.ok(), 10),
            new Operation<>(1, Input.read(), 2, Output.read(1L), 3),
            new Operation<>(1, Input.read(), 4, Output.read(null), 5),
            Operation.indeterminate(2, Input.write(2L), 6, Output.unknown())));
    }

    /** The data the page renders, parsed back from the page. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> dataOf(final String html)
    {
        String start = "const DATA = ";
        int from = html.indexOf(start) + start.length();
        int to = html.indexOf(";\n(function", from);
        assertThat(from).isGreaterThan(start.length());
        assertThat(to).isGreaterThan(from);
        return (Map<String, Object>) Json.parse(html.substring(from, to));
    }

    @Test
    void isOneSelfContainedPage()
    {
        String html = HtmlReport.render(staleRead(), "stale <read> & co");
        assertThat(html).startsWith("<!DOCTYPE html>").contains("<title>stale &lt;read&gt; &amp; co</title>")
            .contains("<style>").contains("<script>");
        assertThat(html).doesNotContain("http://", "https://", "<link", "src=", "@import", "TRIBUTARY_DATA",
            "TRIBUTARY_TITLE");
    }

    @Test
    @SuppressWarnings("unchecked")
    void carriesTheTimelineTheLinearizationAndThePointOfFailure()
    {
        Map<String, Object> data = dataOf(HtmlReport.render(staleRead(), "t"));
        assertThat(data.get("result")).isEqualTo("ILLEGAL");
        List<Map<String, Object>> partitions = (List<Map<String, Object>>) data.get("partitions");
        assertThat(partitions).hasSize(1);
        Map<String, Object> partition = partitions.get(0);
        List<Map<String, Object>> ops = (List<Map<String, Object>>) partition.get("ops");
        assertThat(ops).extracting(op -> op.get("d")).containsExactly("write(1)", "read() -> 1", "read() -> nil",
            "write(2) -> unknown");
        assertThat(ops).extracting(op -> op.get("c")).containsExactly(0L, 1L, 1L, 2L);
        assertThat(ops.get(1)).containsEntry("s", 1L).containsEntry("e", 2L).containsEntry("st", "2");
        assertThat(ops.get(3)).containsEntry("e", null).containsEntry("et", "never (indeterminate)");
        List<String> states = (List<String>) data.get("states");
        List<Map<String, Object>> lins = (List<Map<String, Object>>) partition.get("lins");
        assertThat(lins.get(0).get("ops")).isEqualTo(List.of(0L, 1L));
        assertThat(((List<Long>) lins.get(0).get("after")).stream().map(i -> states.get(i.intValue())))
            .containsExactly("1", "1");
        Map<String, Object> failure = ((List<Map<String, Object>>) partition.get("failures")).get(0);
        assertThat(failure).containsEntry("deadline", 2L).containsEntry("lin", 0L);
        assertThat(states.get(((Long) failure.get("state")).intValue())).isEqualTo("1");
        assertThat((List<Map<String, Object>>) failure.get("candidates")).extracting(c -> c.get("op"))
            .containsExactly(2L);
    }

    @Test
    @SuppressWarnings("unchecked")
    void showsEveryPartition()
    {
        Analysis<KvModel.Input, KvModel.Output> analysis = EXPLAINING.check(new KvModel(), List.of(
            new Operation<>(0, KvModel.Input.put("a", "x"), 0, KvModel.Output.ok(), 1),
            new Operation<>(1, KvModel.Input.get("b"), 0, KvModel.Output.got(""), 1),
            new Operation<>(1, KvModel.Input.get("a"), 2, KvModel.Output.got("x"), 3)));
        Map<String, Object> data = dataOf(HtmlReport.render(analysis, "kv"));
        assertThat(data.get("result")).isEqualTo("OK");
        assertThat((List<Map<String, Object>>) data.get("partitions")).extracting(p -> ((List<?>) p.get("ops")).size())
            .containsExactly(2, 1);
    }

    @Test
    void operationTextCannotBreakOutOfTheScript()
    {
        Analysis<Input, Output> analysis = EXPLAINING.check(new RegisterModel(), List.of(
            new Operation<>(0, Input.write("</script><script>alert(1)</script>"), 0, Output.ok(), 1)));
        String html = HtmlReport.render(analysis, "x");
        assertThat(html).doesNotContain("<script>alert(1)");
        assertThat(dataOf(html).toString()).contains("</script><script>alert(1)</script>");
    }

    @Test
    void writesAFileAndRefusesAnalysesWithoutExplanations(@TempDir final Path dir) throws Exception
    {
        Path file = dir.resolve("report.html");
        HtmlReport.write(staleRead(), "t", file);
        assertThat(Files.readString(file)).contains("point of failure");
        Analysis<Input, Output> bare = new Checker(CheckOptions.defaults()).check(new RegisterModel(), List.of());
        assertThatThrownBy(() -> HtmlReport.render(bare, "t")).hasMessageContaining("withExplain(true)");
    }
}
