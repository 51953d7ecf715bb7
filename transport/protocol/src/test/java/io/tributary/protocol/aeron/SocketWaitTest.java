package io.tributary.protocol.aeron;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.tributary.protocol.frame.AeronLoopback;

/**
 * The network thread's wait on the driver's sockets: a datagram or a wake-up ends it, a wake-up
 * given early is not lost, sockets the driver adds later are watched, and a real embedded driver
 * is watched at all (if a later Aeron hides its selectors, the first test here fails).
 * <p>
 * Waits use a timeout of a minute, far beyond each test's own timeout, so a wait that only ended
 * by its timeout fails the test instead of passing slowly.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SocketWaitTest
{
    private static final long LONG_WAIT_MS = TimeUnit.MINUTES.toMillis(1);

    @Test
    void anEmbeddedDriversSocketsAreWatchedByDefault(@TempDir final Path dir) throws Exception
    {
        try (EmbeddedMediaDriver driver = EmbeddedMediaDriver.launch(AeronLoopback.testConfig(dir, "n1")))
        {
            assertThat(driver.network().waitsOnSockets()).isTrue();
        }
        try (EmbeddedMediaDriver driver = EmbeddedMediaDriver.launch(
            AeronLoopback.testConfig(dir, "n2").networkIdleStrategy(IdleStrategies.ADAPTIVE)))
        {
            assertThat(driver.network().waitsOnSockets()).isFalse();
        }
    }

    @Test
    void aDatagramEndsTheWait() throws Exception
    {
        try (Selector driverSelector = Selector.open();
            DatagramChannel socket = boundNonBlocking();
            DatagramChannel sender = DatagramChannel.open();
            SocketWait wait = SocketWait.open(new Selector[]{driverSelector}, LONG_WAIT_MS))
        {
            socket.register(driverSelector, SelectionKey.OP_READ);
            final CompletableFuture<Integer> ready = CompletableFuture.supplyAsync(() -> awaitOnce(wait));
            sender.send(ByteBuffer.wrap(new byte[]{42}), socket.getLocalAddress());

            assertThat(ready.get(20, TimeUnit.SECONDS)).as("sockets found ready").isEqualTo(1);
            assertThat(wait.watchedSockets()).isEqualTo(1);
            // The wait never reads: the datagram is still there for the driver.
            final ByteBuffer received = ByteBuffer.allocate(8);
            assertThat(socket.receive(received)).isNotNull();
            assertThat(received.flip().get()).isEqualTo((byte)42);
        }
    }

    @Test
    void aWakeUpGivenBeforeTheWaitIsNotLost() throws Exception
    {
        try (Selector driverSelector = Selector.open();
            DatagramChannel socket = boundNonBlocking();
            SocketWait wait = SocketWait.open(new Selector[]{driverSelector}, LONG_WAIT_MS))
        {
            socket.register(driverSelector, SelectionKey.OP_READ);
            wait.wakeup();
            assertThat(wait.await(System.nanoTime())).isZero();

            final long waitsBefore = wait.waits();
            final CompletableFuture<Integer> ready = CompletableFuture.supplyAsync(() -> awaitOnce(wait));
            waitUntilWaiting(wait, waitsBefore);
            wait.wakeup();
            assertThat(ready.get(20, TimeUnit.SECONDS)).isZero();
        }
    }

    @Test
    void socketsTheDriverAddsLaterAreWatchedAndClosedOnesAreDropped() throws Exception
    {
        try (Selector driverSelector = Selector.open();
            DatagramChannel first = boundNonBlocking();
            DatagramChannel sender = DatagramChannel.open();
            SocketWait wait = SocketWait.open(new Selector[]{driverSelector}, LONG_WAIT_MS))
        {
            first.register(driverSelector, SelectionKey.OP_READ);
            wait.wakeup();
            wait.await(System.nanoTime());
            assertThat(wait.watchedSockets()).isEqualTo(1);

            try (DatagramChannel second = boundNonBlocking())
            {
                second.register(driverSelector, SelectionKey.OP_READ);
                final long waitsBefore = wait.waits();
                final CompletableFuture<Integer> ready = CompletableFuture.supplyAsync(() -> awaitOnce(wait));
                waitUntilWaiting(wait, waitsBefore);
                assertThat(wait.watchedSockets()).isEqualTo(2);
                sender.send(ByteBuffer.wrap(new byte[]{7}), second.getLocalAddress());
                assertThat(ready.get(20, TimeUnit.SECONDS)).isEqualTo(1);
            }
            // The second socket is closed now: the next wait drops it and goes on watching the first.
            driverSelector.selectNow();
            final long waitsBefore = wait.waits();
            final CompletableFuture<Integer> ready = CompletableFuture.supplyAsync(() -> awaitOnce(wait));
            waitUntilWaiting(wait, waitsBefore);
            sender.send(ByteBuffer.wrap(new byte[]{8}), first.getLocalAddress());
            assertThat(ready.get(20, TimeUnit.SECONDS)).isEqualTo(1);
            assertThat(wait.watchedSockets()).isEqualTo(1);
        }
    }

    @Test
    void badArgumentsAreRefusedWithTheValues()
    {
        Assertions.assertThatThrownBy(() -> SocketWait.open(new Selector[0], 1))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 0");
        Assertions.assertThatThrownBy(() -> SocketWait.open(new Selector[]{Selector.open()}, 0))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeoutMs >= 1 (got 0)");
    }

    private static DatagramChannel boundNonBlocking() throws IOException
    {
        final DatagramChannel channel = DatagramChannel.open();
        channel.bind(new InetSocketAddress("127.0.0.1", 0));
        channel.configureBlocking(false);
        return channel;
    }

    private static int awaitOnce(final SocketWait wait)
    {
        try
        {
            return wait.await(System.nanoTime());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Polls until the wait has begun: its count is bumped after the sockets are synced and just before the selector
     * blocks; a wake-up or datagram that comes in between still ends the wait.
     */
    private static void waitUntilWaiting(final SocketWait wait, final long waitsBefore)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (wait.waits() == waitsBefore && System.nanoTime() - deadlineNs < 0)
        {
            Thread.onSpinWait();
        }
    }
}
