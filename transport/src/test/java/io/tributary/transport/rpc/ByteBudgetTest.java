package io.tributary.transport.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Issue #14, point 6: a server's queued requests are bounded in bytes, not only in count. */
class ByteBudgetTest
{
    @Test
    void requestsBeyondTheBudgetAreRefusedUntilQueuedOnesRunAndAnOversizedOneRunsAlone()
    {
        final ByteBudget budget = new ByteBudget(1_000);
        assertThat(budget.tryAcquire(600)).isTrue();
        assertThat(budget.tryAcquire(300)).isTrue();
        assertThat(budget.tryAcquire(200)).as("900 queued + 200 > 1,000").isFalse();
        assertThat(budget.queuedBytes()).isEqualTo(900);
        budget.release(600);
        assertThat(budget.tryAcquire(200)).isTrue();
        budget.release(300);
        budget.release(200);
        assertThat(budget.queuedBytes()).isZero();
        assertThat(budget.tryAcquire(5_000)).as("larger than the budget, taken when nothing else is queued").isTrue();
        assertThat(budget.tryAcquire(1)).as("nothing more while it is queued").isFalse();
        budget.release(5_000);
        assertThat(budget.tryAcquire(1)).isTrue();
    }
}
