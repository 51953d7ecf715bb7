package io.tributary.jepsen;

import static org.assertj.core.api.Assertions.assertThat;

import io.tributary.jepsen.checker.Analysis;
import io.tributary.jepsen.checker.CheckOptions;
import io.tributary.jepsen.checker.CheckResult;
import io.tributary.jepsen.checker.Checker;
import io.tributary.jepsen.checker.Model;
import io.tributary.jepsen.checker.Operation;
import io.tributary.jepsen.history.HistoryFormat;
import io.tributary.jepsen.history.OperationDecoder;
import io.tributary.jepsen.models.KvDecoder;
import io.tributary.jepsen.models.KvModel;
import io.tributary.jepsen.models.RegisterDecoder;
import io.tributary.jepsen.models.RegisterModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Agrees with every verdict of porcupine's own test suite on its test histories, through the same path as
 * the command line (reader, pairer, decoder, checker), in both the fast and the explaining mode.
 *
 * <p>The histories live outside the repository: the system property {@code tributary.conformance.dir}
 * names the folder (CI sets it to {@code ../shared/conformance}). Without it the test is skipped, and
 * says so.
 */
class ConformanceTest
{
    private static final String PROPERTY = "tributary.conformance.dir";
    /** Far above what any history needs (well under a second each); a hang shows up as UNKNOWN. */
    private static final Duration HISTORY_TIMEOUT = Duration.ofSeconds(60);

    private static Path porcupine;

    @BeforeAll
    static void findData()
    {
        String dir = System.getProperty(PROPERTY, "");
        if (dir.isBlank())
        {
            String message = "ConformanceTest SKIPPED: system property " + PROPERTY + " is not set. To run it: "
                + "mvn -pl jepsen test -D" + PROPERTY + "=../shared/conformance";
            System.out.println(message);
            Assumptions.abort(message);
        }
        porcupine = Path.of(dir).resolve("porcupine");
        assertThat(porcupine.resolve("expected-etcd.txt"))
            .as("%s=%s must hold porcupine/expected-etcd.txt", PROPERTY, dir).isRegularFile();
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void etcdHistoriesAgreeWithPorcupine() throws Exception
    {
        Map<String, CheckResult> expected = expectations(porcupine.resolve("expected-etcd.txt"));
        assertThat(expected).hasSize(102);
        agree(expected, porcupine.resolve("test_data/jepsen"), HistoryFormat.JEPSEN_LOG, new RegisterModel(),
            new RegisterDecoder());
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void kvHistoriesAgreeWithPorcupine() throws Exception
    {
        Map<String, CheckResult> expected = expectations(porcupine.resolve("expected-kv.txt"));
        assertThat(expected).hasSize(6);
        agree(expected, porcupine.resolve("test_data/kv"), HistoryFormat.EDN, new KvModel(), new KvDecoder());
    }

    private static <S, I, O> void agree(final Map<String, CheckResult> expected, final Path dir,
        final HistoryFormat format,
                                        final Model<S, I, O> model, final OperationDecoder<I, O> decoder)
                                            throws Exception
    {
        List<String> disagreements = new ArrayList<>();
        for (final boolean explain : new boolean[] {false, true})
        {
            Checker checker = new Checker(CheckOptions.defaults().withTimeout(HISTORY_TIMEOUT).withExplain(explain));
            long startNs = System.nanoTime();
            for (final Map.Entry<String, CheckResult> history : expected.entrySet())
            {
                List<Operation<I, O>> operations =
                    decoder.decodeAll(format.readOperations(dir.resolve(history.getKey())));
                Analysis<I, O> analysis = checker.check(model, operations);
                if (analysis.result() != history.getValue())
                {
                    disagreements.add(history.getKey() + (explain ? " (explaining)" : "") + ": expected "
                        + history.getValue() + ", got " + analysis.result() + " " + analysis.unknownReason());
                }
            }
            System.out.printf("ConformanceTest: %d %s histories%s in %d ms%n", expected.size(), format.cliName(),
                explain ? " explained" : "", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs));
        }
        assertThat(disagreements).as("histories where we disagree with porcupine").isEmpty();
    }

    private static Map<String, CheckResult> expectations(final Path file) throws IOException
    {
        Map<String, CheckResult> expected = new LinkedHashMap<>();
        for (final String line : Files.readAllLines(file))
        {
            if (line.isBlank())
            {
                continue;
            }
            String[] parts = line.trim().split("\\s+");
            assertThat(parts).as("line '%s' of %s: expected 'NAME linearizable|not-linearizable'", line, file)
                .hasSize(2);
            assertThat(parts[1]).as("verdict in line '%s' of %s", line, file).isIn("linearizable", "not-linearizable");
            expected.put(parts[0], parts[1].equals("linearizable") ? CheckResult.OK : CheckResult.ILLEGAL);
        }
        return expected;
    }
}
