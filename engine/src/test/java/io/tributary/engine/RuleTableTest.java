package io.tributary.engine;

import io.tributary.format.AppendStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine's rules as tables (src/test/resources/rules/*.txt, one per rule, read by {@link RuleTable}): the
 * producer table, shard and key conditions, the key limit, replay and invalid batches. Every engine status (codes
 * below 32: the node's own come from the front end, not from the engine) is the expected outcome of some line.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class RuleTableTest
{
    static final Path RULES = Path.of("src", "test", "resources", "rules");

    @TempDir
    Path dir;

    @TestFactory
    Stream<DynamicTest> eachTable() throws IOException
    {
        return tables().stream().map(table -> DynamicTest.dynamicTest(table.getFileName().toString(),
            () -> new RuleTable(table.getFileName().toString(), dir.resolve(table.getFileName().toString()))
                .run(Files.readAllLines(table, StandardCharsets.UTF_8))));
    }

    @Test
    void everyEngineStatusIsTheOutcomeOfSomeLine(@TempDir final Path runDir) throws IOException
    {
        final Set<AppendStatus> covered = EnumSet.noneOf(AppendStatus.class);
        for (final Path table : tables())
        {
            covered.addAll(new RuleTable(table.getFileName().toString(), runDir.resolve(table.getFileName().toString()))
                .run(Files.readAllLines(table, StandardCharsets.UTF_8)));
        }
        final List<AppendStatus> missing = new ArrayList<>();
        for (final AppendStatus status : AppendStatus.values())
        {
            if (status.code() < 32 && !covered.contains(status))
            {
                missing.add(status);
            }
        }
        assertThat(missing).as("engine statuses with no line in " + RULES + " expecting them").isEmpty();
    }

    private static List<Path> tables() throws IOException
    {
        try (Stream<Path> files = Files.list(RULES))
        {
            final List<Path> tables = files.filter(f -> f.toString().endsWith(".txt")).sorted().toList();
            assertThat(tables).as("rule tables under " + RULES).isNotEmpty();
            return tables;
        }
        catch (final UncheckedIOException e)
        {
            throw e.getCause();
        }
    }
}
