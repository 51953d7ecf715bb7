package io.tributary.jepsen.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class OperationPairerTest
{

    private static HistoryRecord r(final int line, final long process, final RecordType type, final String f,
        final Object value, final String error)
    {
        return new HistoryRecord(line, process, type, f, null, value, OptionalLong.empty(), error);
    }

    private static HistoryRecord timed(final int line, final long process, final RecordType type, final long time)
    {
        return new HistoryRecord(line, process, type, "read", null, null, OptionalLong.of(time), null);
    }

    @Test
    void pairsEachInvocationWithTheNextCompletionOfItsProcess() throws Exception
    {
        List<PairedOperation> ops = OperationPairer.pair(List.of(
            r(1, 0, RecordType.INVOKE, "write", 1L, null),
            r(2, 1, RecordType.INVOKE, "read", null, null),
            r(3, 1, RecordType.OK, "read", 1L, null),
            r(4, 0, RecordType.FAIL, "write", 1L, null),
            r(5, 2, RecordType.INVOKE, "read", null, null),
            r(6, 2, RecordType.FAIL, "read", null, "timed-out"),
            r(7, 2, RecordType.INVOKE, "cas", List.of(1L, 2L), null),
            r(8, 3, RecordType.INVOKE, "write", 3L, null),
            r(9, 3, RecordType.INFO, "write", null, "timed-out")), "h");
        assertThat(ops).containsExactly(
            new PairedOperation("h", 0, "write", null, 1L, Completion.FAILED, 1L, 1, 4, 1, 4),
            new PairedOperation("h", 1, "read", null, null, Completion.OK, 1L, 2, 3, 2, 3),
            new PairedOperation("h", 2, "read", null, null, Completion.INDETERMINATE, null, 5, Long.MAX_VALUE, 5, 6),
            new PairedOperation("h", 2, "cas", null, List.of(1L, 2L), Completion.INDETERMINATE, null, 7, Long.MAX_VALUE,
                7, 0),
            new PairedOperation("h", 3, "write", null, 3L, Completion.INDETERMINATE, null, 8, Long.MAX_VALUE, 8, 9));
    }

    @Test
    void usesRecordTimesWhenEveryRecordHasOne() throws Exception
    {
        List<PairedOperation> ops = OperationPairer.pair(List.of(timed(1, 0, RecordType.INVOKE, 100),
            timed(2, 0, RecordType.OK, 100), timed(3, 0, RecordType.INVOKE, 250)), "h");
        assertThat(ops).extracting(PairedOperation::callTime, PairedOperation::returnTime)
            .containsExactly(Tuple.tuple(100L, 100L), Tuple.tuple(250L, Long.MAX_VALUE));
    }

    @Test
    void inconsistentHistoriesAreErrorsWithTheirLines()
    {
        assertThatThrownBy(() -> OperationPairer.pair(List.of(r(1, 0, RecordType.INVOKE, "read", null, null),
            r(2, 0, RecordType.INVOKE, "write", 1L, null)), "h"))
            .isInstanceOf(HistoryFormatException.class)
            .hasMessage("h:2: process 0 invokes :write while its :read from line 1 has not completed; a process runs "
                + "one operation at a time");
        assertThatThrownBy(() -> OperationPairer.pair(List.of(r(3, 5, RecordType.OK, "read", 1L, null)), "h"))
            .hasMessage("h:3: process 5 completes :read (ok) but has no open invocation; expected an invoke first");
        assertThatThrownBy(() -> OperationPairer.pair(List.of(r(1, 0, RecordType.INVOKE, "read", null, null),
            r(2, 0, RecordType.OK, "write", 1L, null)), "h"))
            .hasMessage("h:2: process 0 completes :write but invoked :read at line 1");
        assertThatThrownBy(() -> OperationPairer.pair(List.of(timed(1, 0, RecordType.INVOKE, 100),
            r(2, 0, RecordType.OK, "read", null, null)), "h"))
            .hasMessage("h:2: expected a time, found none though line 1 has one; give every record a time, or none");
        assertThatThrownBy(() -> OperationPairer.pair(List.of(timed(1, 0, RecordType.INVOKE, 100),
            timed(2, 0, RecordType.OK, 99)), "h"))
            .hasMessage("h:2: time 99 is before the previous record's 100; records must be in the order they happened");
        HistoryRecord keyed = new HistoryRecord(1, 0, RecordType.INVOKE, "get", "a", null, OptionalLong.empty(), null);
        HistoryRecord otherKey = new HistoryRecord(2, 0, RecordType.OK, "get", "b", "x", OptionalLong.empty(), null);
        assertThatThrownBy(() -> OperationPairer.pair(List.of(keyed, otherKey), "h"))
            .hasMessage("h:2: process 0 completes key b but invoked key a at line 1");
    }
}
