package io.tributary.jepsen.history;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.jepsen.checker.Analysis;
import io.tributary.jepsen.checker.CheckOptions;
import io.tributary.jepsen.checker.CheckResult;
import io.tributary.jepsen.checker.Checker;
import io.tributary.jepsen.checker.Model;
import io.tributary.jepsen.checker.Operation;
import io.tributary.jepsen.models.RegisterDecoder;
import io.tributary.jepsen.models.RegisterModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The generator's histories: linearizable by construction unless mutated, and the same for the same seed. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class RegisterHistoryGeneratorTest
{
    @TempDir
    Path dir;

    @Test
    void anUnmutatedHistoryWithCrashedClientsIsLinearizable() throws Exception
    {
        for (long seed = 1; seed <= 5; seed++)
        {
            System.out.println("RegisterHistoryGeneratorTest seed " + seed);
            assertThat(check(RegisterHistoryGenerator.generate(seed, 8, 400, 3, 0)).result()).as("seed %d", seed)
                .isEqualTo(CheckResult.OK);
        }
    }

    @Test
    void aHistoryWithManyReadsChangedIsNotLinearizable() throws Exception
    {
        // One changed read can still be explained by a concurrent write of that value; forty cannot.
        assertThat(check(RegisterHistoryGenerator.generate(7, 8, 400, 0, 40)).result()).isEqualTo(CheckResult.ILLEGAL);
    }

    @Test
    void theSameSeedGivesTheSameHistoryAndAnotherSeedAnother()
    {
        List<String> a = RegisterHistoryGenerator.generate(11, 10, 300, 2, 1);
        assertThat(a).isEqualTo(RegisterHistoryGenerator.generate(11, 10, 300, 2, 1));
        assertThat(a).isNotEqualTo(RegisterHistoryGenerator.generate(12, 10, 300, 2, 1));
        assertThat(a.stream().filter(line -> line.contains(":invoke")).count()).isEqualTo(300);
        assertThat(a.stream().filter(line -> !line.contains(":invoke")).count()).as("two never return").isEqualTo(298);
    }

    private Analysis<Object, Object> check(final List<String> lines) throws Exception
    {
        Path file = dir.resolve("history.log");
        Files.write(file, lines);
        List<Operation<Object, Object>> operations = castDecoder()
            .decodeAll(HistoryFormat.JEPSEN_LOG.readOperations(file));
        return new Checker(CheckOptions.defaults().withTimeout(Duration.ofSeconds(60))).check(castModel(), operations);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static OperationDecoder<Object, Object> castDecoder()
    {
        return (OperationDecoder) new RegisterDecoder();
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Model<Object, Object, Object> castModel()
    {
        return (Model) new RegisterModel();
    }
}
