package io.tributary.raft.durability;

import java.io.IOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessMode;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.spi.FileSystemProvider;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * The JDK's default file system provider with the file channels of Raft log segments ({@code log_*}
 * files) observed by a {@link ForceGate}. Installed as the default provider of a child JVM
 * ({@code -Djava.nio.file.spi.DefaultFileSystemProvider=} this class): Ratis opens its segments with
 * {@code FileChannel.open}, so this sees every write and force of the log without touching Ratis.
 */
public final class PassThroughFileSystemProvider extends FileSystemProvider
{
    private static final ForceGate GATE = new ForceGate();

    private final FileSystemProvider delegate;
    private final PassThroughFileSystem fileSystem;

    /** The constructor the JDK calls with its own default provider. */
    public PassThroughFileSystemProvider(final FileSystemProvider delegate)
    {
        this.delegate = delegate;
        this.fileSystem = new PassThroughFileSystem(this, delegate.getFileSystem(URI.create("file:///")));
    }

    /** The gate of this JVM's log segment channels. */
    public static ForceGate gate()
    {
        return GATE;
    }

    /** Whether this provider is the JVM's default (the child JVM was started with it). */
    public static boolean installed()
    {
        return FileSystems.getDefault().provider() instanceof PassThroughFileSystemProvider;
    }

    private static Path unwrap(final Path path)
    {
        return PassThroughPath.unwrap(path);
    }

    private static boolean observed(final Path path)
    {
        final Path name = path.getFileName();
        return name != null && name.toString().startsWith("log_");
    }

    @Override
    public FileChannel newFileChannel(final Path path, final Set<? extends OpenOption> options,
        final FileAttribute<?>... attrs)
        throws IOException
    {
        final FileChannel channel = delegate.newFileChannel(unwrap(path), options, attrs);
        return observed(path) ? new ObservedFileChannel(channel, GATE) : channel;
    }

    @Override
    public SeekableByteChannel newByteChannel(final Path path, final Set<? extends OpenOption> options,
        final FileAttribute<?>... attrs)
        throws IOException
    {
        return observed(path) ? newFileChannel(path, options, attrs)
            : delegate.newByteChannel(unwrap(path), options, attrs);
    }

    @Override
    public String getScheme()
    {
        return delegate.getScheme();
    }

    @Override
    public FileSystem newFileSystem(final URI uri, final Map<String, ?> env) throws IOException
    {
        throw new FileSystemAlreadyExistsException("the default file system exists");
    }

    @Override
    public FileSystem getFileSystem(final URI uri)
    {
        return fileSystem;
    }

    @Override
    public Path getPath(final URI uri)
    {
        return fileSystem.wrap(delegate.getPath(uri));
    }

    @Override
    public DirectoryStream<Path> newDirectoryStream(final Path dir, final DirectoryStream.Filter<? super Path> filter)
        throws IOException
    {
        final DirectoryStream<Path> stream = delegate.newDirectoryStream(unwrap(dir),
            entry -> filter == null || filter.accept(fileSystem.wrap(entry)));
        return new DirectoryStream<>()
        {
            @Override
            public Iterator<Path> iterator()
            {
                final Iterator<Path> entries = stream.iterator();
                return new Iterator<>()
                {
                    @Override
                    public boolean hasNext()
                    {
                        return entries.hasNext();
                    }

                    @Override
                    public Path next()
                    {
                        return fileSystem.wrap(entries.next());
                    }
                };
            }

            @Override
            public void close() throws IOException
            {
                stream.close();
            }
        };
    }

    @Override
    public void createDirectory(final Path dir, final FileAttribute<?>... attrs) throws IOException
    {
        delegate.createDirectory(unwrap(dir), attrs);
    }

    @Override
    public void createSymbolicLink(final Path link, final Path target, final FileAttribute<?>... attrs)
        throws IOException
    {
        delegate.createSymbolicLink(unwrap(link), unwrap(target), attrs);
    }

    @Override
    public void createLink(final Path link, final Path existing) throws IOException
    {
        delegate.createLink(unwrap(link), unwrap(existing));
    }

    @Override
    public Path readSymbolicLink(final Path link) throws IOException
    {
        return fileSystem.wrap(delegate.readSymbolicLink(unwrap(link)));
    }

    @Override
    public void delete(final Path path) throws IOException
    {
        delegate.delete(unwrap(path));
    }

    @Override
    public void copy(final Path source, final Path target, final CopyOption... options) throws IOException
    {
        delegate.copy(unwrap(source), unwrap(target), options);
    }

    @Override
    public void move(final Path source, final Path target, final CopyOption... options) throws IOException
    {
        delegate.move(unwrap(source), unwrap(target), options);
    }

    @Override
    public boolean isSameFile(final Path path, final Path path2) throws IOException
    {
        return delegate.isSameFile(unwrap(path), unwrap(path2));
    }

    @Override
    public boolean isHidden(final Path path) throws IOException
    {
        return delegate.isHidden(unwrap(path));
    }

    @Override
    public FileStore getFileStore(final Path path) throws IOException
    {
        return delegate.getFileStore(unwrap(path));
    }

    @Override
    public void checkAccess(final Path path, final AccessMode... modes) throws IOException
    {
        delegate.checkAccess(unwrap(path), modes);
    }

    @Override
    public <V extends FileAttributeView> V getFileAttributeView(final Path path, final Class<V> type,
        final LinkOption... options)
    {
        return delegate.getFileAttributeView(unwrap(path), type, options);
    }

    @Override
    public <A extends BasicFileAttributes> A readAttributes(final Path path, final Class<A> type,
        final LinkOption... options)
        throws IOException
    {
        return delegate.readAttributes(unwrap(path), type, options);
    }

    @Override
    public Map<String, Object> readAttributes(final Path path, final String attributes, final LinkOption... options)
        throws IOException
    {
        return delegate.readAttributes(unwrap(path), attributes, options);
    }

    @Override
    public void setAttribute(final Path path, final String attribute, final Object value, final LinkOption... options)
        throws IOException
    {
        delegate.setAttribute(unwrap(path), attribute, value, options);
    }
}
