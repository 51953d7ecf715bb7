package io.tributary.raft.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The retry delay after failed calls to a follower: Ratis's rpc sleep time, doubling, at most half a heartbeat. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class NotifyingLogAppenderRetryTest
{
    @Test
    void theDelayDoublesForEachFailureInARowUpToItsCap()
    {
        assertThat(NotifyingLogAppender.retryDelayMs(25, 250, 0)).isEqualTo(25);
        assertThat(NotifyingLogAppender.retryDelayMs(25, 250, 1)).isEqualTo(25);
        assertThat(NotifyingLogAppender.retryDelayMs(25, 250, 2)).isEqualTo(50);
        assertThat(NotifyingLogAppender.retryDelayMs(25, 250, 3)).isEqualTo(100);
        assertThat(NotifyingLogAppender.retryDelayMs(25, 250, 4)).isEqualTo(200);
        assertThat(NotifyingLogAppender.retryDelayMs(25, 250, 5)).isEqualTo(250);
        assertThat(NotifyingLogAppender.retryDelayMs(25, 250, 1_000_000)).isEqualTo(250);
    }

    @Test
    void aCapBelowTheFirstDelayNeverShortensIt()
    {
        assertThat(NotifyingLogAppender.retryDelayMs(25, 10, 1)).isEqualTo(25);
        assertThat(NotifyingLogAppender.retryDelayMs(25, 10, 9)).isEqualTo(25);
    }
}
