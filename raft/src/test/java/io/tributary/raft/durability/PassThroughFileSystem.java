package io.tributary.raft.durability;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.WatchService;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The JDK's default file system seen through {@link PassThroughFileSystemProvider}. */
final class PassThroughFileSystem extends FileSystem
{
    private final PassThroughFileSystemProvider provider;
    private final FileSystem delegate;

    PassThroughFileSystem(final PassThroughFileSystemProvider provider, final FileSystem delegate)
    {
        this.provider = provider;
        this.delegate = delegate;
    }

    Path wrap(final Path path)
    {
        return path == null ? null : new PassThroughPath(this, path);
    }

    @Override
    public PassThroughFileSystemProvider provider()
    {
        return provider;
    }

    @Override
    public void close() throws IOException
    {
        throw new UnsupportedOperationException("the default file system cannot be closed");
    }

    @Override
    public boolean isOpen()
    {
        return true;
    }

    @Override
    public boolean isReadOnly()
    {
        return delegate.isReadOnly();
    }

    @Override
    public String getSeparator()
    {
        return delegate.getSeparator();
    }

    @Override
    public Iterable<Path> getRootDirectories()
    {
        final List<Path> roots = new ArrayList<>();
        delegate.getRootDirectories().forEach(root -> roots.add(wrap(root)));
        return roots;
    }

    @Override
    public Iterable<FileStore> getFileStores()
    {
        return delegate.getFileStores();
    }

    @Override
    public Set<String> supportedFileAttributeViews()
    {
        return delegate.supportedFileAttributeViews();
    }

    @Override
    public Path getPath(final String first, final String... more)
    {
        return wrap(delegate.getPath(first, more));
    }

    @Override
    public PathMatcher getPathMatcher(final String syntaxAndPattern)
    {
        final PathMatcher matcher = delegate.getPathMatcher(syntaxAndPattern);
        return path -> matcher.matches(PassThroughPath.unwrap(path));
    }

    @Override
    public UserPrincipalLookupService getUserPrincipalLookupService()
    {
        return delegate.getUserPrincipalLookupService();
    }

    @Override
    public WatchService newWatchService() throws IOException
    {
        return delegate.newWatchService();
    }
}
