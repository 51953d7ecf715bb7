package io.tributary.bench.compare;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The one reader of summary.json both comparisons use: its numbers, and a clear error for a bad file. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RunSummaryTest
{
    @TempDir
    Path dir;

    @Test
    void readsTheNumbersAndKeepsTheTree() throws IOException
    {
        final Path file = Files.writeString(dir.resolve("summary.json"), "{\"intended\":600000,\"acknowledged\":599000,"
            + "\"failed\":1000,\"unsent\":0,\"recordsPerSecond\":19966.7,\"megabytesPerSecond\":20.4,"
            + "\"produceLatencyUs\":{\"p50\":11500,\"p99\":54500,\"p999\":80000,\"max\":120000},"
            + "\"resources\":{\"cpu\":{\"cpuUsPerRecord\":78.0}}}");

        final RunSummary summary = RunSummary.read(file);
        assertThat(summary.acknowledged()).isEqualTo(599_000);
        assertThat(summary.failed()).isEqualTo(1_000);
        assertThat(summary.recordsPerSecond()).isEqualTo(19_966.7);
        assertThat(summary.p99Us()).isEqualTo(54_500);
        assertThat(summary.maxUs()).isEqualTo(120_000);
        assertThat(summary.json().at("/resources/cpu/cpuUsPerRecord").asDouble()).isEqualTo(78.0);
    }

    @Test
    void aMissingFileABrokenOneAndAMissingNumberSayWhichAndWhat() throws IOException
    {
        assertThatThrownBy(() -> RunSummary.read(dir.resolve("none.json")))
            .isInstanceOf(IOException.class).hasMessageContaining("without writing").hasMessageContaining("none.json");
        final Path broken = Files.writeString(dir.resolve("broken.json"), "{\"intended\":");
        assertThatThrownBy(() -> RunSummary.read(broken))
            .isInstanceOf(IOException.class).hasMessageContaining("broken.json is not JSON");
        final Path other = Files.writeString(dir.resolve("other.json"), "{\"intended\":1}");
        assertThatThrownBy(() -> RunSummary.read(other))
            .isInstanceOf(IOException.class).hasMessageContaining("has no produceLatencyUs");
        // A NaN is written as null: not a number a table can use.
        final Path nan = Files.writeString(dir.resolve("nan.json"), "{\"intended\":1,\"acknowledged\":1,\"failed\":0,"
            + "\"unsent\":0,\"recordsPerSecond\":null,\"megabytesPerSecond\":1.0,"
            + "\"produceLatencyUs\":{\"p50\":1,\"p99\":2,\"p999\":3,\"max\":4}}");
        assertThatThrownBy(() -> RunSummary.read(nan))
            .isInstanceOf(IOException.class).hasMessageContaining("has no number 'recordsPerSecond'");
    }
}
