package org.intravis.capture.ffmpeg;

import org.intravis.capture.FfmpegCli;
import org.intravis.capture.FrameSources;
import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.FrameSource;
import org.intravis.pipeline.testing.GrowthReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.DatagramSocket;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A live source reconnects by itself, again and again in a day of an unreliable network: does each reconnect leave
 * something behind (an FFmpeg demuxer, decoder or scaler, a socket, a thread)? The FFmpeg CLI sends MPEG-TS over
 * UDP for {@code -Dmeasure.upSeconds} (default 4), stops for {@code -Dmeasure.downSeconds} (default 1) and starts
 * again, for {@code -Dmeasure.minutes} (default 10), while a capture thread reads the {@code udp://} source; every
 * {@code -Dmeasure.everySeconds} (default 15) the process's memory, JavaCPP's native allocations, threads, open files,
 * frames and reconnects are noted, and after {@code -Dmeasure.settleMinutes} (default 2) fitted with a line. Not a
 * unit test (the class name keeps it out of the default run); no assertion on figures:
 * <pre>
 *   mvn -B -pl capture -am test -Dtest=ReconnectEnduranceMeasurement -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 * Results: stdout and target/reconnect-endurance.md.
 */
class ReconnectEnduranceMeasurement {
    @Test
    @Timeout(value = 24, unit = TimeUnit.HOURS) // the suite's 5 minutes: too short
    void measure() throws Exception {
        double minutes = Double.parseDouble(System.getProperty("measure.minutes", "10"));
        int up = Integer.getInteger("measure.upSeconds", 4);
        int down = Integer.getInteger("measure.downSeconds", 1);
        int every = Integer.getInteger("measure.everySeconds", 15);
        double settle = Double.parseDouble(System.getProperty("measure.settleMinutes", "2"));
        int port;
        try (DatagramSocket s = new DatagramSocket(0)) {
            port = s.getLocalPort();
        }
        String started = java.time.Instant.now() + " on " + GrowthReport.machine();
        List<Map<String, Double>> samples = new ArrayList<>();
        AtomicLong frames = new AtomicLong();
        Process sender = null;
        try (FrameSource source = FrameSources.create("udp://127.0.0.1:" + port
                + "?timeoutMs=1000&reconnectInitialMs=100&reconnectMaxMs=400")) {
            sender = send(port);
            source.open();
            Thread capture = new Thread(() -> {
                FrameSlot slot = new FrameSlot(0, source.geometry(), false);
                while (!Thread.currentThread().isInterrupted()) {
                    try {
                        if (source.readInto(slot) == FrameSource.Read.FRAME) {
                            frames.incrementAndGet();
                        }
                    } catch (Exception e) {
                        return; // closed
                    }
                }
            }, "capture");
            capture.start();
            long t0 = System.nanoTime();
            long end = t0 + Math.round(minutes * 60e9);
            long nextSample = t0;
            long nextToggle = t0 + up * 1_000_000_000L;
            int restarts = 0;
            while (System.nanoTime() < end) {
                long now = System.nanoTime();
                if (now >= nextSample) {
                    Map<String, Double> s = new LinkedHashMap<>();
                    s.put("minute", (now - t0) / 60e9);
                    GrowthReport.sampleThisProcess(s);
                    s.put("javacpp_mb", org.bytedeco.javacpp.Pointer.totalBytes() / GrowthReport.MB);
                    s.put("frames", (double) frames.get());
                    s.put("sender_restarts", (double) restarts);
                    s.put("reconnects", (double) ((LiveSource) source).reconnects());
                    samples.add(s);
                    System.out.println("reconnect endurance " + s);
                    nextSample += every * 1_000_000_000L;
                }
                if (now >= nextToggle) {
                    if (sender != null) {
                        FfmpegCli.stop(sender);
                        sender = null;
                        nextToggle = now + down * 1_000_000_000L;
                    } else {
                        sender = send(port);
                        restarts++;
                        nextToggle = now + up * 1_000_000_000L;
                    }
                }
                Thread.sleep(50);
            }
            capture.interrupt();
            source.close();
            capture.join(10_000);
        } finally {
            FfmpegCli.stop(sender);
        }
        String report = GrowthReport.markdown(String.format(Locale.ROOT,
                "A live source reconnecting for %.0f minutes", minutes), "Started " + started + ". The FFmpeg CLI "
                + "sends 320x240 MPEG-2 in MPEG-TS over UDP at 25 fps for " + up + " s, stops for " + down
                + " s, starts again; a capture thread reads the udp:// source (timeout 1 s, back-off 100-400 ms).",
                samples, settle);
        System.out.println(report);
        Files.createDirectories(Paths.get("target"));
        Files.writeString(Paths.get("target", "reconnect-endurance.md"), report);
    }

    private static Process send(int port) throws Exception {
        return FfmpegCli.start("-re", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-c:v", "mpeg2video",
                "-g", "5", "-b:v", "1M", "-f", "mpegts", "udp://127.0.0.1:" + port + "?pkt_size=1316");
    }
}
