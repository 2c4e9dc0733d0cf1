package org.intravis.inference;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.intravis.pipeline.DurableFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;

/**
 * Surgeon-drawn no-go zones per stream, persisted as JSON ({@code <dataDir>/zones.json}) so that they survive a
 * restart.
 * <p>
 * Writers (the HTTP thread) are serialised and replace a stream's zones with a new immutable {@link Snapshot};
 * the inference worker reads the current snapshot through an {@link AtomicReference} it fetched once, with no
 * lock and no allocation on its path. A zones file that cannot be read is set aside (renamed, never deleted) with
 * a clear message, and the store starts empty.
 */
public final class ZoneStore {
    private static final Logger LOG = Logger.getLogger(ZoneStore.class.getName());
    /** Most vertices a drawn zone may have. */
    public static final int MAX_VERTICES = 256;
    /** Most drawn zones per stream. */
    public static final int MAX_ZONES_PER_STREAM = 32;
    /** Longest label, in characters (it is drawn beside the zone and sent with every overlay). */
    public static final int MAX_LABEL_LENGTH = 64;

    /** A stream's zones at one moment, flattened for the worker: never changed after publication. */
    public static final class Snapshot {
        public static final Snapshot EMPTY = new Snapshot(List.of());

        private final List<NoGoZone> zones;
        private final int[] ids;
        private final float[][] xy;
        private final String tag;

        Snapshot(List<NoGoZone> zones) {
            this.zones = List.copyOf(zones);
            this.tag = tagOf(this.zones);
            ids = new int[zones.size()];
            xy = new float[zones.size()][];
            for (int i = 0; i < zones.size(); i++) {
                NoGoZone z = zones.get(i);
                ids[i] = z.id();
                double[][] pts = z.points();
                xy[i] = new float[pts.length * 2];
                for (int k = 0; k < pts.length; k++) {
                    xy[i][2 * k] = (float) pts[k][0];
                    xy[i][2 * k + 1] = (float) pts[k][1];
                }
            }
        }

        public int count() { return ids.length; }
        public int id(int i) { return ids[i]; }
        /** Vertices of zone {@code i}, packed x,y. */
        public float[] xy(int i) { return xy[i]; }
        public List<NoGoZone> zones() { return zones; }
        /** What these zones are, as an HTTP entity tag: the same zones (ids, labels, points) give the same tag. */
        public String tag() { return tag; }
    }

    /**
     * A replacement made from zones read before another change was stored (another screen's): refused, so that
     * one screen's edit cannot silently undo another's (a deleted no-go zone would stop its alerts).
     */
    public static final class ChangedElsewhere extends RuntimeException {
        private final transient Snapshot current;

        ChangedElsewhere(Snapshot current) {
            super("the zones changed since they were read (another screen's edit?): read them again");
            this.current = current;
        }

        /** The zones as stored now. */
        public Snapshot current() { return current; }
    }

    private static String tagOf(List<NoGoZone> zones) {
        try {
            java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(16);
            for (NoGoZone z : zones) {
                sha.update(b.clear().putInt(z.id()).putInt(z.points().length).flip());
                sha.update(z.label().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                sha.update((byte) 0);
                for (double[] p : z.points()) {
                    sha.update(b.clear().putDouble(p[0]).putDouble(p[1]).flip());
                }
            }
            return java.util.HexFormat.of().formatHex(sha.digest(), 0, 12);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every JDK has SHA-256
        }
    }

    private final Path file;
    private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private final Map<String, AtomicReference<Snapshot>> byStream = new ConcurrentHashMap<>();
    private int nextId = 1;

    /** A store persisted under {@code dataDir} ({@code null}: in memory only). */
    public ZoneStore(Path dataDir) {
        this.file = dataDir == null ? null : dataDir.resolve("zones.json");
        load();
    }

    private void load() {
        if (file == null || !Files.isRegularFile(file)) {
            return;
        }
        try {
            Map<String, List<NoGoZone>> stored = json.readValue(file.toFile(), new TypeReference<LinkedHashMap<String, List<NoGoZone>>>() { });
            for (Map.Entry<String, List<NoGoZone>> e : stored.entrySet()) {
                List<NoGoZone> zones = new ArrayList<>();
                for (NoGoZone z : e.getValue()) {
                    validate(z.points());
                    zones.add(new NoGoZone(z.id(), e.getKey(), z.label(), z.points(), z.createdAt()));
                    nextId = Math.max(nextId, z.id() + 1);
                }
                holder(e.getKey()).set(new Snapshot(zones));
            }
        } catch (IOException | RuntimeException e) {
            Path aside = file.resolveSibling("zones.json.unreadable-" + System.currentTimeMillis());
            try {
                Files.move(file, aside);
            } catch (IOException moveFailed) {
                throw new IllegalStateException("no-go zones file " + file + " cannot be read (" + e.getMessage()
                        + ") nor set aside (" + moveFailed + ")", e);
            }
            byStream.clear();
            LOG.severe("no-go zones file " + file + " cannot be read (" + e.getMessage() + "); kept it as " + aside
                    + " and started with no drawn zones");
        }
    }

    /** The holder of a stream's current snapshot: fetch once, then {@code get()} per frame (no lock, no allocation). */
    public AtomicReference<Snapshot> holder(String streamId) {
        return byStream.computeIfAbsent(streamId, id -> new AtomicReference<>(Snapshot.EMPTY));
    }

    /** A stream's zones now. */
    public List<NoGoZone> list(String streamId) {
        AtomicReference<Snapshot> h = byStream.get(streamId);
        return h == null ? List.of() : h.get().zones();
    }

    /** A stream's zones now, with their tag ({@link Snapshot#tag()}). */
    public Snapshot snapshot(String streamId) {
        AtomicReference<Snapshot> h = byStream.get(streamId);
        return h == null ? Snapshot.EMPTY : h.get();
    }

    /** Every stream's zones now. */
    public Map<String, List<NoGoZone>> all() {
        Map<String, List<NoGoZone>> out = new LinkedHashMap<>();
        byStream.forEach((k, v) -> {
            if (v.get().count() > 0) {
                out.put(k, v.get().zones());
            }
        });
        return Collections.unmodifiableMap(out);
    }

    /** Adds a zone; fails with {@link IllegalArgumentException} on a polygon that is not one. Persists at once. */
    public synchronized NoGoZone add(String streamId, String label, double[][] points) {
        if (streamId == null || streamId.isBlank()) {
            throw new IllegalArgumentException("a stream id is required");
        }
        validate(points);
        validateLabel(label);
        AtomicReference<Snapshot> h = holder(streamId);
        List<NoGoZone> zones = new ArrayList<>(h.get().zones());
        if (zones.size() >= MAX_ZONES_PER_STREAM) {
            throw new IllegalArgumentException("stream " + streamId + " already has " + zones.size()
                    + " no-go zones (at most " + MAX_ZONES_PER_STREAM + ")");
        }
        NoGoZone z = new NoGoZone(nextId++, streamId, label, points, System.currentTimeMillis());
        zones.add(z);
        replace(streamId, h, zones);
        return z;
    }

    /**
     * Replaces all of a stream's zones with {@code zones} (the surgeon's page stores its whole list; ids are the
     * page's: at least 1 and unique in the stream). All or nothing: a bad zone leaves the stored ones as they were.
     */
    public synchronized List<NoGoZone> replace(String streamId, List<NoGoZone> zones) {
        return replace(streamId, zones, null);
    }

    /**
     * As {@link #replace(String, List)}, only if the stream's zones are still those tagged {@code readTag} (null:
     * whatever they are); otherwise {@link ChangedElsewhere}, and nothing changes.
     */
    public synchronized List<NoGoZone> replace(String streamId, List<NoGoZone> zones, String readTag) {
        if (streamId == null || streamId.isBlank()) {
            throw new IllegalArgumentException("a stream id is required");
        }
        if (readTag != null && !readTag.equals(snapshot(streamId).tag())) {
            throw new ChangedElsewhere(snapshot(streamId));
        }
        if (zones.size() > MAX_ZONES_PER_STREAM) {
            throw new IllegalArgumentException("at most " + MAX_ZONES_PER_STREAM + " no-go zones per stream, got " + zones.size());
        }
        AtomicReference<Snapshot> h = holder(streamId);
        Map<Integer, NoGoZone> before = new LinkedHashMap<>();
        h.get().zones().forEach(z -> before.put(z.id(), z));
        java.util.Set<Integer> ids = new java.util.HashSet<>();
        List<NoGoZone> next = new ArrayList<>();
        long now = System.currentTimeMillis();
        for (NoGoZone z : zones) {
            if (z.id() < 1 || !ids.add(z.id())) {
                throw new IllegalArgumentException("zone ids must be at least 1 and unique in the stream; bad id " + z.id());
            }
            validate(z.points());
            validateLabel(z.label());
            NoGoZone old = before.get(z.id());
            next.add(new NoGoZone(z.id(), streamId, z.label(), z.points(), old != null ? old.createdAt() : now));
            nextId = Math.max(nextId, z.id() + 1);
        }
        replace(streamId, h, next);
        return List.copyOf(next);
    }

    /** Removes a zone; returns whether it existed. */
    public synchronized boolean remove(String streamId, int id) {
        AtomicReference<Snapshot> h = byStream.get(streamId);
        if (h == null) {
            return false;
        }
        List<NoGoZone> zones = new ArrayList<>(h.get().zones());
        boolean removed = zones.removeIf(z -> z.id() == id);
        if (removed) {
            replace(streamId, h, zones);
        }
        return removed;
    }

    /** Removes all of a stream's zones; returns how many there were. */
    public synchronized int clear(String streamId) {
        AtomicReference<Snapshot> h = byStream.get(streamId);
        if (h == null) {
            return 0;
        }
        int n = h.get().count();
        if (n > 0) {
            replace(streamId, h, List.of());
        }
        return n;
    }

    private static void validate(double[][] points) {
        if (points == null || points.length < 3) {
            throw new IllegalArgumentException("a no-go zone needs at least 3 points, got "
                    + (points == null ? 0 : points.length));
        }
        if (points.length > MAX_VERTICES) {
            throw new IllegalArgumentException("a no-go zone may have at most " + MAX_VERTICES + " points, got " + points.length);
        }
        for (double[] p : points) {
            if (p == null || p.length != 2 || !Double.isFinite(p[0]) || !Double.isFinite(p[1])) {
                throw new IllegalArgumentException("every point of a no-go zone must be [x, y] with finite numbers");
            }
        }
    }

    private static void validateLabel(String label) {
        if (label != null && label.length() > MAX_LABEL_LENGTH) {
            throw new IllegalArgumentException("a no-go zone's label may have at most " + MAX_LABEL_LENGTH
                    + " characters, got " + label.length());
        }
    }

    /** Saves first, then publishes: a zone the file could not keep is not shown as kept. */
    private void replace(String streamId, AtomicReference<Snapshot> h, List<NoGoZone> zones) {
        persist(streamId, zones);
        h.set(new Snapshot(zones));
    }

    private void persist(String changedStream, List<NoGoZone> changedZones) {
        if (file == null) {
            return;
        }
        Map<String, List<NoGoZone>> out = new LinkedHashMap<>();
        byStream.forEach((k, v) -> out.put(k, v.get().zones()));
        out.put(changedStream, changedZones);
        try {
            Files.createDirectories(file.getParent());
            DurableFiles.replace(file, json.writeValueAsBytes(out));
        } catch (IOException e) {
            throw new IllegalStateException("cannot save no-go zones to " + file + ": " + e.getMessage(), e);
        }
    }
}
