package io.tributary.raft.durability;

import java.io.IOException;
import java.net.URI;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;

/**
 * A path of {@link PassThroughFileSystem}: the JDK's own path underneath, so that every operation on it
 * is dispatched to {@link PassThroughFileSystemProvider} (which sees the file channels) and then to
 * the JDK's provider.
 */
final class PassThroughPath implements Path
{
    private final PassThroughFileSystem fileSystem;
    final Path delegate;

    PassThroughPath(final PassThroughFileSystem fileSystem, final Path delegate)
    {
        this.fileSystem = fileSystem;
        this.delegate = delegate;
    }

    static Path unwrap(final Path path)
    {
        return path instanceof PassThroughPath p ? p.delegate : path;
    }

    private Path wrap(final Path path)
    {
        return fileSystem.wrap(path);
    }

    @Override
    public PassThroughFileSystem getFileSystem()
    {
        return fileSystem;
    }

    @Override
    public boolean isAbsolute()
    {
        return delegate.isAbsolute();
    }

    @Override
    public Path getRoot()
    {
        return wrap(delegate.getRoot());
    }

    @Override
    public Path getFileName()
    {
        return wrap(delegate.getFileName());
    }

    @Override
    public Path getParent()
    {
        return wrap(delegate.getParent());
    }

    @Override
    public int getNameCount()
    {
        return delegate.getNameCount();
    }

    @Override
    public Path getName(final int index)
    {
        return wrap(delegate.getName(index));
    }

    @Override
    public Path subpath(final int beginIndex, final int endIndex)
    {
        return wrap(delegate.subpath(beginIndex, endIndex));
    }

    @Override
    public boolean startsWith(final Path other)
    {
        return delegate.startsWith(unwrap(other));
    }

    @Override
    public boolean endsWith(final Path other)
    {
        return delegate.endsWith(unwrap(other));
    }

    @Override
    public Path normalize()
    {
        return wrap(delegate.normalize());
    }

    @Override
    public Path resolve(final Path other)
    {
        return wrap(delegate.resolve(unwrap(other)));
    }

    @Override
    public Path relativize(final Path other)
    {
        return wrap(delegate.relativize(unwrap(other)));
    }

    @Override
    public URI toUri()
    {
        return delegate.toUri();
    }

    @Override
    public Path toAbsolutePath()
    {
        return wrap(delegate.toAbsolutePath());
    }

    @Override
    public Path toRealPath(final LinkOption... options) throws IOException
    {
        return wrap(delegate.toRealPath(options));
    }

    @Override
    public WatchKey register(final WatchService watcher, final WatchEvent.Kind<?>[] events,
        final WatchEvent.Modifier... modifiers)
        throws IOException
    {
        return delegate.register(watcher, events, modifiers);
    }

    @Override
    public int compareTo(final Path other)
    {
        return delegate.compareTo(unwrap(other));
    }

    @Override
    public boolean equals(final Object other)
    {
        return other instanceof PassThroughPath p && delegate.equals(p.delegate);
    }

    @Override
    public int hashCode()
    {
        return delegate.hashCode();
    }

    @Override
    public String toString()
    {
        return delegate.toString();
    }
}
