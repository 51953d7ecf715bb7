package io.tributary.raft.durability;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/** A file channel that reports its writes and forces to a {@link ForceGate} (which may hold the forces). */
final class ObservedFileChannel extends FileChannel
{
    private final FileChannel delegate;
    private final ForceGate gate;

    ObservedFileChannel(final FileChannel delegate, final ForceGate gate)
    {
        this.delegate = delegate;
        this.gate = gate;
    }

    @Override
    public void force(final boolean metaData) throws IOException
    {
        try
        {
            gate.beforeForce(delegate.position());
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while a test held the force");
        }
        delegate.force(metaData);
        gate.afterForce();
    }

    @Override
    public int write(final ByteBuffer src) throws IOException
    {
        final int written = delegate.write(src);
        gate.written(delegate.position());
        return written;
    }

    @Override
    public long write(final ByteBuffer[] srcs, final int offset, final int length) throws IOException
    {
        final long written = delegate.write(srcs, offset, length);
        gate.written(delegate.position());
        return written;
    }

    @Override
    public int write(final ByteBuffer src, final long position) throws IOException
    {
        // Positional writes (preallocation) do not move the log's end.
        return delegate.write(src, position);
    }

    @Override
    public int read(final ByteBuffer dst) throws IOException
    {
        return delegate.read(dst);
    }

    @Override
    public long read(final ByteBuffer[] dsts, final int offset, final int length) throws IOException
    {
        return delegate.read(dsts, offset, length);
    }

    @Override
    public int read(final ByteBuffer dst, final long position) throws IOException
    {
        return delegate.read(dst, position);
    }

    @Override
    public long position() throws IOException
    {
        return delegate.position();
    }

    @Override
    public FileChannel position(final long newPosition) throws IOException
    {
        delegate.position(newPosition);
        return this;
    }

    @Override
    public long size() throws IOException
    {
        return delegate.size();
    }

    @Override
    public FileChannel truncate(final long size) throws IOException
    {
        delegate.truncate(size);
        return this;
    }

    @Override
    public long transferTo(final long position, final long count, final WritableByteChannel target) throws IOException
    {
        return delegate.transferTo(position, count, target);
    }

    @Override
    public long transferFrom(final ReadableByteChannel src, final long position, final long count) throws IOException
    {
        return delegate.transferFrom(src, position, count);
    }

    @Override
    public MappedByteBuffer map(final MapMode mode, final long position, final long size) throws IOException
    {
        return delegate.map(mode, position, size);
    }

    @Override
    public FileLock lock(final long position, final long size, final boolean shared) throws IOException
    {
        return delegate.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(final long position, final long size, final boolean shared) throws IOException
    {
        return delegate.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException
    {
        delegate.close();
    }
}
