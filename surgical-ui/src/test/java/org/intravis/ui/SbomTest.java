package org.intravis.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The build's CycloneDX SBOM ({@code surgical-ui/target/intravis-sbom.json}, written after compiling by the
 * cyclonedx-maven-plugin) describes the application and lists what the jar bundles, at the versions actually on
 * the class path, and nothing that is only for tests.
 */
class SbomTest {
    static final Path SBOM = Path.of("target", "intravis-sbom.json");

    @Test
    void theSbomListsTheBundledLibrariesAtTheirVersionsAndNoTestOnes() throws Exception {
        assertThat(SBOM).as("the build writes the SBOM (cyclonedx-maven-plugin, surgical-ui/pom.xml; the plugin skips "
                + "it in an offline build, mvn -o)").isRegularFile();
        JsonNode bom = new ObjectMapper().readTree(Files.readString(SBOM));
        assertThat(bom.path("bomFormat").asText()).isEqualTo("CycloneDX");
        assertThat(bom.path("metadata").path("component").path("name").asText()).isEqualTo("surgical-ui");
        assertThat(bom.path("metadata").path("component").path("type").asText()).isEqualTo("application");
        List<String> components = new ArrayList<>();
        bom.path("components").forEach(c -> components.add(c.path("group").asText() + ":" + c.path("name").asText()
                + ":" + c.path("version").asText()));
        assertThat(components).contains(
                "io.vertx:vertx-core:" + jarVersion(io.vertx.core.Vertx.class, "vertx-core"),
                "org.bytedeco:onnxruntime:" + jarVersion(org.bytedeco.onnxruntime.global.onnxruntime.class, "onnxruntime"),
                "info.picocli:picocli:" + jarVersion(picocli.CommandLine.class, "picocli"),
                // the application's own modules, at the application's version
                "org.intravis:capture:" + bom.path("metadata").path("component").path("version").asText(),
                "org.intravis:gpu-inference:" + bom.path("metadata").path("component").path("version").asText());
        assertThat(components).noneMatch(c -> c.startsWith("org.junit") || c.contains(":playwright:")
                || c.startsWith("net.jqwik") || c.startsWith("org.assertj"));
        bom.path("components").forEach(c -> assertThat(c.path("purl").asText()).as(c.toString()).startsWith("pkg:maven/"));
    }

    /** The version in the name of the jar a class was loaded from, e.g. vertx-core-5.0.7.jar -> 5.0.7. */
    static String jarVersion(Class<?> type, String artifact) throws Exception {
        String jar = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).getFileName().toString();
        assertThat(jar).startsWith(artifact + "-").endsWith(".jar");
        return jar.substring(artifact.length() + 1, jar.length() - ".jar".length());
    }
}
