package org.intravis.release;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The application jar run with {@code java -jar} on a newer Java than the one it is built with (Java 25, the LTS after
 * the build's 17), as a user's own Java may be: it analyses frames through the bundled model, OpenCV and FFmpeg, and
 * the JVM prints no warning. Java 24 and later warn when a library loads natives without the jar allowing it (JEP 472,
 * and a later release will refuse), which JavaCPP does for every native here; the jar's manifest allows it. Skipped,
 * saying so, where that Java is not installed.
 */
class NewerJavaIT {

    @Test
    void theJarAnalysesFramesOnANewerJavaWithoutAWarning(@TempDir Path tmp) throws Exception {
        Path java = Path.of(System.getProperty("intravis.newerJava", "/usr/lib/jvm/temurin-25-jdk-amd64/bin/java"));
        Assumptions.assumeTrue(Files.isExecutable(java), "no newer Java at " + java + " (-Dintravis.newerJava=PATH)");
        Path jar = Path.of(System.getProperty("intravis.jar", "../surgical-ui/target/intravis.jar"));
        assertThat(jar).as("the application jar 'mvn package' builds in surgical-ui").isRegularFile();

        String version = run(tmp, java.toString(), "-version");
        int feature = Integer.parseInt(version.replaceAll("(?s).*version \"(\\d+).*", "$1"));
        assertThat(feature).as("a Java that warns of native access: " + version).isGreaterThanOrEqualTo(24);

        String out = run(tmp, java.toString(), "-jar", jar.toString(), "analyze", "--input",
                "synthetic:ultrasound?frames=3", "--output", tmp.resolve("out").toString());
        assertThat(out).contains("analyzed 3 frames with ultrasound");
        assertThat(out.lines().filter(l -> l.startsWith("WARNING")).toList()).as(out).isEmpty();
        List<String> annotations = Files.readAllLines(tmp.resolve("out/annotations.jsonl"));
        assertThat(annotations).hasSize(3);
    }

    /** {@link Tools#run} in {@code dir}; its output, the command having succeeded. */
    private static String run(Path dir, String... command) throws Exception {
        Tools.Result r = Tools.run(List.of(command), Map.of(), dir);
        assertThat(r.code()).as(String.join(" ", command) + ": " + r.out()).isZero();
        return r.out();
    }
}
