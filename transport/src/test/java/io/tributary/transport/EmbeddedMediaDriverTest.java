package io.tributary.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.agrona.CloseHelper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.aeron.driver.MediaDriver;

/** Driver lifecycle: a directory per node, cleaned at start and at close; external drivers. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EmbeddedMediaDriverTest
{
    @TempDir
    Path dir;

    @Test
    void eachNodeGetsItsOwnDirectoryCleanedAtStartAndDeletedAtClose() throws Exception
    {
        final Path leftover = dir.resolve("tributary-aeron-n1");
        Files.createDirectories(leftover.resolve("publications"));
        Files.writeString(leftover.resolve("publications/stale.logbuffer"), "left by a killed process");
        final EmbeddedMediaDriver n1 = EmbeddedMediaDriver.launch(AeronLoopback.testConfig(dir, "n1"));
        final EmbeddedMediaDriver n2 = EmbeddedMediaDriver.launch(AeronLoopback.testConfig(dir, "n2"));
        try
        {
            assertThat(n1.isEmbedded()).isTrue();
            assertThat(n1.aeronDirectory()).isEqualTo(leftover.toString());
            assertThat(n2.aeronDirectory()).isEqualTo(dir.resolve("tributary-aeron-n2").toString());
            assertThat(leftover.resolve("publications/stale.logbuffer")).doesNotExist();
            assertThat(leftover.resolve("cnc.dat")).exists();
            assertThat(n1.aeron().context().aeronDirectoryName()).isEqualTo(n1.aeronDirectory());
            assertThat(n2.aeron().context().aeronDirectoryName()).isEqualTo(n2.aeronDirectory());
            assertThat(dir.resolve("tributary-aeron-n2").resolve("cnc.dat")).exists();
            // A second process with the same node name must not delete a live driver's files.
            assertThatThrownBy(() -> EmbeddedMediaDriver.launch(AeronLoopback.testConfig(dir, "n1")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("a live media driver already uses " + leftover)
                .hasMessageContaining("node.name=n1");
        }
        finally
        {
            CloseHelper.closeAll(n1, n2);
        }
        assertThat(leftover).doesNotExist();
        assertThat(dir.resolve("tributary-aeron-n2")).doesNotExist();
        n1.close();
    }

    @Test
    void externalDriverIsUsedWhenConfiguredAndAMissingOneIsReported()
    {
        final String external = dir.resolve("external-driver").toString();
        final AeronTransportConfig config = AeronLoopback.testConfig(dir, "n3").externalDriver(external);
        assertThatThrownBy(() -> EmbeddedMediaDriver.launch(config))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("no live media driver in " + external);
        try (MediaDriver driver = MediaDriver.launch(EmbeddedMediaDriver.driverContext(config, external)))
        {
            final EmbeddedMediaDriver client = EmbeddedMediaDriver.launch(config);
            try
            {
                assertThat(client.isEmbedded()).isFalse();
                assertThat(client.aeronDirectory()).isEqualTo(external);
                assertThat(driver.aeronDirectoryName()).isEqualTo(external);
            }
            finally
            {
                client.close();
            }
            // Closing the client leaves the external driver and its directory alone.
            assertThat(new File(external, "cnc.dat")).exists();
        }
    }
}
