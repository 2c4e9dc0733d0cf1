package org.intravis.perf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the harness's quick mode at a tiny size (one 320x240 stream, 1 s warm-up, 3 s measured, the stand-in ONNX
 * model through the real ONNX Runtime) and checks that the report is complete and consistent. No assertion is about
 * time: only shape, counts that must agree with each other, and ratios that must be what the figures say.
 */
class LatencyHarnessTest {
    static final Path STAND_IN = Path.of("..", "gpu-inference", "src", "test", "resources", "models",
            "standin-ultrasound", "standin-ultrasound.onnx");

    @TempDir
    Path dir;

    @Test
    void quickModeAtATinySizeWritesACompleteConsistentReport() throws Exception {
        Path report = dir.resolve("quick.json");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = LatencyHarness.execute(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), "--quick", "--streams", "1",
                "--resolution", "320x240", "--warmup", "1", "--seconds", "3", "--loop-frames", "8",
                "--model", STAND_IN.toString(), "--report", report.toString());
        assertThat(code).as("exit code; stderr: %s", err).isZero();
        assertThat(report).exists();
        assertThat(BenchReport.markdownPath(report)).exists();

        JsonNode r = new ObjectMapper().readTree(report.toFile());
        for (String k : new String[] {"cores", "cpu", "jdk", "date", "git_commit", "load_average"}) {
            assertThat(r.path("machine").has(k)).as("machine." + k).isTrue();
        }
        assertThat(r.path("streams").asInt()).isEqualTo(1);
        assertThat(r.path("resolution").asText()).isEqualTo("320x240");
        assertThat(r.path("fps").asDouble()).isEqualTo(30.0);
        assertThat(r.path("mode").asText()).isEqualTo("quick");

        for (String system : new String[] {"ours", "baseline"}) {
            JsonNode s = r.path(system);
            assertThat(s.isObject()).as(system).isTrue();
            double throughput = s.path("throughput_fps").asDouble();
            assertThat(throughput).as(system + " throughput").isPositive();
            JsonNode f = s.path("frames");
            // nothing arrives that was not read, nothing is read that was not due
            assertThat(f.path("video_received").asLong()).as(system + " received").isPositive()
                    .isLessThanOrEqualTo(f.path("read").asLong() + 2);
            assertThat(f.path("read").asLong()).isLessThanOrEqualTo(f.path("due").asLong() + 2);
            assertThat(throughput).isCloseTo(f.path("video_received").asDouble() / s.path("measured_s").asDouble(),
                    org.assertj.core.data.Offset.offset(0.05));
            assertThat(f.path("overlays_valid_received").asLong()).as(system + " overlays (the model loads and runs)")
                    .isPositive();
            for (String path : new String[] {"video_ms", "ai_ms"}) {
                JsonNode p = s.path(path);
                assertThat(p.path("count").asLong()).as(system + " " + path + " samples").isPositive();
                assertThat(p.path("p50").asDouble()).isPositive().isLessThanOrEqualTo(p.path("p90").asDouble());
                assertThat(p.path("p90").asDouble()).isLessThanOrEqualTo(p.path("p99").asDouble());
                assertThat(p.path("p99").asDouble()).isLessThanOrEqualTo(p.path("p999").asDouble());
                assertThat(p.path("p999").asDouble()).isLessThanOrEqualTo(p.path("max").asDouble());
            }
            // HotSpot counts per-thread allocation (-1 would mean it does not); the total is the roles' sum
            double alloc = s.path("alloc_bytes_per_frame").asDouble();
            double byRoles = 0;
            int roles = 0;
            for (JsonNode v : s.path("alloc_bytes_per_frame_by_role")) {
                byRoles += v.asDouble();
                roles++;
            }
            assertThat(roles).as(system + " roles measured").isPositive();
            assertThat(alloc).as(system + " allocation per frame = the sum over its roles").isNotNegative()
                    .isCloseTo(byRoles, org.assertj.core.data.Offset.offset(0.1 * (roles + 1)));
            assertThat(s.path("stages_ms").has("scheduled_to_captured")).isTrue();
            assertThat(s.path("stages_ms").has("capture_to_video_sent")).isTrue();
            assertThat(s.path("counters").has("source_overrun")).isTrue();
            assertThat(s.path("gc").has("max_pause_ms")).isTrue();
            assertThat(s.path("cpu_cores").has("process")).isTrue();
            assertThat(s.path("note").asText()).as(system + " note").isEmpty();
            assertThat(s.has("governors")).as(system + " governors").isTrue();
        }
        // the pipeline's own counters and the threads it measures
        assertThat(r.path("ours").path("counters").has("dropped_ring_full")).isTrue();
        assertThat(r.path("ours").path("alloc_bytes_per_frame_by_role").has("video")).isTrue();
        assertThat(r.path("ours").path("alloc_bytes_per_frame_by_role").has("capture")).isTrue();
        assertThat(r.path("baseline").path("alloc_bytes_per_frame_by_role").has("worker-baseline")).isTrue();
        // the baseline copies every frame into a new array: at least a frame's bytes per frame
        assertThat(r.path("baseline").path("alloc_bytes_per_frame").asDouble()).isGreaterThanOrEqualTo(320 * 240);

        JsonNode ratios = r.path("ratios");
        assertThat(ratios.path("throughput").asDouble()).isCloseTo(
                r.path("ours").path("throughput_fps").asDouble() / r.path("baseline").path("throughput_fps").asDouble(),
                org.assertj.core.data.Offset.offset(0.01));
        assertThat(ratios.path("ai_p99").asDouble()).isCloseTo(
                r.path("ours").path("ai_ms").path("p99").asDouble() / r.path("baseline").path("ai_ms").path("p99").asDouble(),
                org.assertj.core.data.Offset.offset(0.01));

        String md = Files.readString(BenchReport.markdownPath(report));
        assertThat(md).contains("## End to end", "## Stages", "video path p99 ms", "AI path p99 ms", "source_overrun");
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("ours / baseline: throughput");
    }

    @Test
    void badArgumentsExitWithTwoAndSayWhy() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        PrintStream o = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertThat(LatencyHarness.execute(o, e, "--streams", "zero")).isEqualTo(2);
        assertThat(LatencyHarness.execute(o, e, "--resolution", "1080p")).isEqualTo(2);
        assertThat(LatencyHarness.execute(o, e, "--frobnicate", "1")).isEqualTo(2);
        assertThat(LatencyHarness.execute(o, e, "--no-ours", "--no-baseline")).isEqualTo(2);
        assertThat(LatencyHarness.execute(o, e, "--encoding", "vp9")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--streams takes a whole number",
                "--resolution must be WIDTHxHEIGHT", "unknown option --frobnicate", "nothing to run",
                "--encoding must be h264 or jpeg");
    }

    @Test
    void modesSetDefaultsThatExplicitOptionsOverride() {
        LatencyHarness.Plan quick = LatencyHarness.parse("--quick");
        assertThat(quick.runs()).hasSize(1);
        BenchSettings q = quick.runs().get(0);
        assertThat(q.streams()).isEqualTo(4);
        assertThat(q.resolution()).isEqualTo("1280x720");
        assertThat(q.fps()).isEqualTo(30);
        assertThat(q.warmupSeconds() + q.measureSeconds()).isLessThanOrEqualTo(30);
        assertThat(q.baseline()).isTrue();

        LatencyHarness.Plan full = LatencyHarness.parse("--full");
        assertThat(full.runs()).extracting(BenchSettings::streams).containsExactly(1, 4);
        assertThat(full.runs().get(0).measureSeconds()).isGreaterThanOrEqualTo(60);

        LatencyHarness.Plan sweep = LatencyHarness.parse("--seconds", "2", "--quick", "--streams", "1,4,8,16",
                "--fps", "30,60", "--resolution", "1920x1080", "--device", "cuda", "--no-baseline");
        assertThat(sweep.runs()).hasSize(8);
        assertThat(sweep.runs()).allSatisfy(s -> {
            assertThat(s.measureSeconds()).isEqualTo(2);
            assertThat(s.resolution()).isEqualTo("1920x1080");
            assertThat(s.device()).isEqualTo("cuda");
            assertThat(s.baseline()).isFalse();
        });
        assertThat(LatencyHarness.parse("--help")).isNull();
    }

    @Test
    void remoteRunsEveryConfigurationOnTheInferenceServer() {
        LatencyHarness.Plan plan = LatencyHarness.parse("--streams", "4,8", "--remote", "grpcs://node:8001",
                "--remote-trust", "ca.pem", "--remote-token-file", "edge.token");
        assertThat(plan.runs()).hasSize(2).allSatisfy(s -> {
            assertThat(s.remoteUrl()).isEqualTo("grpcs://node:8001");
            assertThat(s.config().inference.backend).isEqualTo("remote");
            assertThat(s.config().inference.remote.url).isEqualTo("grpcs://node:8001");
            assertThat(s.config().inference.remote.trustCert).isEqualTo("ca.pem");
            assertThat(s.config().inference.remote.tokenFile).isEqualTo("edge.token");
        });
        assertThat(LatencyHarness.parse("--streams", "4").runs().get(0).config().inference.backend).isEqualTo("local");
    }
}
