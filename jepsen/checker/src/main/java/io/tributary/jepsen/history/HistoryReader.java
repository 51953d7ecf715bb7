package io.tributary.jepsen.history;

import java.io.BufferedReader;
import java.io.IOException;
import java.util.List;

/** Reads the records of a history, one per line. Implementations are stateless and thread-safe. */
public interface HistoryReader
{

    /**
     * Reads every record. Lines that are not records (blank lines, comments, other log lines) are skipped
     * as each format documents.
     *
     * @param source a name for error messages, such as the file name
     * @throws HistoryFormatException at the first malformed line, naming it and what was expected
     */
    List<HistoryRecord> read(BufferedReader in, String source) throws IOException, HistoryFormatException;
}
