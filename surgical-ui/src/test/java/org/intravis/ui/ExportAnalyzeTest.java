package org.intravis.ui;

import org.intravis.ui.testing.CommandRun;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.intravis.capture.FrameSources;
import org.intravis.capture.RecordedFrames;
import org.intravis.pipeline.Annotations;
import org.intravis.pipeline.FrameGeometry;
import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.FrameSource;
import org.intravis.pipeline.testing.SharedData;
import org.intravis.pipeline.testing.StoreScp;
import org.intravis.streamer.RecordedAnnotations;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The offline tools on real files: {@code intravis export} burns the recorded overlay into an H.264 video a player
 * reads (checked by its pixels at the recorded tip), and {@code intravis analyze} runs every frame of a real PLUS
 * ultrasound sequence through an ONNX model (the stand-in ultrasound model) with one overlay line per frame.
 */
class ExportAnalyzeTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final Path PLUS_SAMPLE = Path.of("../capture/src/test/resources/plus/BoneUltrasound_L14_first5.igs.mha");
    static final String MODEL = Path.of("../gpu-inference/src/test/resources/models/standin-ultrasound/standin-ultrasound.onnx")
            .toAbsolutePath().normalize().toString();

    @TempDir
    Path dir;

    /** {@code intravis export --recording SESSION --output OUT [ARGS]}, which must succeed. */
    private static CommandRun.Result exported(Path session, Path out, String... args) {
        List<String> command = new java.util.ArrayList<>(List.of("export", "--recording", session.toString(),
                "--output", out.toString()));
        command.addAll(List.of(args));
        CommandRun.Result r = CommandLineErrorsTest.run(command.toArray(String[]::new));
        assertThat(r.code()).as("export: %s %s", r.out(), r.err()).isZero();
        return r;
    }

    @Test
    void exportBurnsTheRecordedOverlayIntoAVideoAPlayerReads() throws Exception {
        Path session = RecordReplayTest.record(dir, 3.5);
        Path out = dir.resolve("out").resolve("case.mp4");
        CommandRun.Result r = exported(session, out);
        assertThat(r.out()).contains("exported").contains("frames/s");

        RecordedFrames frames = RecordedFrames.load(session);
        String[] probe = RecorderProbe.probe(out);
        assertThat(probe[0]).isEqualTo("h264");
        assertThat(Long.parseLong(probe[1])).as("every recorded frame exported").isEqualTo(frames.count());
        assertThat(probe[2]).isEqualTo("320");

        // a frame shown live with a fresh overlay that has a tip: the exported picture has the green tip marker there
        int position = -1;
        float tipX = 0;
        float tipY = 0;
        try (RecordedAnnotations overlays = RecordedAnnotations.open(session)) {
            Annotations a = new Annotations();
            for (int p = frames.count() - 1; p >= 0 && position < 0; p--) {
                if (frames.shown(p) && frames.overlayFresh(p) && overlays.read(frames.overlayFrameId(p), a)
                        && a.tipCount() > 0 && a.tipX[0] > 15 && a.tipX[0] < 305 && a.tipY[0] > 15 && a.tipY[0] < 225) {
                    position = p;
                    tipX = a.tipX[0];
                    tipY = a.tipY[0];
                }
            }
        }
        assertThat(position).as("a recorded frame with a fresh tip").isNotNegative();
        byte[] rgb = RecorderProbe.rgbFrame(out, position, 320, 240);
        int green = 0;
        int samples = 32;
        for (int k = 0; k < samples; k++) { // the tip marker: a ring of radius 9 px (unit 1 at 320x240), 2 px wide
            double t = 2 * Math.PI * k / samples;
            int x = (int) Math.round(tipX + 9 * Math.cos(t));
            int y = (int) Math.round(tipY + 9 * Math.sin(t));
            int i = (y * 320 + x) * 3;
            int red = rgb[i] & 0xff;
            int g = rgb[i + 1] & 0xff;
            int b = rgb[i + 2] & 0xff;
            if (g > 150 && g > red + 50 && g > b + 40) {
                green++;
            }
        }
        assertThat(green).as("green tip-marker pixels on the ring around (%.1f, %.1f) in frame %d", tipX, tipY, position)
                .isGreaterThanOrEqualTo(samples / 4);
        // the recording itself is grey there: the colour is the burned-in overlay
        byte[] raw = RecorderProbe.rgbFrame(RecordedFrames.load(session).video(frames.segmentOf(position)),
                position - frames.segmentStart(frames.segmentOf(position)), 320, 240);
        int i = ((int) tipY * 320 + (int) tipX + 9) * 3;
        assertThat(Math.abs((raw[i] & 0xff) - (raw[i + 1] & 0xff))).isLessThanOrEqualTo(2);
    }

    /**
     * An exported case stored in a teaching-file archive (a real one: {@link StoreScp}) with {@code intravis send},
     * and read back from the archive with every recorded frame; an archive that is not there is a one-line error.
     */
    @Test
    void anExportedCaseIsSentToAnArchive() throws Exception {
        Path session = RecordReplayTest.record(dir, 2.0);
        Path dcm = dir.resolve("out").resolve("case.dcm");
        CommandRun.Result r = exported(session, dcm);
        try (StoreScp archive = StoreScp.start(dir.resolve("archive"), "+xa")) {
            r = CommandLineErrorsTest.run("send", "--file", dcm.toString(), "--to", archive.destination());
            assertThat(r.code()).as("send: %s %s", r.out(), r.err()).isZero();
            assertThat(r.out()).contains("stored case.dcm in " + archive.destination());
            assertThat(archive.stored()).hasSize(1);
            int frames = 0;
            try (FrameSource s = FrameSources.create("dicom:" + archive.stored().get(0) + "?pace=fast")) {
                s.open();
                FrameSlot slot = new FrameSlot(0, s.geometry(), false);
                FrameSource.Read read;
                while ((read = s.readInto(slot)) != FrameSource.Read.END) {
                    frames += read == FrameSource.Read.FRAME ? 1 : 0;
                }
            }
            assertThat(frames).as("every recorded frame, from the archive's copy")
                    .isEqualTo(RecordedFrames.load(session).count());

            // export and send in one command: a second instance (new UIDs) in the archive
            r = exported(session, dir.resolve("out").resolve("again.dcm"), "--send", archive.destination());
            assertThat(r.out()).contains("stored again.dcm in " + archive.destination());
            assertThat(archive.stored()).hasSize(2);
        }
        r = CommandLineErrorsTest.run("export", "--recording", session.toString(), "--output",
                dir.resolve("out").resolve("case.mp4").toString(), "--send", "PACS@127.0.0.1:104");
        assertThat(r.code()).isEqualTo(Intravis.EXIT_USER_ERROR);
        assertThat(r.err()).contains("--send stores a DICOM file");
        r = CommandLineErrorsTest.run("export", "--recording", session.toString(), "--output",
                dir.resolve("out").resolve("never.dcm").toString(), "--send", "PACS@nowhere");
        assertThat(r.code()).isEqualTo(Intravis.EXIT_USER_ERROR);
        assertThat(r.err()).contains("is not AE@host:port");
        assertThat(dir.resolve("out").resolve("never.dcm")).as("refused before the export").doesNotExist();
        int nobody = StoreScp.freePort();
        r = CommandLineErrorsTest.run("send", "--file", dcm.toString(), "--to", "PACS@127.0.0.1:" + nobody,
                "--retries", "1", "--retry-wait-s", "1");
        assertThat(r.code()).isEqualTo(Intravis.EXIT_USER_ERROR);
        assertThat(r.err()).contains("not stored yet: cannot reach PACS@127.0.0.1:" + nobody)
                .contains("trying again in 1 s (1 of 2 tries)")
                .contains("not stored: cannot reach PACS@127.0.0.1:" + nobody).contains("(tried 2 times, 1 s apart)");
        r = CommandLineErrorsTest.run("send", "--file", dcm.toString(), "--to", "PACS");
        assertThat(r.code()).isEqualTo(Intravis.EXIT_USER_ERROR);
        assertThat(r.err()).contains("is not AE@host:port");
    }

    /**
     * The same over DICOM's secure transport: {@code send --tls-trust --tls-cert --tls-key} and {@code export --send}
     * with them store in an archive that speaks TLS only and demands a caller's certificate (storescp with the test
     * certificates); without this side's certificate, or with --tls and no --send, a one-line error says what to give.
     */
    @Test
    void anExportedCaseIsSentOverTls() throws Exception {
        Path session = RecordReplayTest.record(dir, 1.0);
        Path dcm = dir.resolve("out").resolve("case.dcm");
        exported(session, dcm);
        Path certs = dir.resolve("certs");
        String[] tls = {"--tls-trust", StoreScp.tlsFile(certs, "ca.pem").toString(),
                "--tls-cert", StoreScp.tlsFile(certs, "client.pem").toString(),
                "--tls-key", StoreScp.tlsFile(certs, "client.key").toString()};
        try (StoreScp archive = StoreScp.startTls(dir.resolve("archive"), "archive", "+xa")) {
            CommandRun.Result r = CommandLineErrorsTest.run(concat(new String[] {"send", "--file", dcm.toString(),
                    "--to", archive.destination()}, tls));
            assertThat(r.code()).as("send: %s %s", r.out(), r.err()).isZero();
            assertThat(r.out()).contains("stored case.dcm in " + archive.destination() + " over TLS");
            r = exported(session, dir.resolve("out").resolve("again.dcm"),
                    concat(new String[] {"--send", archive.destination()}, tls));
            assertThat(r.out()).contains("stored again.dcm in " + archive.destination() + " over TLS");
            assertThat(archive.stored()).hasSize(2);

            r = CommandLineErrorsTest.run("send", "--file", dcm.toString(), "--to", archive.destination(),
                    "--tls-trust", tls[1], "--retries", "0");
            assertThat(r.code()).isEqualTo(Intravis.EXIT_USER_ERROR);
            assertThat(r.err()).contains("it wants this side's certificate: give one (--tls-cert, --tls-key)");
            assertThat(archive.stored()).hasSize(2);
        }
        CommandRun.Result r = CommandLineErrorsTest.run("send", "--file", dcm.toString(), "--to", "PACS@127.0.0.1:104",
                "--tls-cert", tls[3]);
        assertThat(r.code()).isEqualTo(Intravis.EXIT_USER_ERROR);
        assertThat(r.err()).contains("give both or neither");
        r = CommandLineErrorsTest.run("export", "--recording", session.toString(), "--output",
                dir.resolve("out").resolve("never.dcm").toString(), "--tls");
        assertThat(r.code()).isEqualTo(Intravis.EXIT_USER_ERROR);
        assertThat(r.err()).contains("--tls is for --send");
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    /**
     * A recording exported as a DICOM cine (for a PACS or a teaching file) reads back frame for frame: as many frames
     * as recorded, each at its recorded time (the Frame Time Vector), the pictures those of a lossless export of the
     * same recording within JPEG's loss, with the burned-in overlay; the header says what the object is.
     */
    @Test
    void exportToDicomReadsBackFrameForFrame() throws Exception {
        Path session = RecordReplayTest.record(dir, 2.0);
        Path dcm = dir.resolve("out").resolve("case.dcm");
        Path lossless = dir.resolve("out").resolve("case.mkv");
        CommandRun.Result r = exported(session, dcm);
        assertThat(r.out()).contains("DICOM, JPEG baseline");
        r = exported(session, lossless, "--codec", "ffv1");

        RecordedFrames frames = RecordedFrames.load(session);
        List<byte[]> pictures = new java.util.ArrayList<>();
        List<Long> pts = new java.util.ArrayList<>();
        try (FrameSource s = FrameSources.create("dicom:" + dcm + "?pace=fast&format=bgr")) {
            s.open();
            assertThat(s.geometry().maxWidth()).isEqualTo(320);
            assertThat(s.geometry().maxHeight()).isEqualTo(240);
            FrameSlot slot = new FrameSlot(0, s.geometry(), false);
            FrameSource.Read read;
            while ((read = s.readInto(slot)) != FrameSource.Read.END) {
                if (read == FrameSource.Read.FRAME) {
                    byte[] b = new byte[slot.frameBytes()];
                    slot.pixels().get(0, b);
                    pictures.add(b);
                    pts.add(slot.sourcePtsMicros());
                }
            }
        }
        assertThat(pictures).as("every recorded frame").hasSize(frames.count());
        for (int p = 0; p < frames.count(); p++) {
            long ms = frames.tUs(p) / 1000 - frames.tUs(0) / 1000; // the vector's millisecond steps, summed
            assertThat(pts.get(p)).as("frame %d's time", p).isEqualTo(ms * 1000);
        }
        for (int p : new int[] {0, frames.count() / 2, frames.count() - 1}) {
            byte[] rgb = RecorderProbe.rgbFrame(lossless, p, 320, 240);
            byte[] bgr = pictures.get(p);
            long sum = 0;
            for (int i = 0; i < rgb.length; i += 3) {
                sum += Math.abs((rgb[i] & 0xff) - (bgr[i + 2] & 0xff))
                        + Math.abs((rgb[i + 1] & 0xff) - (bgr[i + 1] & 0xff))
                        + Math.abs((rgb[i + 2] & 0xff) - (bgr[i] & 0xff));
            }
            assertThat((double) sum / rgb.length).as("frame %d: mean difference from the lossless export", p)
                    .isLessThan(3.0);
        }
        String header = new String(Files.readAllBytes(dcm), 0, 2000, java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThat(header).startsWith("\0".repeat(128) + "DICM").contains("1.2.840.10008.5.1.4.1.1.7.4")
                .contains("1.2.840.10008.1.2.4.50").contains("DERIVED\\SECONDARY").contains("YBR_FULL_422");
        try (Stream<Path> left = Files.list(dcm.getParent())) {
            assertThat(left.map(f -> f.getFileName().toString())).as("no temporary files left")
                    .containsExactlyInAnyOrder("case.dcm", "case.mkv");
        }

        r = CommandLineErrorsTest.run("export", "--recording", session.toString(), "--output", dcm.toString(),
                "--codec", "h264");
        assertThat(r.code()).isEqualTo(Intravis.EXIT_USER_ERROR);
        assertThat(r.err()).contains("a .dcm export has JPEG baseline frames");
    }

    @Test
    void exportOfAFolderThatIsNoRecordingIsAClearError() {
        CommandRun.Result r = CommandLineErrorsTest.run("export", "--recording", dir.toString(),
                "--output", dir.resolve("x.mp4").toString());
        assertThat(r.code()).isEqualTo(Intravis.EXIT_USER_ERROR);
        assertThat(r.err()).contains("no closed segment").doesNotContain("\tat ");
    }

    @Test
    void aZoneSmoothingWeightOutsideItsRangeIsAClearError() {
        CommandRun.Result r = CommandLineErrorsTest.run("analyze", "--input", PLUS_SAMPLE.toString(),
                "--output", dir.resolve("never").toString(), "--zone-smoothing", "0");
        assertThat(r.code()).isEqualTo(Intravis.EXIT_USER_ERROR);
        assertThat(r.err()).contains("zone smoothing weight must be in (0, 1] (1: off), was 0.0").doesNotContain("\tat ");
        assertThat(dir.resolve("never")).doesNotExist();
    }

    /** Frames a source delivers to the end, counted by reading them (independently of analyze). */
    static long countFrames(String uri) throws Exception {
        FrameSource s = FrameSources.create(uri);
        try {
            s.open();
            FrameGeometry g = s.geometry();
            FrameSlot slot = new FrameSlot(0, g, false);
            long n = 0;
            while (true) {
                FrameSource.Read r = s.readInto(slot);
                if (r == FrameSource.Read.END) {
                    return n;
                }
                if (r == FrameSource.Read.FRAME) {
                    n++;
                }
            }
        } finally {
            s.close();
        }
    }

    static void assertEveryFrameAnnotated(Path out, long frames) throws Exception {
        List<String> lines = Files.readAllLines(out.resolve("annotations.jsonl"));
        assertThat(lines).as("one overlay line per frame").hasSize((int) frames);
        for (int i = 0; i < lines.size(); i++) {
            JsonNode n = JSON.readTree(lines.get(i));
            assertThat(n.get("type").asText()).isEqualTo("overlay");
            assertThat(n.get("frameId").asLong()).as("line %d", i).isEqualTo(i);
            assertThat(n.get("status").asText()).as("line %d", i).isEqualTo("VALID");
            assertThat(n.get("model").get("version").asText()).isEqualTo("0.0.1-standin");
        }
        JsonNode summary = JSON.readTree(out.resolve("summary.json").toFile());
        assertThat(summary.get("frames").asLong()).isEqualTo(frames);
        assertThat(summary.get("failed").asLong()).isZero();
    }

    @Test
    void analyzeAnnotatesEveryFrameOfARealUltrasoundSequence() throws Exception {
        long frames = countFrames("plus:" + PLUS_SAMPLE.toAbsolutePath() + "?pace=fast");
        Path out = dir.resolve("analysis");
        CommandRun.Result r = CommandLineErrorsTest.run("analyze", "--input", PLUS_SAMPLE.toString(),
                "--output", out.toString(), "--model", MODEL, "--video", "--batch", "4");
        assertThat(r.code()).as("analyze: %s %s", r.out(), r.err()).isZero();
        assertThat(r.out()).contains("analyzed " + frames + " frames");
        assertEveryFrameAnnotated(out, frames);
        String[] probe = RecorderProbe.probe(out.resolve("annotated.mp4"));
        assertThat(probe[0]).isEqualTo("h264");
        assertThat(Long.parseLong(probe[1])).isEqualTo(frames);
    }

    /**
     * A DICOM cine as a PACS exports it (no file extension: found by its content) is analysed frame by frame: the
     * JPEG-compressed loop of the capture module's DICOM fixtures, 10 frames at its own 20 fps.
     */
    @Test
    void analyzeReadsADicomCineFoundByItsContent() throws Exception {
        Path cine = Files.copy(Path.of("../capture/src/test/resources/dicom/cine-jpeg.dcm"), dir.resolve("IM000001"));
        Path out = dir.resolve("dicom-analysis");
        CommandRun.Result r = CommandLineErrorsTest.run("analyze", "--input", cine.toString(),
                "--output", out.toString(), "--model", MODEL, "--video");
        assertThat(r.code()).as("analyze: %s %s", r.out(), r.err()).isZero();
        assertThat(r.out()).contains("analyzed 10 frames");
        assertEveryFrameAnnotated(out, 10);
        String[] probe = RecorderProbe.probe(out.resolve("annotated.mp4"));
        assertThat(probe[0]).isEqualTo("h264");
        assertThat(Long.parseLong(probe[1])).isEqualTo(10);
    }

    /**
     * A candidate model is analysed from a models dir without building it into a jar: {@code --models-dir} is looked
     * in first (here the stand-in under another version, found only there), and a dir that is not there is a clear
     * error rather than a quiet run of the bundled model, for analyze and evaluate alike.
     */
    @Test
    void analyzeTakesACandidateFromAModelsDirAndRefusesAMissingOne() throws Exception {
        Path candidate = dir.resolve("models").resolve("standin-ultrasound");
        Files.createDirectories(candidate);
        Path onnx = Path.of(MODEL);
        Files.copy(onnx, candidate.resolve("standin-ultrasound.onnx"));
        Files.writeString(candidate.resolve("standin-ultrasound.json"), Files.readString(
                onnx.resolveSibling("standin-ultrasound.json")).replace("\"0.0.1-standin\"", "\"0.0.2-candidate\""));
        Path out = dir.resolve("analysis");
        CommandRun.Result r = CommandLineErrorsTest.run("analyze", "--input", PLUS_SAMPLE.toString(),
                "--output", out.toString(), "--model", "standin-ultrasound", "--models-dir",
                dir.resolve("models").toString(), "--max-frames", "2");
        assertThat(r.code()).as("analyze: %s %s", r.out(), r.err()).isZero();
        assertThat(r.out()).contains("with standin-ultrasound 0.0.2-candidate");

        Path missing = dir.resolve("no-such-models");
        r = CommandLineErrorsTest.run("analyze", "--input", PLUS_SAMPLE.toString(), "--output",
                dir.resolve("never").toString(), "--models-dir", missing.toString());
        assertThat(r.code()).isEqualTo(Intravis.EXIT_USER_ERROR);
        assertThat(r.err()).contains("models dir " + missing + " is not a directory").doesNotContain("\tat ");
        r = CommandLineErrorsTest.run("evaluate", "--model", "ultrasound", "--images", dir.toString(),
                "--report", dir.resolve("report.json").toString(), "--models-dir", missing.toString());
        assertThat(r.code()).isEqualTo(Intravis.EXIT_USER_ERROR);
        assertThat(r.err()).contains("models dir " + missing + " is not a directory").doesNotContain("\tat ");
    }

    /**
     * Two analyses of one real needle video give the same overlay on every frame: the tips move on the video's own
     * clock (not on how fast this machine read the frames) and every frame gets the full graph (no step down to the
     * cheaper one on a busy machine). Before, on the whole clip: tips up to 11 px apart and 17 frames run on the
     * single-pass graph in one run of two.
     */
    @Test
    void analyzingARealNeedleVideoTwiceGivesTheSameOverlays() throws Exception {
        Path frames = Path.of("../gpu-inference/src/test/resources/real-needle/images").toAbsolutePath().normalize();
        String input = "images:" + frames + "?fps=15&loop=true"; // 28 frames, played four times over
        List<List<String>> runs = new java.util.ArrayList<>();
        for (int run = 0; run < 2; run++) {
            Path out = dir.resolve("needle-" + run);
            CommandRun.Result r = CommandLineErrorsTest.run("analyze", "--input", input, "--output", out.toString(),
                    "--max-frames", "112");
            assertThat(r.code()).as("analyze: %s %s", r.out(), r.err()).isZero();
            List<String> overlays = new java.util.ArrayList<>();
            int tips = 0;
            for (String line : Files.readAllLines(out.resolve("annotations.jsonl"))) {
                JsonNode n = JSON.readTree(line);
                if (!"overlay".equals(n.path("type").asText())) {
                    continue;
                }
                assertThat(n.at("/model/variant").asText()).as("frame %s", n.get("frameId")).isEqualTo("full");
                tips += n.get("tips").size();
                // what the overlay shows; the stage times are this run's own
                overlays.add(n.get("frameId") + " " + n.get("tips") + " " + n.get("lines") + " " + n.get("zones")
                        + " " + n.get("distances") + " " + n.get("alerts"));
            }
            assertThat(overlays).hasSize(112);
            assertThat(tips).as("tips shown").isGreaterThan(100);
            runs.add(overlays);
        }
        for (int i = 0; i < runs.get(0).size(); i++) {
            assertThat(runs.get(1).get(i)).isEqualTo(runs.get(0).get(i));
        }
    }

    /**
     * A video damaged in the middle (a tenth of a real H.264 stream overwritten) is analysed past the damage, and the
     * run says so: a warning, summary.json's inputDamage, and frames.jsonl's times show where frames are missing.
     * Before, the result looked whole, only shorter, and frames.jsonl called its frame numbers positions in the input.
     */
    @Test
    void analyzingADamagedVideoSaysWhatWasLost() throws Exception {
        Path whole = dir.resolve("whole.ts"); // 100 frames at 25 fps, a key frame every 10: damage recovers soon
        Process ffmpeg = new ProcessBuilder("ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i",
                "testsrc2=size=320x240:rate=25", "-frames:v", "100", "-c:v", "libx264", "-preset", "ultrafast",
                "-g", "10", whole.toString()).redirectErrorStream(true).start();
        String log = new String(ffmpeg.getInputStream().readAllBytes());
        assertThat(ffmpeg.waitFor()).as("ffmpeg: %s", log).isZero();
        byte[] bytes = Files.readAllBytes(whole);
        java.util.Random random = new java.util.Random(11);
        for (int i = bytes.length / 2; i < bytes.length / 2 + bytes.length / 10; i++) {
            bytes[i] = (byte) random.nextInt();
        }
        Path damaged = Files.write(dir.resolve("damaged.ts"), bytes);

        Path out = dir.resolve("whole-analysis");
        CommandRun.Result r = CommandLineErrorsTest.run("analyze", "--input", whole.toString(), "--output",
                out.toString(), "--model", MODEL);
        assertThat(r.code()).as("analyze: %s %s", r.out(), r.err()).isZero();
        assertThat(r.err()).doesNotContain("warning");
        assertThat(JSON.readTree(out.resolve("summary.json").toFile()).has("inputDamage")).isFalse();

        out = dir.resolve("damaged-analysis");
        r = CommandLineErrorsTest.run("analyze", "--input", damaged.toString(), "--output", out.toString(),
                "--model", MODEL);
        assertThat(r.code()).as("analyze: %s %s", r.out(), r.err()).isZero();
        assertThat(r.err()).contains("warning: the input is damaged");
        JsonNode summary = JSON.readTree(out.resolve("summary.json").toFile());
        long frames = summary.get("frames").asLong();
        assertThat(frames).isBetween(50L, 99L);
        assertThat(summary.get("inputDamage").asText()).contains(frames + " frames delivered").contains("frames missing");
        assertEveryFrameAnnotated(out, frames);
        List<String> index = Files.readAllLines(out.resolve("frames.jsonl"));
        long largestGapUs = 0;
        for (int i = 1; i < index.size(); i++) {
            largestGapUs = Math.max(largestGapUs, JSON.readTree(index.get(i)).get("ptsUs").asLong()
                    - JSON.readTree(index.get(i - 1)).get("ptsUs").asLong());
        }
        assertThat(largestGapUs).as("the damaged stretch shows in the times").isGreaterThan(3 * 40_000L);
    }

    /**
     * An image folder's frames.jsonl names each frame's image, so an unreadable image in between (skipped, counted
     * and reported) does not leave every later frame's annotations pinned to the wrong file.
     */
    @Test
    void analyzingAnImageFolderNamesEachFramesImageAndTheOneItSkipped() throws Exception {
        Path frames = Files.createDirectories(dir.resolve("frames"));
        Path real = Path.of("../gpu-inference/src/test/resources/real-needle/images");
        List<Path> four;
        try (Stream<Path> s = Files.list(real)) {
            four = s.sorted().limit(4).toList();
        }
        for (Path p : four) {
            Files.copy(p, frames.resolve(p.getFileName()));
        }
        String broken = four.get(1).getFileName().toString();
        Files.write(frames.resolve(broken), java.util.Arrays.copyOf(Files.readAllBytes(four.get(1)), 2000));
        Path out = dir.resolve("images-analysis");
        CommandRun.Result r = CommandLineErrorsTest.run("analyze", "--input", frames.toString(), "--output",
                out.toString(), "--model", MODEL);
        assertThat(r.code()).as("analyze: %s %s", r.out(), r.err()).isZero();
        assertThat(r.err()).contains("warning: the input is damaged");
        assertThat(JSON.readTree(out.resolve("summary.json").toFile()).get("inputDamage").asText())
                .contains("skipped 1 unreadable").contains(broken);
        List<String> named = new java.util.ArrayList<>();
        for (String line : Files.readAllLines(out.resolve("frames.jsonl"))) {
            named.add(JSON.readTree(line).get("image").asText());
        }
        assertThat(named).containsExactly(four.get(0).getFileName().toString(), four.get(2).getFileName().toString(),
                four.get(3).getFileName().toString());
    }

    @Test
    void analyzeAnnotatesEveryFrameOfTheSharedPlusSequences() throws Exception {
        Path sharedPlus = SharedData.require("plus-sequences");
        List<Path> sequences;
        try (Stream<Path> s = Files.list(sharedPlus)) {
            sequences = s.filter(p -> p.getFileName().toString().endsWith(".igs.mha")).sorted().toList();
        }
        assertThat(sequences).isNotEmpty();
        for (Path seq : sequences) {
            long frames = countFrames("plus:" + seq + "?pace=fast");
            Path out = dir.resolve(seq.getFileName().toString());
            CommandRun.Result r = CommandLineErrorsTest.run("analyze", "--input", seq.toString(),
                    "--output", out.toString(), "--model", MODEL, "--batch", "4");
            assertThat(r.code()).as("analyze %s: %s %s", seq, r.out(), r.err()).isZero();
            assertEveryFrameAnnotated(out, frames);
        }
    }
}
