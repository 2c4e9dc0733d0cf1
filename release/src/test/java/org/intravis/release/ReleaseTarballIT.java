package org.intravis.release;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The release tarball on a machine without a JDK: extracted into an empty folder and started through
 * {@code bin/intravis} with nothing from the build's environment (no JAVA_HOME, a PATH with no java on it, a fresh
 * HOME, so the natives are unpacked from the jar anew), it serves the demo: {@code /health} answers, frames flow
 * through {@code /api/streams}, the bundled model runs (ONNX Runtime, OpenCV) and the burned-in MJPEG stream
 * delivers pictures (FFmpeg, Netty) on the bundled runtime.
 */
class ReleaseTarballIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SERVING = Pattern.compile("serving (http://localhost:(\\d+)/)");
    private static Path tarball;
    private static String name;
    private Process app;

    @BeforeAll
    static void locate() {
        tarball = Path.of(System.getProperty("intravis.release.tarball", "target/missing.tar.gz"));
        name = System.getProperty("intravis.release.name", "intravis");
        assertThat(tarball).as("the tarball 'mvn package' writes in the release module").isRegularFile();
    }

    @AfterEach
    void stop() throws Exception {
        if (app != null && app.isAlive()) {
            app.destroy();
            if (!app.waitFor(30, TimeUnit.SECONDS)) {
                app.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void theDemoRunsFromTheExtractedTarballOnItsOwnRuntime(@TempDir Path tmp) throws Exception {
        run(tmp, "tar", "-xzf", tarball.toString(), "-C", tmp.toString());
        Path home = tmp.resolve(name);
        Path launcher = home.resolve("bin/intravis");
        assertThat(Files.getPosixFilePermissions(launcher)).contains(PosixFilePermission.OWNER_EXECUTE);
        assertThat(home.resolve("runtime/bin/java")).isExecutable();
        assertThat(home.resolve("lib/intravis.jar")).isRegularFile();
        assertThat(home.resolve("systemd/intravis.service")).isRegularFile();
        assertThat(home.resolve("docs/deploy.md")).isRegularFile();
        // a runtime, not a JDK: no compiler, no jdk tools
        String modules = Files.readString(home.resolve("runtime/release"));
        assertThat(modules).contains("java.base").doesNotContain("jdk.compiler").doesNotContain("jdk.jdeps");
        assertThat(home.resolve("runtime/bin/javac")).doesNotExist();

        // the environment of a machine without a JDK: only readlink on the PATH (the launcher uses it when there)
        Path bin = Files.createDirectories(tmp.resolve("path"));
        Files.createSymbolicLink(bin.resolve("readlink"), Path.of(which("readlink")));
        Path userHome = Files.createDirectories(tmp.resolve("home"));

        // through a symlink on the PATH, as /usr/local/bin/intravis would be: the launcher finds its runtime
        Files.createSymbolicLink(bin.resolve("intravis"), launcher);
        // (a shell looks it up on that PATH; Java would look on its own)
        ProcessBuilder version = new ProcessBuilder("/bin/sh", "-c", "intravis --version").redirectErrorStream(true);
        version.environment().clear();
        version.environment().put("PATH", bin.toString());
        version.environment().put("HOME", userHome.toString());
        Process v = version.start();
        String printed = new String(v.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(v.waitFor()).as(printed).isZero();
        assertThat(printed.strip()).isEqualTo("intravis " + name.substring("intravis-".length()));

        ProcessBuilder pb = new ProcessBuilder(launcher.toString(), "run", "--config",
                home.resolve("etc/intravis.yaml").toString(), "--port", "0", "--data-dir",
                tmp.resolve("data").toString(), "--duration", "240")
                .directory(userHome.toFile()).redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().put("PATH", bin.toString());
        pb.environment().put("HOME", userHome.toString());
        pb.environment().put("LANG", "C.UTF-8");
        app = pb.start();

        List<String> log = new ArrayList<>();
        CompletableFuture<String> base = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(app.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    synchronized (log) {
                        log.add(line);
                    }
                    Matcher m = SERVING.matcher(line);
                    if (m.find()) {
                        base.complete(m.group(1));
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
            base.completeExceptionally(new AssertionError("intravis ended before serving: " + log));
        }, "tarball-app-log");
        reader.setDaemon(true);
        reader.start();
        String url = base.get(120, TimeUnit.SECONDS);

        // it is the bundled runtime that runs, not a java found elsewhere
        Path exe = Path.of("/proc", String.valueOf(app.pid()), "exe").toRealPath();
        assertThat(exe).isEqualTo(home.resolve("runtime/bin/java").toRealPath());
        assertThat(userHome.resolve(".javacpp/cache")).as("natives unpacked into the fresh HOME").isDirectory();

        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(url + "health")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(health.body()).get("status").asText()).isIn("ok", "degraded");

        // frames flow, and the model runs: counters grow between two reports
        JsonNode first = stream(http, url);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        JsonNode now = first;
        while (System.nanoTime() < deadline && !(grew(first, now, "frames_in") && grew(first, now, "video_out")
                && now.get("fpsInference").asDouble() > 0)) {
            Thread.sleep(500);
            now = stream(http, url);
        }
        assertThat(now.get("status").asText()).as(log.toString()).isEqualTo("STREAMING");
        assertThat(now.get("counters").get("frames_in").asLong()).isGreaterThan(first.get("counters").get("frames_in").asLong());
        assertThat(now.get("counters").get("video_out").asLong()).isGreaterThan(first.get("counters").get("video_out").asLong());
        assertThat(now.get("fpsInference").asDouble()).as("the bundled model runs on the bundled runtime").isPositive();

        // FFmpeg's natives too: the burned-in MJPEG stream is encoded by its JPEG encoder, with the overlay drawn in
        String id = now.get("id").asText();
        HttpResponse<InputStream> mjpeg = http.send(HttpRequest.newBuilder(URI.create(url + "streams/" + id
                + "/burned.mjpeg")).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(mjpeg.statusCode()).isEqualTo(200);
        try (InputStream body = new java.io.BufferedInputStream(mjpeg.body())) {
            assertThat(jpegStarts(body, 2, 32 << 20)).as("JPEG pictures in the MJPEG stream").isEqualTo(2);
        }
    }

    /** Counts JPEG start-of-image markers (FF D8 FF) until {@code wanted} are seen or {@code limit} bytes read. */
    private static int jpegStarts(InputStream in, int wanted, int limit) throws IOException {
        int found = 0;
        int a = -1;
        int b = -1;
        for (int read = 0, c; found < wanted && read < limit && (c = in.read()) >= 0; read++) {
            if (a == 0xFF && b == 0xD8 && c == 0xFF) {
                found++;
            }
            a = b;
            b = c;
        }
        return found;
    }

    private static JsonNode stream(HttpClient http, String url) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + "api/streams")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return JSON.readTree(r.body()).get(0);
    }

    private static boolean grew(JsonNode before, JsonNode after, String counter) {
        return after.get("counters").get(counter).asLong() > before.get("counters").get(counter).asLong();
    }

    private static String which(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path p = Path.of(dir, command);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        throw new AssertionError(command + " is not on the PATH");
    }

    private static void run(Path dir, String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(String.join(" ", command) + ": " + out).isZero();
    }
}
