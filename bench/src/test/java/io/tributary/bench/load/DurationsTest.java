package io.tributary.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 1, unit = TimeUnit.MINUTES)
class DurationsTest
{
    @Test
    void everyAcceptedForm()
    {
        assertThat(Durations.parse("500ms", "--x")).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.parse(" 30S ", "--x")).isEqualTo(Duration.ofSeconds(30));
        assertThat(Durations.parse("2m", "--x")).isEqualTo(Duration.ofMinutes(2));
        assertThat(Durations.parse("1h", "--x")).isEqualTo(Duration.ofHours(1));
        assertThat(Durations.parse("45", "--x")).isEqualTo(Duration.ofSeconds(45));
        assertThat(Durations.parse("PT1M30S", "--x")).isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void anythingElseNamesTheOptionAndTheAcceptedForms()
    {
        for (final String bad : new String[] {"", "s", "soon", "5 days", "3x", "ms"})
        {
            assertThatThrownBy(() -> Durations.parse(bad, "--timeout"))
                .hasMessage("--timeout: '" + bad + "' is not a duration; use e.g. 500ms, 30s, 2m or 1h");
        }
    }
}
