package io.tributary.transport.rpc;

import io.tributary.protocol.aeron.Uninterruptibly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;

import org.agrona.CloseHelper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.tributary.protocol.aeron.AeronTransportConfig;
import io.tributary.protocol.aeron.EmbeddedMediaDriver;

/**
 * Regression test for a bug the Jepsen harness found: opening a publication on an interrupted
 * thread (Ratis interrupts its election and appender threads) made Aeron terminate the process's
 * whole client. The first case shows Aeron's behaviour, the second that our calls survive it.
 */
class UninterruptiblyTest
{
    @TempDir
    Path dir;

    private AeronTransportConfig config(final String node)
    {
        return new AeronTransportConfig().nodeName(node).aeronDirectoryBase(dir).termLengthBytes(64 * 1024);
    }

    @Test
    @Timeout(30)
    void anInterruptedAeronCallTerminatesTheWholeClient()
    {
        final EmbeddedMediaDriver driver = EmbeddedMediaDriver.launch(config("raw"));
        try
        {
            final Aeron aeron = driver.aeron();
            Thread.currentThread().interrupt();
            assertThatThrownBy(() -> aeron.addExclusivePublication("aeron:udp?endpoint=127.0.0.1:40999", 7))
                .hasMessageContaining("interrupt");
            Thread.interrupted();
            assertThatThrownBy(() -> aeron.addExclusivePublication("aeron:udp?endpoint=127.0.0.1:40999", 7))
                .as("the client is gone for every user").isInstanceOf(RuntimeException.class);
        }
        finally
        {
            Thread.interrupted();
            CloseHelper.quietClose(driver);
        }
    }

    @Test
    @Timeout(60)
    void interruptsDuringTheCallsDoNotReachAeron() throws Exception
    {
        final EmbeddedMediaDriver driver = EmbeddedMediaDriver.launch(config("raced"));
        try
        {
            final Aeron aeron = driver.aeron();
            final Thread caller = Thread.currentThread();
            final Thread interrupter = new Thread(() ->
            {
                while (!Thread.currentThread().isInterrupted())
                {
                    caller.interrupt();
                    Thread.onSpinWait();
                }
            });
            interrupter.start();
            try
            {
                for (int i = 0; i < 50; i++)
                {
                    final int port = 41_000 + i;
                    Uninterruptibly.call(() -> aeron.addExclusivePublication("aeron:udp?endpoint=127.0.0.1:"
                        + port, 7));
                }
            }
            finally
            {
                interrupter.interrupt();
                while (interrupter.isAlive())
                {
                    try
                    {
                        Thread.interrupted();
                        interrupter.join(100);
                    }
                    catch (final InterruptedException stillArriving)
                    {
                        // The interrupter's last interrupts: keep waiting for it to end.
                    }
                }
                Thread.interrupted();
            }
            assertThat(aeron.isClosed()).as("interrupts arriving during the calls never reached Aeron").isFalse();
        }
        finally
        {
            Thread.interrupted();
            CloseHelper.quietClose(driver);
        }
    }

    @Test
    @Timeout(30)
    void callsOnAnInterruptedThreadKeepTheClientAndTheInterrupt()
    {
        final EmbeddedMediaDriver driver = EmbeddedMediaDriver.launch(config("guarded"));
        try
        {
            final Aeron aeron = driver.aeron();
            Thread.currentThread().interrupt();
            final ExclusivePublication publication = Uninterruptibly.call(
                () -> aeron.addExclusivePublication("aeron:udp?endpoint=127.0.0.1:40998", 7));
            assertThat(Thread.interrupted()).as("the interrupt is kept for the caller").isTrue();
            assertThat(publication).isNotNull();
            assertThat(aeron.isClosed()).isFalse();
            assertThat(aeron.addExclusivePublication("aeron:udp?endpoint=127.0.0.1:40997", 7)).isNotNull();
        }
        finally
        {
            Thread.interrupted();
            CloseHelper.quietClose(driver);
        }
    }
}
