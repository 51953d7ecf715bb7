package io.tributary.protocol.aeron;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;


/** Defaults are valid and small; every bad value is refused with the setting, the value and a hint. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AeronTransportConfigTest
{
    @Test
    void defaultsSuitASmallMachine()
    {
        final AeronTransportConfig config = new AeronTransportConfig().validate();
        assertThat(config.threadingMode()).isEqualTo("INVOKER");
        assertThat(config.sharedIdleStrategy()).isEqualTo(IdleStrategies.BACKOFF);
        // 2 MiB: client batches up to 256 KiB are offered atomically (see the README); sparse, so cheap.
        assertThat(config.termLengthBytes()).isEqualTo(2 * 1024 * 1024);
        assertThat(config.frameBytesMax()).isEqualTo(config.termLengthBytes() / 8);
        assertThat(config.externalDriver()).isFalse();
        assertThat(config.aeronDirectory()).endsWith("tributary-aeron-node");
        assertThat(config.appenderInflightMax()).isEqualTo(8);
        assertThat(config.networkIdleStrategy()).isEqualTo(IdleStrategies.SOCKETS);
        assertThat(config.networkWaitsOnSockets()).isTrue();
        assertThat(config.networkSocketWaitTimeoutMs()).isEqualTo(1);
        assertThat(config.newNetworkIdleStrategy()).isInstanceOf(AdaptiveIdleStrategy.class);
    }

    @Test
    void badValuesAreRefusedWithTheSettingAndAHint()
    {
        assertRefused(c -> c.termLengthBytes(100_000), "term.length.bytes=100000", "power of two");
        assertRefused(c -> c.termLengthBytes(32 * 1024), "term.length.bytes=32768", "65536");
        assertRefused(c -> c.mtuBytes(1400), "mtu.bytes=1400", "multiple of 32");
        assertRefused(c -> c.termLengthBytes(64 * 1024).mtuBytes(16 * 1024), "mtu.bytes=16384", "term.length.bytes/8=8192");
        assertRefused(c -> c.termLengthBytes(256 * 1024).frameBytesMax(64 * 1024), "frame.bytes.max=65536", "32768");
        assertRefused(c -> c.frameBytesMax(10), "frame.bytes.max=10", "[41, ");
        assertRefused(c -> c.messageBytesMax(0), "message.bytes.max=0", "appendEntries");
        assertRefused(c -> c.messageBytesMax(64 << 20).reassemblyBytesMax(32 << 20), "reassembly.bytes.max=33554432",
            "message.bytes.max=67108864");
        assertRefused(c -> c.reassemblySourcesMax(0), "reassembly.sources.max=0", "[1, 65536]");
        assertRefused(c -> c.reassemblyTimeoutMs(0), "reassembly.timeout.ms=0", "at least 1");
        assertRefused(c -> c.offerRetriesMax(-1), "offer.retries.max=-1", "[0, 1000000]");
        assertRefused(c -> c.offerTimeoutMs(5_000).requestTimeoutMs(3_000), "offer.timeout.ms=5000", "request.timeout.ms=3000");
        assertRefused(c -> c.driverTimeoutMs(10), "driver.timeout.ms=10", "at least 1000");
        assertRefused(c -> c.appenderInflightMax(0), "appender.inflight.max=0", "[1, 1024]");
        assertRefused(c -> c.appenderInflightMax(1025), "appender.inflight.max=1025", "[1, 1024]");
        assertRefused(c -> c.threadingMode("FAST"), "driver.threading.mode=FAST", "SHARED");
        assertRefused(c -> c.sharedIdleStrategy("spin-forever"), "unknown idle strategy 'spin-forever'", "backoff");
        assertRefused(c -> c.networkIdleStrategy("epoll"), "unknown idle strategy 'epoll'", "idle.network also takes sockets");
        // Only the network thread can wait on the driver's sockets.
        assertRefused(c -> c.conductorIdleStrategy(IdleStrategies.SOCKETS), "unknown idle strategy 'sockets'");
        assertRefused(c -> c.nodeName("a/b"), "node.name=a/b", "[A-Za-z0-9._-]");
        assertRefused(c -> c.externalDriver("  "), "driver.external=true needs driver.external.dir", "aeron.dir");
    }

    private static void assertRefused(final UnaryOperator<AeronTransportConfig> change, final String... fragments)
    {
        final AeronTransportConfig config = change.apply(new AeronTransportConfig());
        final Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(config::validate);
        assertThat(thrown).isInstanceOf(IllegalArgumentException.class);
        for (final String fragment : fragments)
        {
            assertThat(thrown).hasMessageContaining(fragment);
        }
    }

    @Test
    void propertiesOverrideDefaultsAndBadNumbersAreNamed()
    {
        final Properties properties = new Properties();
        properties.setProperty("transport.aeron.term.length.bytes", "131072");
        properties.setProperty("transport.aeron.driver.threading.mode", "dedicated");
        properties.setProperty("transport.aeron.idle.shared", "sleeping");
        properties.setProperty("transport.aeron.node.name", "n7");
        properties.setProperty("transport.aeron.offer.retries.max", "5");
        properties.setProperty("transport.aeron.appender.inflight.max", "3");
        final AeronTransportConfig config = AeronTransportConfig.fromProperties(properties).validate();
        assertThat(config.termLengthBytes()).isEqualTo(131072);
        assertThat(config.threadingMode()).isEqualTo("DEDICATED");
        assertThat(config.sharedIdleStrategy()).isEqualTo("sleeping");
        assertThat(config.nodeName()).isEqualTo("n7");
        assertThat(config.offerRetriesMax()).isEqualTo(5);
        assertThat(config.appenderInflightMax()).isEqualTo(3);
        assertThat(config.mtuBytes()).isEqualTo(1408);

        properties.setProperty("transport.aeron.mtu.bytes", "big");
        assertThatThrownBy(() -> AeronTransportConfig.fromProperties(properties))
            .hasMessageContaining("transport.aeron.mtu.bytes=big").hasMessageContaining("default 1408");
    }
}
