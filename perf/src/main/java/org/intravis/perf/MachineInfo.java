package org.intravis.perf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Where and when figures were measured: cores, CPU model, memory, GPU (nvidia-smi, when there is one), JDK, OS,
 * date, git commit, and the load average (this machine is shared, and figures taken under load say so).
 */
final class MachineInfo {
    private MachineInfo() {
    }

    static Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("cpu", cpuModel());
        m.put("memory_gib", Math.round(totalMemoryBytes() / (1024.0 * 1024 * 1024) * 10) / 10.0);
        m.put("gpu", gpu());
        m.put("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        m.put("date", OffsetDateTime.now().truncatedTo(ChronoUnit.SECONDS).toString());
        String[] git = gitCommit();
        m.put("git_commit", git[0]);
        m.put("git_dirty", git[1]);
        m.put("load_average", loadAverage());
        m.put("max_heap_mib", Runtime.getRuntime().maxMemory() / (1024 * 1024));
        return m;
    }

    /** The 1, 5 and 15 minute load averages, as /proc/loadavg gives them ("" when unknown). */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return System.getProperty("os.arch");
    }

    private static long totalMemoryBytes() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return 0;
    }

    /** "name, driver, memory" per GPU, or null without nvidia-smi. */
    static String gpu() {
        String out = run(List.of("nvidia-smi", "--query-gpu=name,driver_version,memory.total",
                "--format=csv,noheader"));
        return out == null || out.isBlank() ? null : out.strip().replace('\n', ';');
    }

    /** The commit (INTRAVIS_COMMIT overrides it where there is no git) and whether the tree had changes. */
    static String[] gitCommit() {
        String env = System.getenv("INTRAVIS_COMMIT");
        if (env != null && !env.isBlank()) {
            String dirty = System.getenv("INTRAVIS_DIRTY");
            return new String[] {env.strip(), dirty == null ? "unknown" : dirty.strip()};
        }
        String head = run(List.of("git", "rev-parse", "--short=12", "HEAD"));
        if (head == null || head.isBlank()) {
            return new String[] {"unknown", "unknown"};
        }
        String status = run(List.of("git", "status", "--porcelain", "--untracked-files=no"));
        return new String[] {head.strip(), status == null ? "unknown" : Boolean.toString(!status.isBlank())};
    }

    private static String run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroy();
                return null;
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
