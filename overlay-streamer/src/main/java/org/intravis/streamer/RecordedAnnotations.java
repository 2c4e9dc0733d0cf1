package org.intravis.streamer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.intravis.pipeline.Annotations;
import org.intravis.pipeline.RecordingLayout;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * The overlays of a recorded session, found by the frame id they were computed on (the {@code overlayFrameId} of
 * the session's frame lines). Opening indexes every closed segment's {@code .annotations.jsonl} (where each line
 * starts and which frame it describes); {@link #read} parses one line on demand into a holder, so a long session
 * is never held in memory. Malformed lines (a torn last line after a crash, a hand-edited file) are skipped and
 * counted. One thread.
 */
public final class RecordedAnnotations implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RecordedAnnotations.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Where(int file, long offset, int length) {
    }

    private final Path session;
    private final List<RandomAccessFile> files = new ArrayList<>();
    private final Map<Long, Where> index = new TreeMap<>();
    private final OverlayJsonReader reader = new OverlayJsonReader();
    private byte[] buffer = new byte[1 << 16];
    private long malformed;

    private RecordedAnnotations(Path session) {
        this.session = session;
    }

    /** Indexes the annotations of every closed segment of {@code session}. */
    public static RecordedAnnotations open(Path session) throws IOException {
        if (!Files.isDirectory(session)) {
            throw new IOException("recording " + session + " is not a folder");
        }
        RecordedAnnotations r = new RecordedAnnotations(session);
        try {
            for (int segment : closedSegments(session)) {
                Path p = RecordingLayout.annotations(session, segment);
                if (Files.isRegularFile(p)) {
                    r.indexFile(p);
                }
            }
        } catch (IOException | RuntimeException e) {
            r.close();
            throw e;
        }
        if (r.malformed > 0) {
            LOG.warning(session + ": skipped " + r.malformed + " malformed annotation line(s)");
        }
        return r;
    }

    /** Indexes of the closed segments (those whose video file has its final name), in order. */
    public static List<Integer> closedSegments(Path session) throws IOException {
        List<Integer> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(session)) {
            s.forEach(p -> {
                int i = RecordingLayout.segmentIndexOf(p.getFileName().toString());
                if (i > 0) {
                    out.add(i);
                }
            });
        }
        out.sort(null);
        return out;
    }

    private void indexFile(Path p) throws IOException {
        int file = files.size();
        files.add(new RandomAccessFile(p.toFile(), "r"));
        try (InputStream in = new BufferedInputStream(Files.newInputStream(p), 1 << 16)) {
            ByteArrayOutputStream lineBytes = new ByteArrayOutputStream(4096);
            long offset = 0;
            long start = 0;
            int b;
            while ((b = in.read()) >= 0) {
                offset++;
                if (b == '\n') {
                    indexLine(file, start, lineBytes);
                    lineBytes.reset();
                    start = offset;
                } else {
                    lineBytes.write(b);
                }
            }
            if (lineBytes.size() > 0) {
                indexLine(file, start, lineBytes); // a last line without newline: kept if it parses
            }
        }
    }

    private void indexLine(int file, long start, ByteArrayOutputStream line) {
        if (line.size() == 0) {
            return;
        }
        try {
            JsonNode n = JSON.readTree(line.toByteArray());
            if (n == null || !"overlay".equals(n.path("type").asText()) || !n.path("frameId").canConvertToLong()) {
                malformed++;
                return;
            }
            index.putIfAbsent(n.path("frameId").asLong(), new Where(file, start, line.size()));
        } catch (IOException e) {
            malformed++;
        }
    }

    public Path session() {
        return session;
    }

    /** Overlays indexed. */
    public int size() {
        return index.size();
    }

    /** Lines that could not be read. */
    public long malformedLines() {
        return malformed;
    }

    /** Whether the overlay computed on {@code frameId} was recorded. */
    public boolean contains(long frameId) {
        return index.containsKey(frameId);
    }

    /**
     * Reads the overlay computed on {@code frameId} into {@code into}; false (and {@code into} untouched) when it was
     * not recorded or its line does not parse.
     */
    public boolean read(long frameId, Annotations into) {
        Where w = index.get(frameId);
        if (w == null) {
            return false;
        }
        try {
            if (buffer.length < w.length()) {
                buffer = new byte[Math.max(w.length(), buffer.length * 2)];
            }
            RandomAccessFile f = files.get(w.file());
            f.seek(w.offset());
            f.readFully(buffer, 0, w.length());
            reader.read(buffer, 0, w.length(), into);
            return true;
        } catch (IOException | IllegalArgumentException e) {
            malformed++;
            return false;
        }
    }

    @Override
    public void close() {
        for (RandomAccessFile f : files) {
            try {
                f.close();
            } catch (IOException ignored) {
                // read-only files: nothing is lost
            }
        }
        files.clear();
    }
}
