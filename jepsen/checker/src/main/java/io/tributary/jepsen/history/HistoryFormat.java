package io.tributary.jepsen.history;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/** The history formats Tributary reads, by the names the command line uses. */
public enum HistoryFormat
{
    /** Jepsen log lines, as in the etcd histories. */
    JEPSEN_LOG("jepsen-log", new JepsenLogReader()),
    /** One Jepsen EDN map per line. */
    EDN("edn", new EdnHistoryReader()),
    /** Tributary's JSON lines. */
    JSONL("jsonl", new JsonLinesReader());

    private final String cliName;
    private final HistoryReader reader;

    HistoryFormat(final String cliName, final HistoryReader reader)
    {
        this.cliName = cliName;
        this.reader = reader;
    }

    public String cliName()
    {
        return cliName;
    }

    public HistoryReader reader()
    {
        return reader;
    }

    /** The format with this command-line name, or null. */
    public static HistoryFormat fromCliName(final String name)
    {
        for (final HistoryFormat format : values())
        {
            if (format.cliName.equals(name))
            {
                return format;
            }
        }
        return null;
    }

    /**
     * Reads a UTF-8 file and pairs its operations.
     *
     * @throws HistoryFormatException if the file is missing or malformed (the message names the file and
     *     line)
     */
    public List<PairedOperation> readOperations(final Path file) throws IOException, HistoryFormatException
    {
        String source = file.toString();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8))
        {
            return OperationPairer.pair(reader.read(in, source), source);
        }
        catch (final NoSuchFileException e)
        {
            throw new HistoryFormatException(source, 0, "no such file");
        }
        catch (final MalformedInputException e)
        {
            throw new HistoryFormatException(source, 0, "not UTF-8 text (" + e.getMessage() + "); is this a history?");
        }
    }
}
