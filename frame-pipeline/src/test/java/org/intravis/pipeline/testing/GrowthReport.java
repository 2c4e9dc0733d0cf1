package org.intravis.pipeline.testing;

import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What the endurance measurements sample and how they report it: this process's memory, threads and open files, and
 * every figure's straight-line growth per hour after a settling time (then every sample). Linux ({@code /proc}).
 */
public final class GrowthReport {
    public static final double MB = 1024.0 * 1024.0;

    private GrowthReport() {
    }

    /**
     * This JVM into {@code s}: resident memory, heap after the last collection and now, NIO direct buffers, threads,
     * open files.
     */
    public static void sampleThisProcess(Map<String, Double> s) throws IOException {
        s.put("rss_mb", statusKb(Paths.get("/proc/self/status"), "VmRSS:") / 1024.0);
        long afterGc = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getCollectionUsage() != null) {
                afterGc += pool.getCollectionUsage().getUsed();
            }
        }
        s.put("heap_after_gc_mb", afterGc / MB);
        s.put("heap_used_mb", ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / MB);
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                s.put("nio_direct_mb", pool.getMemoryUsed() / MB);
            }
        }
        s.put("threads", (double) ManagementFactory.getThreadMXBean().getThreadCount());
        try (Stream<Path> fds = Files.list(Paths.get("/proc/self/fd"))) {
            s.put("open_files", (double) fds.count());
        }
    }

    /** A field of a {@code /proc} status-like file ({@code VmRSS:}, {@code Pss:}) in kB; -1 when absent. */
    public static long statusKb(Path status, String field) throws IOException {
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
            }
        }
        return -1;
    }

    /**
     * {@code title} and {@code about} as a heading and a paragraph, each figure's growth per hour fitted after
     * {@code settleMinutes} (samples carry their time as {@code minute}), then every sample.
     */
    public static String markdown(String title, String about, List<Map<String, Double>> samples, double settleMinutes) {
        StringBuilder out = new StringBuilder();
        out.append("# ").append(title).append("\n\n").append(about).append("\n\n");
        List<String> keys = new ArrayList<>();
        for (Map<String, Double> s : samples) {
            for (String k : s.keySet()) {
                if (!keys.contains(k)) {
                    keys.add(k);
                }
            }
        }
        out.append("## Growth after the first ").append(settleMinutes).append(" minutes (least-squares line)\n\n");
        out.append("| figure | first | last | min | max | growth per hour |\n| --- | --- | --- | --- | --- | --- |\n");
        for (String k : keys) {
            if (k.equals("minute")) {
                continue;
            }
            List<double[]> points = new ArrayList<>();
            for (Map<String, Double> s : samples) {
                if (s.get("minute") >= settleMinutes && s.containsKey(k)) {
                    points.add(new double[] {s.get("minute"), s.get(k)});
                }
            }
            if (points.size() < 2) {
                continue;
            }
            double min = Double.MAX_VALUE;
            double max = -Double.MAX_VALUE;
            for (double[] p : points) {
                min = Math.min(min, p[1]);
                max = Math.max(max, p[1]);
            }
            out.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.1f | %.1f | %.1f |%n", k, points.get(0)[1],
                    points.get(points.size() - 1)[1], min, max, slope(points) * 60));
        }
        out.append("\n## Samples\n\n| ").append(String.join(" | ", keys)).append(" |\n|");
        out.append(" --- |".repeat(keys.size())).append('\n');
        for (Map<String, Double> s : samples) {
            out.append('|');
            for (String k : keys) {
                Double v = s.get(k);
                out.append(' ').append(v == null ? "-" : String.format(Locale.ROOT, "%.1f", v)).append(" |");
            }
            out.append('\n');
        }
        return out.toString();
    }

    /** Least-squares slope of y over x ({x, y} points). */
    public static double slope(List<double[]> points) {
        double mx = 0;
        double my = 0;
        for (double[] p : points) {
            mx += p[0];
            my += p[1];
        }
        mx /= points.size();
        my /= points.size();
        double sxy = 0;
        double sxx = 0;
        for (double[] p : points) {
            sxy += (p[0] - mx) * (p[1] - my);
            sxx += (p[0] - mx) * (p[0] - mx);
        }
        return sxx == 0 ? 0 : sxy / sxx;
    }

    /** The machine, for a report's first lines. */
    public static String machine() throws IOException {
        return Runtime.getRuntime().availableProcessors() + " cores (" + System.getProperty("os.name") + ' '
                + System.getProperty("os.arch") + "), Java " + System.getProperty("java.version")
                + ", load average at start " + Files.readString(Paths.get("/proc/loadavg")).trim();
    }
}
