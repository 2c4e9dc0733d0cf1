package org.intravis.capture;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Test inputs made by the real FFmpeg command-line tool (Debian's {@code ffmpeg}), at test time. */
public final class FfmpegCli {
    private FfmpegCli() {
    }

    /** Runs {@code ffmpeg -y -loglevel error ARGS...} to completion and returns {@code out}. */
    public static Path run(Path out, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-nostdin", "-y", "-hide_banner", "-loglevel", "error"));
        cmd.addAll(List.of(args));
        cmd.add(out.toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0
                || (!out.toString().contains("%") && !Files.exists(out))) {
            p.destroyForcibly();
            throw new IOException("ffmpeg failed (" + String.join(" ", cmd) + "): " + log);
        }
        return out;
    }

    /**
     * A test-pattern video ({@code testsrc2}: moving colour pattern and a frame counter).
     *
     * @param codecArgs e.g. {@code "-c:v", "libx264", "-g", "10"}
     */
    public static Path testVideo(Path out, int width, int height, int fps, int frames, String... codecArgs)
            throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("-f", "lavfi", "-i",
                "testsrc2=size=" + width + "x" + height + ":rate=" + fps, "-frames:v", Integer.toString(frames)));
        args.addAll(List.of(codecArgs));
        return run(out, args.toArray(new String[0]));
    }

    /** Starts a long-running ffmpeg (a stream sender); the caller stops it with {@link #stop(Process)}. */
    public static Process start(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error"));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    public static void stop(Process p) throws InterruptedException {
        if (p == null) {
            return;
        }
        p.destroy();
        if (!p.waitFor(5, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
