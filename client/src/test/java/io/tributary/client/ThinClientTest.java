package io.tributary.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The client is thin: its compiled classes name nothing of the server (Ratis, Chronicle Queue,
 * the engine, the raft module) nor the Aeron media driver outside the one optional launcher. The
 * test scans the constant pools of the client's own classes (target/classes), so a new import
 * of a server type fails here before it reaches a user's dependency tree.
 */
class ThinClientTest
{
    private static final List<String> FORBIDDEN = List.of("org/apache/ratis", "net/openhft", "io/tributary/raft/",
        "io/tributary/engine/", "io/aeron/driver/");

    @Test
    void theClientsClassesReferNeitherToTheServerNorToTheMediaDriver() throws IOException
    {
        final Path classes = Path.of("target", "classes", "io", "tributary", "client");
        assertThat(classes).isDirectory();
        final List<String> offences = new ArrayList<>();
        int scanned = 0;
        try (Stream<Path> files = Files.walk(classes))
        {
            for (final Path file : files.filter(f -> f.toString().endsWith(".class")).toList())
            {
                scanned++;
                final String pool = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                for (final String forbidden : FORBIDDEN)
                {
                    if (pool.contains(forbidden))
                    {
                        offences.add(classes.relativize(file) + " refers to " + forbidden);
                    }
                }
            }
        }
        assertThat(scanned).as("client classes scanned").isGreaterThan(20);
        assertThat(offences).as("server or driver types in the client").isEmpty();
    }
}
