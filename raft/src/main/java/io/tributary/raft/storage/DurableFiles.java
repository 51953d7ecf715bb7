package io.tributary.raft.storage;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

import io.tributary.engine.ShardLog;

import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.util.MD5FileUtil;

/**
 * Files that must survive a power loss once written: a snapshot Ratis purges its log behind. A
 * rename is durable only once its folder is forced, and a file's bytes only once the file is.
 */
public final class DurableFiles
{
    private DurableFiles()
    {
    }

    /**
     * Writes {@code bytes} to {@code file} atomically and durably: a temporary file, forced, renamed
     * over {@code file}, then the folder forced.
     *
     * @param forcer how a file or folder is forced ({@link ShardLog#FDATASYNC}; tests record the calls).
     */
    public static void writeAtomically(final Path file, final byte[] bytes, final ShardLog.FileForcer forcer)
        throws IOException
    {
        final Path directory = file.toAbsolutePath().getParent();
        final Path temporary = directory.resolve(file.getFileName() + ".tmp");
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING))
        {
            final ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining())
            {
                channel.write(buffer);
            }
        }
        forcer.force(temporary);
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        forcer.force(directory);
    }

    /** Computes and saves the checksum file Ratis verifies when it loads {@code file}; forces it and its folder. */
    public static MD5Hash saveChecksum(final File file, final ShardLog.FileForcer forcer) throws IOException
    {
        final MD5Hash digest = MD5FileUtil.computeAndSaveMd5ForFile(file);
        forcer.force(MD5FileUtil.getDigestFileForFile(file).toPath());
        forcer.force(file.toPath().toAbsolutePath().getParent());
        return digest;
    }
}
