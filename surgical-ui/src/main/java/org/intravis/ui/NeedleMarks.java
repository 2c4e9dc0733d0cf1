package org.intravis.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.intravis.pipeline.DurableFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Logger;

/**
 * The needle tips a trainer marked on one recorded session, kept as training frames for a site's own needle
 * network (issue 13: a few labelled frames of a scene are what separate "never found" from "mostly found";
 * gpu-inference/training/README.md, "Adapting the needle network to a site"). The folder is what the training's
 * {@code build_cache.py --clip-dir} reads, the same layout as {@code site_labels.py} writes:
 * <pre>
 *   DIR/frames/SESSION_00042.png   the recorded frame, grey, as the pipeline received it (frame 42: position 41)
 *   DIR/labels.json                {"shaftWidthPx": 6, "source": SESSION, "frames": [{"frame": 42, "file": ...,
 *                                   "split": "tune", "needle": true, "tip": [x, y], "end": [x, y], "by": ..., "at": ...}]}
 * </pre>
 * A frame marked again replaces its mark; a frame without a needle is a mark too (its tissue teaches what is not a
 * needle). Every change rewrites labels.json whole, through a temporary file and a rename, so a crash leaves the
 * previous version. The recording itself is never written to. Not thread-safe: one caller at a time (the routes
 * serialise on the instance).
 */
final class NeedleMarks {
    /** The needle echo's width in frame pixels, as the clip was labelled (the training draws the shaft this wide). */
    static final double SHAFT_WIDTH_PX = 6;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final Logger LOG = Logger.getLogger(NeedleMarks.class.getName());

    /** One marked frame: {@code tip} and {@code end} are null for a frame without a needle. */
    record Mark(int position, double[] tip, double[] end, String by, String at) {
        boolean needle() {
            return tip != null;
        }

        /** The 1-based frame number the training files use (decoding order, as ffmpeg and site_labels.py count). */
        int frame() {
            return position + 1;
        }
    }

    private final Path dir;
    private final String session;
    private final TreeMap<Integer, Mark> marks = new TreeMap<>();
    private final String setAside;

    /**
     * The marks of {@code session} (a recording folder's name) kept in {@code dir}; reads what is there. A labels.json
     * that cannot be read (damaged by hand, a full disk) is kept under another name, said by {@link #setAside()},
     * and the marks start again: marking goes on, and nothing is deleted.
     */
    NeedleMarks(Path dir, String session) {
        this.dir = dir;
        this.session = session;
        Path labels = dir.resolve("labels.json");
        String aside = null;
        if (Files.isRegularFile(labels)) {
            try {
                JsonNode root = JSON.readTree(labels.toFile());
                if (root == null || !root.path("frames").isArray()) {
                    throw new IOException("no \"frames\" list");
                }
                for (JsonNode f : root.path("frames")) {
                    int frame = f.path("frame").asInt(0);
                    if (frame < 1) {
                        continue;
                    }
                    boolean needle = f.path("needle").asBoolean(false);
                    marks.put(frame - 1, new Mark(frame - 1, needle ? point(f.path("tip")) : null,
                            needle ? point(f.path("end")) : null, f.path("by").asText(""), f.path("at").asText("")));
                }
            } catch (IOException e) {
                marks.clear();
                Path kept = labels.resolveSibling("labels.json.unreadable-" + System.currentTimeMillis());
                try {
                    Files.move(labels, kept);
                } catch (IOException moveFailed) {
                    throw new UncheckedIOException("cannot read the needle marks in " + labels + " (" + e.getMessage()
                            + ") nor set them aside: " + moveFailed.getMessage(), moveFailed);
                }
                aside = labels.getFileName() + " could not be read (" + UserError.firstLine(e) + "); kept as "
                        + kept.getFileName() + ", the marks start again";
                LOG.warning(dir + ": " + aside);
            }
        }
        this.setAside = aside;
    }

    /** What was set aside when the folder was read (an unreadable labels.json), or null. */
    String setAside() {
        return setAside;
    }

    private static double[] point(JsonNode p) {
        return new double[] {p.path(0).asDouble(), p.path(1).asDouble()};
    }

    /** The point with -0.0 as 0.0 (a sent "-0" is the frame's edge; the training's file should not say -0.0). */
    private static double[] plain(double[] p) {
        return new double[] {p[0] + 0.0, p[1] + 0.0};
    }

    Path dir() {
        return dir;
    }

    List<Mark> marks() {
        return List.copyOf(marks.values());
    }

    /**
     * Marks the frame at {@code position}: its picture ({@code pixels}, rows packed, grey or BGR) is written as a grey
     * PNG and the mark into labels.json. {@code tip} and {@code end} in frame pixels, both null for "no needle".
     * Refuses (IllegalArgumentException) a point off the frame or a tip on its far end.
     */
    Mark put(int position, double[] tip, double[] end, FrameSnapshots.Snapshot picture, String by) {
        if ((tip == null) != (end == null)) {
            throw new IllegalArgumentException("give both the tip and the far end of the shaft, or neither (no needle)");
        }
        if (tip != null) {
            tip = plain(tip);
            end = plain(end);
            check("tip", tip, picture);
            check("end", end, picture);
            if (Math.hypot(tip[0] - end[0], tip[1] - end[1]) < 2) {
                throw new IllegalArgumentException("the tip and the far end of the shaft are the same point");
            }
        }
        Mark m = new Mark(position, tip, end, by, Instant.now().toString());
        try {
            Files.createDirectories(dir.resolve("frames"));
            DurableFiles.replace(dir.resolve("frames").resolve(file(m)), SnapshotStills.greyPng(picture));
            marks.put(position, m);
            writeLabels();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the needle mark into " + dir + ": " + e.getMessage(), e);
        }
        return m;
    }

    /** Removes the mark of {@code position} and its frame; false when there was none. */
    boolean remove(int position) {
        Mark m = marks.remove(position);
        if (m == null) {
            return false;
        }
        try {
            writeLabels();
            Files.deleteIfExists(dir.resolve("frames").resolve(file(m)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the needle mark from " + dir + ": " + e.getMessage(), e);
        }
        return true;
    }

    private static void check(String name, double[] p, FrameSnapshots.Snapshot picture) {
        if (p.length != 2 || !(p[0] >= 0 && p[1] >= 0 && p[0] <= picture.width() - 1 && p[1] <= picture.height() - 1)) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "the %s (%s) is not on the %dx%d frame",
                    name, p.length == 2 ? String.format(Locale.ROOT, "%.1f, %.1f", p[0], p[1]) : "not x, y",
                    picture.width(), picture.height()));
        }
    }

    private String file(Mark m) {
        return String.format(Locale.ROOT, "%s_%05d.png", session, m.frame());
    }

    private void writeLabels() throws IOException {
        List<Map<String, Object>> frames = new ArrayList<>();
        for (Mark m : marks.values()) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("frame", m.frame());
            f.put("file", file(m));
            f.put("split", "tune");
            f.put("needle", m.needle());
            if (m.needle()) {
                f.put("tip", m.tip());
                f.put("end", m.end());
            }
            f.put("by", m.by());
            f.put("at", m.at());
            frames.add(f);
        }
        Map<String, Object> labels = new LinkedHashMap<>();
        labels.put("source", session);
        labels.put("frameNumbering", "1-based, in the recording's decoding order (the replay's position + 1)");
        labels.put("coordinates", "frame pixels, pixel centres at whole numbers");
        labels.put("tip", "the distal end of the visible shaft");
        labels.put("end", "the far end of the visible shaft, where the needle enters");
        labels.put("shaftWidthPx", SHAFT_WIDTH_PX);
        labels.put("frames", frames);
        DurableFiles.replace(dir.resolve("labels.json"), JSON.writeValueAsBytes(labels));
    }

}
