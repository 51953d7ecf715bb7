package io.tributary.dist;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code tributary bench compare-kafka}: builds the opt-in module bench/kafka (Maven profile
 * {@code kafka-compare}, which fetches Kafka 4.4.0 from Maven Central the first time) and runs its
 * orchestrator, {@code io.tributary.bench.kafka.CompareKafka}, in a child JVM with this process's
 * standard streams. Every argument but {@code --no-build} goes to it unchanged ({@code --help} too),
 * so the orchestrator alone defines the options; Kafka never enters the default build or this
 * launcher's classpath.
 */
@Command(name = "compare-kafka",
    description =
        "Side by side with Kafka 4.4.0 (3 local KRaft nodes): the same workload and durability against Tributary and"
        + " Kafka, one system at a time; a table with ratios, plots, docs/benchmarks.md. Builds bench/kafka first "
            + "(Maven profile kafka-compare; fetches Kafka from Maven Central once). Every option but --no-build goes "
        + "to the comparison: 'compare-kafka --help' lists them.")
public final class CompareKafkaCommand implements Callable<Integer>
{
    static final String MAIN_CLASS = "io.tributary.bench.kafka.CompareKafka";
    static final String KAFKA_JAR = "org/apache/kafka/kafka_2.13/4.4.0/kafka_2.13-4.4.0.jar";

    @Option(names = "--no-build", description = "Run bench/kafka as built last time, without Maven.")
    boolean noBuild;

    @Unmatched
    List<String> arguments = new ArrayList<>();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception
    {
        final PrintWriter err = spec.commandLine().getErr();
        final Path root = repositoryRoot();
        final Path module = root.resolve("bench/kafka");
        if (!Files.isRegularFile(module.resolve("pom.xml")))
        {
            throw new IllegalStateException("no " + module.resolve("pom.xml")
                + ": this Tributary checkout has no Kafka comparison module");
        }
        if (!noBuild)
        {
            final int built = build(root, err);
            if (built != 0)
            {
                return built;
            }
        }
        else if (!Files.isDirectory(module.resolve("target/lib")))
        {
            throw new IllegalStateException(module.resolve("target/lib")
                + " does not exist: run once without --no-build");
        }
        final List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
            .toString(),
            "-Dtributary.home=" + root, "-cp",
            module.resolve("target/classes") + File.pathSeparator + module.resolve("target/lib") + File.separator + "*",
                MAIN_CLASS));
        command.addAll(arguments);
        return runInheritingIo(new ProcessBuilder(command).inheritIO());
    }

    private static int build(final Path root, final PrintWriter err) throws IOException, InterruptedException
    {
        final Path localKafka = Path.of(System.getProperty("user.home"), ".m2", "repository").resolve(KAFKA_JAR);
        if (!Files.exists(localKafka))
        {
            err.println("compare-kafka: fetching Kafka 4.4.0 from Maven Central (about 44 MB with its dependencies, "
                + "once) and building bench/kafka...");
        }
        else
        {
            err.println("compare-kafka: building bench/kafka (mvn -Pkafka-compare -pl bench/kafka package)...");
        }
        err.flush();
        // The style check belongs to development builds (mvn verify), not to a user's run of the comparison.
        final List<String> mvn = List.of("mvn", "-q", "-B", "-DskipTests", "-Dcheckstyle.skip", "-Pkafka-compare",
            "-pl", "bench/kafka", "package");
        final int code;
        try
        {
            code = runInheritingIo(new ProcessBuilder(mvn).directory(root.toFile()).inheritIO());
        }
        catch (final IOException e)
        {
            throw new IllegalStateException("cannot run Maven (" + e.getMessage()
                + "): install Maven (mvn) and retry", e);
        }
        if (code != 0)
        {
            err.println("compare-kafka: building bench/kafka failed (mvn exit " + code
                + "). If Maven could not download (\"Could not transfer artifact\", \"Connection refused\"), Maven "
                + "Central is unreachable: check the network or proxy settings in ~/.m2/settings.xml. If it cannot "
                + "find io.tributary:tributary-bench, run 'mvn -DskipTests install'"
                + " first. To see everything: cd " + root + " && " + String.join(" ", mvn).replace(" -q", ""));
        }
        return code;
    }

    /** Runs the child to its end; a signal to this JVM (Ctrl-C reaches both anyway) asks the child to stop first. */
    private static int runInheritingIo(final ProcessBuilder builder) throws IOException, InterruptedException
    {
        final Process process = builder.start();
        final Thread stopChild = new Thread(() ->
        {
            process.destroy();
            try
            {
                process.waitFor(30, TimeUnit.SECONDS);
            }
            catch (final InterruptedException e)
            {
                Thread.currentThread().interrupt();
            }
        }, "compare-kafka-stop-child");
        Runtime.getRuntime().addShutdownHook(stopChild);
        try
        {
            return process.waitFor();
        }
        finally
        {
            Runtime.getRuntime().removeShutdownHook(stopChild);
        }
    }

    /**
     * {@code -Dtributary.home}, else the checkout holding this launcher's jar (dist/target), else up from the working
     * folder to bin/tributary.
     */
    static Path repositoryRoot()
    {
        final String home = System.getProperty("tributary.home");
        if (home != null && !home.isBlank())
        {
            return Path.of(home).toAbsolutePath().normalize();
        }
        try
        {
            final Path jar = Path.of(CompareKafkaCommand.class.getProtectionDomain().getCodeSource().getLocation()
                .toURI());
            for (Path dir = jar.getParent(); dir != null; dir = dir.getParent())
            {
                if (Files.isRegularFile(dir.resolve("bin/tributary")))
                {
                    return dir;
                }
            }
        }
        catch (final URISyntaxException | RuntimeException e)
        {
            // No usable code source (unusual class loader): the working folder decides below.
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent())
        {
            if (Files.isRegularFile(dir.resolve("bin/tributary")))
            {
                return dir;
            }
        }
        throw new IllegalStateException("cannot find the Tributary repository (the folder with bin/tributary) from "
            + Path.of("").toAbsolutePath() + ": run inside it, or pass -Dtributary.home=<repository>");
    }
}
