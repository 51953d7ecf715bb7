package io.tributary.protocol.aeron;

import io.tributary.protocol.frame.AeronLoopback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.agrona.CloseHelper;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingIdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.aeron.CncFileDescriptor;
import io.aeron.driver.MediaDriver;

/** Driver lifecycle: a directory per node, cleaned at start and at close; external drivers. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EmbeddedMediaDriverTest
{
    @TempDir
    Path dir;

    @Test
    @Timeout(30)
    void directoriesOfDeadProcessesAreSweptAndLiveOnesKept(@TempDir final Path parent) throws Exception
    {
        final Path dead = fakeDirectory(parent, EmbeddedMediaDriver.DIR_PREFIX + "gone-1", deadPid());
        final Path live = fakeDirectory(parent, EmbeddedMediaDriver.DIR_PREFIX + "alive-1", ProcessHandle.current()
            .pid());
        final Path notOurs = fakeDirectory(parent, "someone-else", deadPid());

        EmbeddedMediaDriver.sweepDirectoriesOfDeadProcesses(parent.toFile());

        assertThat(dead).doesNotExist();
        assertThat(live).exists();
        assertThat(notOurs).exists();
    }

    /** A directory with a CnC file that names {@code pid} as its owner, where Aeron writes it. */
    private static Path fakeDirectory(final Path parent, final String name, final long pid) throws Exception
    {
        final Path dir = Files.createDirectories(parent.resolve(name));
        final ByteBuffer cnc = ByteBuffer.allocate(CncFileDescriptor.PID_FIELD_OFFSET + Long.BYTES)
            .order(ByteOrder.LITTLE_ENDIAN);
        cnc.putLong(CncFileDescriptor.PID_FIELD_OFFSET, pid);
        Files.write(dir.resolve(CncFileDescriptor.CNC_FILE), cnc.array());
        return dir;
    }

    private static long deadPid()
    {
        for (long pid = 4_000_000; ; pid++)
        {
            if (ProcessHandle.of(pid).isEmpty())
            {
                return pid;
            }
        }
    }

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

    /**
     * Run in a child JVM by the test below: launches a driver for node "killed" under args[0], then waits to be killed.
     */
    public static void main(final String[] args) throws Exception
    {
        EmbeddedMediaDriver.launch(AeronLoopback.testConfig(Path.of(args[0]), "killed"));
        System.out.println("driver ready");
        System.out.flush();
        Thread.currentThread().join();
    }

    @Test
    void aDirectoryLeftByAKilledProcessIsReplacedAtOnce() throws Exception
    {
        // kill -9 leaves the driver's heartbeat fresh for driver.timeout.ms; a restart must not wait it out.
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // The parent pom's --add-opens/--add-exports, which Agrona needs.
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
            .filter(arg -> arg.startsWith("--add-")).forEach(command::add);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), EmbeddedMediaDriverTest.class.getName(),
            dir.toString()));
        final Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        EmbeddedMediaDriver restarted = null;
        try
        {
            final BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream()));
            final StringBuilder childOutput = new StringBuilder();
            String line;
            while ((line = out.readLine()) != null && !line.contains("driver ready"))
            {
                childOutput.append(line).append('\n');
            }
            assertThat(line).as("the child JVM must report its driver ready; it printed:%n%s", childOutput).isNotNull();
            assertThatThrownBy(() -> EmbeddedMediaDriver.launch(AeronLoopback.testConfig(dir, "killed")))
                .as("a live driver in another process is never replaced")
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("a live media driver already uses");
            child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            restarted = EmbeddedMediaDriver.launch(AeronLoopback.testConfig(dir, "killed"));
            assertThat(restarted.isEmbedded()).isTrue();
        }
        finally
        {
            child.destroyForcibly();
            CloseHelper.close(restarted);
        }
    }

    @Test
    void externalDriverIsUsedWhenConfiguredAndAMissingOneIsReported()
    {
        final String external = dir.resolve("external-driver").toString();
        final AeronTransportConfig config = AeronLoopback.testConfig(dir, "n3").externalDriver(external);
        assertThatThrownBy(() -> EmbeddedMediaDriver.launch(config))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("no live media driver in " + external);
        try (MediaDriver driver = MediaDriver.launch(DriverLauncher.driverContext(config, external)))
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

    @Test
    void theDriversAsyncExecutorSleepsLongerThanAeronsOneMillisecondBetweenLooks()
    {
        final AeronTransportConfig config = AeronLoopback.testConfig(dir, "n4");
        final IdleStrategy idle =
            DriverLauncher.driverContext(config, dir.resolve("n4-driver").toString()).asyncExecutorIdleStrategy();
        assertThat(idle).isInstanceOf(SleepingIdleStrategy.class);
        assertThat(idle.toString()).contains("sleepPeriodNs=" + DriverLauncher.ASYNC_EXECUTOR_SLEEP_NS);
    }
}
