package org.intravis.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The audit trail, {@code DATA_DIR/audit.jsonl}: one JSON object a line for each login, zone change, inference pause
 * or resume, recording start or stop, replay control and token change, with time, user, role, stream and action.
 * Each line carries {@code prev}, the SHA-256 of the line before it (64 zeros for the first), and {@code seq}, its line
 * number, so that {@link #verify} finds an edited or deleted line. Appends take a file lock, as the console's
 * {@code intravis token} appends to the same file as a running server. No pixels, no patient data: the callers give
 * names, numbers and zone polygons only. File work: call it on a worker thread, never the event loop.
 */
final class AuditTrail {
    static final String FILE = "audit.jsonl";
    static final String GENESIS = "0".repeat(64);
    private static final Logger LOG = Logger.getLogger(AuditTrail.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Who did it: the token's name and role, and from where ({@code console} for the command line). */
    record Actor(String user, String role, String address) {
    }

    /** A page of entries from {@code from} (a line number, from 1), and how many there are in all. */
    record Page(List<JsonNode> entries, long total) {
    }

    /** What {@link #verify} found: intact, or the first line that breaks the chain and why. */
    record Check(long entries, String head, long brokenLine, String problem) {
        boolean intact() {
            return brokenLine == 0;
        }
    }

    private final Path dir;
    private final Path file;

    AuditTrail(Path dataDir) {
        this.dir = dataDir;
        this.file = dataDir.resolve(FILE);
    }

    Path file() {
        return file;
    }

    /** Appends one entry; {@code stream} may be null, {@code detail} may be null. */
    void append(Actor who, String stream, String action, Object detail) {
        // one JVM may hold several trails on the same folder (a server and a console command in tests): a file
        // lock is per process, so the process serialises its own appends first
        synchronized (AuditTrail.class) {
            appendLocked(who, stream, action, detail);
        }
    }

    private void appendLocked(Actor who, String stream, String action, Object detail) {
        try {
            Files.createDirectories(dir);
            try (FileChannel ch = FileChannel.open(dir.resolve(FILE + ".lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE); FileLock ignored = ch.lock()) {
                String last = lastLine();
                long seq = last == null ? 1 : JSON.readTree(last).path("seq").asLong() + 1;
                ObjectNode n = JSON.createObjectNode();
                n.put("seq", seq);
                n.put("time", Instant.now().toString());
                n.put("user", who.user());
                n.put("role", who.role());
                if (who.address() != null) {
                    n.put("address", who.address());
                }
                n.put("stream", stream);
                n.put("action", action);
                if (detail != null) {
                    n.set("detail", JSON.valueToTree(detail));
                }
                n.put("prev", last == null ? GENESIS : TokenStore.sha256(last));
                Files.writeString(file, JSON.writeValueAsString(n) + "\n", StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.SYNC);
            }
        } catch (IOException e) {
            // the action itself has happened; losing its record is reported loudly, not turned into a failed action
            LOG.log(Level.SEVERE, "cannot append to the audit trail " + file + ": " + action + " by " + who.user(), e);
        }
    }

    /** Entries {@code from} .. {@code from + limit - 1} (line numbers from 1). */
    Page page(long from, int limit) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        long total = 0;
        if (Files.exists(file)) {
            try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                String line;
                while ((line = r.readLine()) != null) {
                    total++;
                    if (total >= from && out.size() < limit) {
                        out.add(JSON.readTree(line));
                    }
                }
            }
        }
        return new Page(out, total);
    }

    /** Walks the chain from the first line: every {@code prev} must be the hash of the line before, every seq its line. */
    Check verify() throws IOException {
        if (!Files.exists(file)) {
            return new Check(0, GENESIS, 0, null);
        }
        String prevHash = GENESIS;
        long n = 0;
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = r.readLine()) != null) {
                n++;
                JsonNode e;
                try {
                    e = JSON.readTree(line);
                } catch (IOException bad) {
                    return new Check(n, prevHash, n, "not a JSON object (edited?)");
                }
                if (e == null || !e.isObject()) {
                    return new Check(n, prevHash, n, "not a JSON object (edited?)");
                }
                if (!prevHash.equals(e.path("prev").asText())) {
                    return new Check(n, prevHash, n, "its \"prev\" is not the hash of line " + (n - 1)
                            + (n == 1 ? " (the first line's is 64 zeros)" : "") + ": line " + (n - 1)
                            + " was edited or a line before this one was deleted");
                }
                if (e.path("seq").asLong() != n) {
                    return new Check(n, prevHash, n, "its seq is " + e.path("seq") + ", not " + n
                            + ": lines were deleted or reordered");
                }
                prevHash = TokenStore.sha256(line);
            }
        }
        return new Check(n, prevHash, 0, null);
    }

    /** The last line of the file (without its newline), read from the end; null when empty. */
    private String lastLine() throws IOException {
        if (!Files.exists(file)) {
            return null;
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            long end = raf.length();
            while (end > 0) {
                raf.seek(end - 1);
                if (raf.read() != '\n') {
                    break;
                }
                end--;
            }
            if (end == 0) {
                return null;
            }
            long start = end;
            byte[] buf = new byte[8192];
            outer:
            while (start > 0) {
                int len = (int) Math.min(buf.length, start);
                raf.seek(start - len);
                raf.readFully(buf, 0, len);
                for (int i = len - 1; i >= 0; i--) {
                    if (buf[i] == '\n') {
                        start = start - len + i + 1;
                        break outer;
                    }
                }
                start -= len;
            }
            byte[] line = new byte[(int) (end - start)];
            raf.seek(start);
            raf.readFully(line);
            return new String(line, StandardCharsets.UTF_8);
        }
    }
}
