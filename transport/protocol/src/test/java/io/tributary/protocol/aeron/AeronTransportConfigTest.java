package io.tributary.protocol.aeron;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.aeron.protocol.DataHeaderFlyweight;
import io.tributary.protocol.net.LoopbackPorts;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;


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
        assertThat(config.appenderCommitDelayUs()).isEqualTo(25_000);
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
        assertRefused(c -> c.termLengthBytes(64 * 1024).mtuBytes(16 * 1024), "mtu.bytes=16384",
            "term.length.bytes/8=8192");
        assertRefused(c -> c.termLengthBytes(256 * 1024).frameBytesMax(64 * 1024), "frame.bytes.max=65536", "32768");
        assertRefused(c -> c.frameBytesMax(10), "frame.bytes.max=10", "[41, ");
        assertRefused(c -> c.messageBytesMax(0), "message.bytes.max=0", "appendEntries");
        assertRefused(c -> c.messageBytesMax(64 << 20).reassemblyBytesMax(32 << 20), "reassembly.bytes.max=33554432",
            "message.bytes.max=67108864");
        assertRefused(c -> c.reassemblySourcesMax(0), "reassembly.sources.max=0", "[1, 65536]");
        assertRefused(c -> c.reassemblyTimeoutMs(0), "reassembly.timeout.ms=0", "at least 1");
        assertRefused(c -> c.offerRetriesMax(-1), "offer.retries.max=-1", "[0, 1000000]");
        assertRefused(c -> c.offerTimeoutMs(5_000).requestTimeoutMs(3_000), "offer.timeout.ms=5000",
            "request.timeout.ms=3000");
        assertRefused(c -> c.driverTimeoutMs(10), "driver.timeout.ms=10", "at least 1000");
        assertRefused(c -> c.appenderInflightMax(0), "appender.inflight.max=0", "[1, 1024]");
        assertRefused(c -> c.appenderInflightMax(1025), "appender.inflight.max=1025", "[1, 1024]");
        assertRefused(c -> c.appenderCommitDelayUs(-1), "appender.commit.delay.us=-1", "[0, 1000000]");
        assertRefused(c -> c.appenderCommitDelayUs(1_000_001), "appender.commit.delay.us=1000001",
            "0 = send it at once");
        assertRefused(c -> c.publicationConnectionTimeoutMs(499), "publication.connection.timeout.ms=499",
            "[500, 60000]");
        assertRefused(c -> c.publicationConnectionTimeoutMs(60_001), "publication.connection.timeout.ms=60001",
            "status message");
        assertRefused(c -> c.threadingMode("FAST"), "driver.threading.mode=FAST", "SHARED");
        assertRefused(c -> c.sharedIdleStrategy("spin-forever"), "unknown idle strategy 'spin-forever'", "backoff");
        assertRefused(c -> c.networkIdleStrategy("epoll"), "unknown idle strategy 'epoll'",
            "idle.network also takes sockets");
        // Only the network thread can wait on the driver's sockets.
        assertRefused(c -> c.conductorIdleStrategy(IdleStrategies.SOCKETS), "unknown idle strategy 'sockets'");
        assertRefused(c -> c.nodeName("a/b"), "node.name=a/b", "[A-Za-z0-9._-]");
        assertRefused(c -> c.externalDriver("  "), "driver.external=true needs driver.external.dir", "aeron.dir");
    }

    private static void assertRefused(final UnaryOperator<AeronTransportConfig> change, final String... fragments)
    {
        final AeronTransportConfig config = change.apply(new AeronTransportConfig());
        final Throwable thrown = Assertions.catchThrowable(config::validate);
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
        properties.setProperty("transport.aeron.appender.commit.delay.us", "0");
        properties.setProperty("transport.aeron.publication.connection.timeout.ms", "2500");
        final AeronTransportConfig config = AeronTransportConfig.fromProperties(properties).validate();
        assertThat(config.termLengthBytes()).isEqualTo(131072);
        assertThat(config.threadingMode()).isEqualTo("DEDICATED");
        assertThat(config.sharedIdleStrategy()).isEqualTo("sleeping");
        assertThat(config.nodeName()).isEqualTo("n7");
        assertThat(config.offerRetriesMax()).isEqualTo(5);
        assertThat(config.appenderInflightMax()).isEqualTo(3);
        assertThat(config.appenderCommitDelayUs()).isZero();
        assertThat(config.publicationConnectionTimeoutMs()).isEqualTo(2500);
        assertThat(config.mtuBytes()).isEqualTo(1408);

        properties.setProperty("transport.aeron.mtu.bytes", "big");
        assertThatThrownBy(() -> AeronTransportConfig.fromProperties(properties))
            .hasMessageContaining("transport.aeron.mtu.bytes=big").hasMessageContaining("default 1408");
    }

    @Test
    void publicationsToALoopbackAddressUseTheLoopbackMtuAndOthersTheDriversMtu()
    {
        final AeronTransportConfig config = new AeronTransportConfig().validate();
        assertThat(config.mtuLoopbackBytes()).isEqualTo(AeronTransportConfig.MTU_MAX);
        assertThat(config.publicationChannel("127.0.0.1:7001"))
            .isEqualTo("aeron:udp?endpoint=127.0.0.1:7001|mtu=65504");
        assertThat(config.publicationChannel("127.3.2.1:7001")).endsWith("|mtu=65504");
        assertThat(config.publicationChannel("localhost:7001")).endsWith("|mtu=65504");
        assertThat(config.publicationChannel("[::1]:7001")).endsWith("|mtu=65504");
        assertThat(config.publicationChannel("127.1:7001")).as("the JDK reads 127.1 as 127.0.0.1")
            .endsWith("|mtu=65504");
        // Anything that may cross a real network keeps the Ethernet-sized default; names are never resolved here
        for (final String address : new String[]{"10.0.0.7:7001", "128.0.0.1:7001", "127.0.0.256:7001",
            "node-1.example:7001", "[fe80::1]:7001"})
        {
            assertThat(config.publicationChannel(address)).as(address).isEqualTo("aeron:udp?endpoint=" + address);
        }
        assertThat(new AeronTransportConfig().mtuLoopbackBytes(0).validate().publicationChannel("127.0.0.1:7001"))
            .isEqualTo("aeron:udp?endpoint=127.0.0.1:7001");
    }

    @Test
    void theLoopbackMtuStaysWithinWhatTheTermAndTheReceiverWindowAllow()
    {
        // 64 KiB terms (the tests' size) allow an MTU of an eighth of a term
        assertThat(new AeronTransportConfig().termLengthBytes(64 * 1024).validate().mtuLoopbackBytes()).isEqualTo(8192);
        final Properties window = new Properties();
        window.setProperty(AeronTransportConfig.PREFIX + "receiver.window.bytes", Integer.toString(64 * 1024));
        assertThat(AeronTransportConfig.fromProperties(window).validate().mtuLoopbackBytes()).isEqualTo(32 * 1024);
        // never below the driver's own MTU
        assertThat(new AeronTransportConfig().mtuBytes(8192).mtuLoopbackBytes(4096).validate().mtuLoopbackBytes())
            .isEqualTo(8192);
        final Properties properties = new Properties();
        properties.setProperty(AeronTransportConfig.PREFIX + "mtu.loopback.bytes", "16384");
        assertThat(AeronTransportConfig.fromProperties(properties).validate().mtuLoopbackBytes()).isEqualTo(16384);
        assertRefused(c -> c.mtuLoopbackBytes(1000), "mtu.loopback.bytes=1000", "multiple of 32");
        assertRefused(c -> c.mtuLoopbackBytes(70_000), "mtu.loopback.bytes=70000", "65504");
    }

    @Test
    void aLoopbackPublicationOfARealDriverCarriesTheLoopbackMtu(@TempDir final Path dir)
        throws Exception
    {
        final AeronTransportConfig config = new AeronTransportConfig().nodeName("mtu").aeronDirectoryBase(dir)
            .validate();
        final int port = LoopbackPorts.reserve();
        final EmbeddedMediaDriver driver = EmbeddedMediaDriver.launch(config);
        try (Subscription subscription = driver.aeron().addSubscription("aeron:udp?endpoint=127.0.0.1:" + port, 7);
            ExclusivePublication loopback = driver.aeron().addExclusivePublication(
                config.publicationChannel("127.0.0.1:" + port), 7))
        {
            assertThat(loopback.maxPayloadLength()).isEqualTo(65504 - DataHeaderFlyweight.HEADER_LENGTH);
            assertThat(subscription.channel()).contains("127.0.0.1");
        }
        finally
        {
            driver.close();
        }
    }
}
