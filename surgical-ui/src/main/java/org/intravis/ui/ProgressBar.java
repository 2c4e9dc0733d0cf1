package org.intravis.ui;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress of an offline tool on the terminal: one line rewritten in place ({@code \r}) with a bar, frames done
 * out of the total, frames per second and the time left, at most five times a second. When the output is not a
 * terminal (a log file, CI) it prints a plain line every few seconds instead, so logs stay readable.
 */
final class ProgressBar {
    private static final int WIDTH = 28;

    private final PrintStream out;
    private final String label;
    private final boolean terminal;
    private final long intervalNanos;
    private long startNanos = System.nanoTime();
    private long total;
    private long done;
    private long lastPrintNanos;
    private int lastLength;

    /** @param total frames expected, or -1 when unknown (then no bar and no time left) */
    ProgressBar(PrintStream out, String label, long total) {
        this(out, label, total, System.console() != null);
    }

    ProgressBar(PrintStream out, String label, long total, boolean terminal) {
        this.out = out;
        this.label = label;
        this.total = total;
        this.terminal = terminal;
        this.intervalNanos = terminal ? 200_000_000L : 5_000_000_000L;
    }

    /** Sets the total and starts the clock (the work starts now: files are open, models loaded). */
    void total(long t) {
        total = t;
        startNanos = System.nanoTime();
    }

    /** Reports {@code done} frames; prints when the interval has passed. */
    void update(long done) {
        this.done = done;
        long now = System.nanoTime();
        if (lastPrintNanos == 0) {
            lastPrintNanos = now; // the first line after one interval, when the rate means something
            return;
        }
        if (now - lastPrintNanos < intervalNanos) {
            return;
        }
        lastPrintNanos = now;
        print(done, now, false);
    }

    /** Prints the final state (the frames last reported done) and ends the line. */
    void finish() {
        print(done, System.nanoTime(), true);
    }

    String line(long done, long now) {
        double seconds = Math.max(1e-3, (now - startNanos) / 1e9);
        double fps = done / seconds;
        StringBuilder s = new StringBuilder(label).append(' ');
        if (total > 0) {
            double f = Math.min(1, (double) done / total);
            int filled = (int) Math.round(f * WIDTH);
            s.append('[').append("#".repeat(filled)).append("-".repeat(WIDTH - filled)).append("] ");
            s.append(done).append('/').append(total).append(" frames ");
            s.append(String.format(Locale.ROOT, "%3.0f%% ", f * 100));
        } else {
            s.append(done).append(" frames ");
        }
        s.append(String.format(Locale.ROOT, "%.1f fps", fps));
        if (total > 0 && done < total && fps > 0) {
            s.append(" ETA ").append(duration((total - done) / fps));
        } else {
            s.append(" elapsed ").append(duration(seconds));
        }
        return s.toString();
    }

    private void print(long done, long now, boolean last) {
        String text = line(done, now);
        if (terminal) {
            int pad = Math.max(0, lastLength - text.length());
            out.print("\r" + text + " ".repeat(pad));
            lastLength = text.length();
            if (last) {
                out.println();
            }
        } else {
            out.println(text);
        }
        out.flush();
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
