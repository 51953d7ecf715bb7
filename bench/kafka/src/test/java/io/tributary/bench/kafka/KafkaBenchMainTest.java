package io.tributary.bench.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;

/** The options compare-kafka passes to its Kafka load generator. */
class KafkaBenchMainTest
{
    @Test
    void brokerPidsAreReadInOrderAndNoneByDefault()
    {
        final KafkaBenchMain main = new KafkaBenchMain();
        new CommandLine(main).parseArgs("--broker-pids", "kafka-1=101,kafka-2=202,kafka-3=303");
        assertThat(main.brokerPids).containsExactly(Map.entry("kafka-1", 101L), Map.entry("kafka-2", 202L),
            Map.entry("kafka-3", 303L));

        final KafkaBenchMain none = new KafkaBenchMain();
        new CommandLine(none).parseArgs();
        assertThat(none.brokerPids).isEmpty();
    }

    @Test
    void aBrokerPidThatIsNotANumberIsRefusedWithTheValue()
    {
        assertThatThrownBy(() -> new CommandLine(new KafkaBenchMain()).parseArgs("--broker-pids", "kafka-1=abc"))
            .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("abc");
    }
}
