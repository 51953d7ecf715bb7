package io.tributary.jepsen.checker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HistoryTest
{

    @Test
    void eventsAreInTimeOrderWithCallsFirstOnEqualTimes()
    {
        List<Operation<String, String>> ops = List.of(
            new Operation<>(0, "a", 0, "A", 5),
            new Operation<>(1, "b", 5, "B", 6),
            Operation.indeterminate(2, "c", 1, "?"));
        List<Event<String, String>> events = History.toEvents(ops);
        assertThat(events).containsExactly(
            Event.call(0, 0, "a"),
            Event.call(2, 2, "c"),
            Event.call(1, 1, "b"),
            Event.ret(0, 0, "A"),
            Event.ret(1, 1, "B"),
            Event.ret(2, 2, "?"));
    }

    @Test
    void operationsTakeEventPositionsAsTimes()
    {
        List<Event<String, String>> events = List.of(Event.call(4, 10, "a"), Event.call(5, 20, "b"),
            Event.ret(5, 20, "B"), Event.ret(4, 10, "A"));
        assertThat(History.toOperations(events)).containsExactly(
            new Operation<>(4, "a", 0, "A", 3),
            new Operation<>(5, "b", 1, "B", 2));
    }

    @Test
    void eventsThatDoNotPairUpAreRejectedWithTheirPositions()
    {
        assertThatThrownBy(() -> History.toOperations(List.of(Event.<String, String>ret(0, 1, "A"))))
            .hasMessageContaining("event 0: return of id 1 comes before any call");
        assertThatThrownBy(() -> History.toOperations(List.of(Event.call(0, 1, "a"), Event.call(0, 1, "b"))))
            .hasMessageContaining("event 1: id 1 is called a second time");
        assertThatThrownBy(() -> History.toOperations(List.of(Event.call(0, 1, "a"), Event.ret(0, 1, "A"),
            Event.<String, String>ret(0, 1, "A"))))
            .hasMessageContaining("event 2: return of id 1 is its second return");
        assertThatThrownBy(() -> History.toOperations(List.of(Event.<String, String>call(0, 7, "a"))))
            .hasMessageContaining("1 call(s) never return, e.g. id 7 called at event 0");
    }

    @Test
    void partitionsByKeyKeepOrderAndSendReturnsWithTheirCalls()
    {
        List<Event<String, String>> events = List.of(Event.call(0, 1, "k1"), Event.call(1, 2, "k2"),
            Event.ret(0, 1, "A"), Event.ret(1, 2, "B"), Event.call(0, 3, "k1"), Event.ret(0, 3, "C"));
        List<List<Event<String, String>>> parts = Partitions.eventsByKey(events, input -> input);
        assertThat(parts).containsExactly(
            List.of(events.get(0), events.get(2), events.get(4), events.get(5)),
            List.of(events.get(1), events.get(3)));
        assertThatThrownBy(() -> Partitions.eventsByKey(List.of(Event.<String, String>ret(0, 9, "x")), input -> input))
            .hasMessageContaining("return of id 9 (client 0) comes before its call");
    }
}
