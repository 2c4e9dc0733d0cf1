package org.intravis.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.intravis.pipeline.DurableFiles;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The bearer tokens, in {@code DATA_DIR/tokens.json}: for each a name, a role, a public id and a salted PBKDF2
 * (HMAC-SHA256) hash of its secret; the token itself is shown once, by {@link #create}, and never stored.
 * <p>
 * A token reads {@code ivt_ID.SECRET}: the id finds the one entry to check, so a wrong token costs one hash at most,
 * and an unknown id none. A token that verified once is remembered (by its SHA-256) until the file changes, so a
 * program's every request does not pay the slow hash. The server calls {@link #refresh()} now and then on a worker
 * thread; everything else it asks reads memory only.
 */
final class TokenStore {
    static final String FILE = "tokens.json";
    private static final String PREFIX = "ivt_";
    /** Tokens carry 256 random bits, so the hash's slowness is defence in depth; stored per entry, so it can grow. */
    static final int ITERATIONS = 210_000;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** One stored token: never its secret. */
    record Entry(String name, Role role, String id, byte[] salt, byte[] hash, int iterations, String created) {
    }

    /** A new token: the entry, and the token text to hand over once. */
    record Issued(Entry entry, String token) {
    }

    private final Path dir;
    private final Path file;
    private volatile List<Entry> entries = List.of();
    private volatile FileTime loadedTime;
    private volatile long loadedSize = -1;
    private final Map<String, Entry> verified = new ConcurrentHashMap<>();

    TokenStore(Path dataDir) {
        this.dir = dataDir;
        this.file = dataDir.resolve(FILE);
        refresh();
    }

    Path file() {
        return file;
    }

    /** The tokens as last read. */
    List<Entry> list() {
        return entries;
    }

    boolean isEmpty() {
        return entries.isEmpty();
    }

    Optional<Entry> byId(String id) {
        return entries.stream().filter(e -> e.id().equals(id)).findFirst();
    }

    /** Re-reads the file when it changed (a token created or revoked from the console while the server runs). */
    synchronized void refresh() {
        try {
            if (!Files.exists(file)) {
                if (!entries.isEmpty() || loadedSize != -1) {
                    entries = List.of();
                    verified.clear();
                    loadedSize = -1;
                }
                return;
            }
            FileTime t = Files.getLastModifiedTime(file);
            long size = Files.size(file);
            if (t.equals(loadedTime) && size == loadedSize) {
                return;
            }
            entries = read(file);
            verified.clear();
            loadedTime = t;
            loadedSize = size;
        } catch (IOException e) {
            throw new UserError("cannot read the token file " + file + ": " + e.getMessage(), e);
        }
    }

    /** The entry of a valid token; empty for anything else. Slow (one PBKDF2) the first time a token is seen. */
    Optional<Entry> verify(String token) {
        if (token == null || !token.startsWith(PREFIX) || token.length() > 200) {
            return Optional.empty();
        }
        int dot = token.indexOf('.');
        if (dot < 0) {
            return Optional.empty();
        }
        String key = sha256(token);
        Entry known = verified.get(key);
        if (known != null) {
            return Optional.of(known);
        }
        String id = token.substring(PREFIX.length(), dot);
        Optional<Entry> e = byId(id);
        if (e.isEmpty()) {
            return Optional.empty();
        }
        byte[] h = pbkdf2(token.substring(dot + 1), e.get().salt(), e.get().iterations());
        if (!MessageDigest.isEqual(h, e.get().hash())) {
            return Optional.empty();
        }
        verified.put(key, e.get());
        return e;
    }

    /** Adds a token; the name must be new. */
    Issued create(String name, Role role) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new UserError("a token name is 1 to 64 letters, digits, '.', '_' or '-', was '" + name + "'");
        }
        return locked(() -> {
            List<Entry> now = new ArrayList<>(read(file));
            if (now.stream().anyMatch(e -> e.name().equals(name))) {
                throw new UserError("a token named '" + name + "' exists: revoke it first (intravis token revoke "
                        + name + ") or choose another name");
            }
            byte[] idBytes = new byte[6];
            RANDOM.nextBytes(idBytes);
            String id = HexFormat.of().formatHex(idBytes);
            byte[] secretBytes = new byte[32];
            RANDOM.nextBytes(secretBytes);
            String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(secretBytes);
            byte[] salt = new byte[16];
            RANDOM.nextBytes(salt);
            Entry e = new Entry(name, role, id, salt, pbkdf2(secret, salt, ITERATIONS), ITERATIONS,
                    Instant.now().toString());
            now.add(e);
            write(now);
            return new Issued(e, PREFIX + id + "." + secret);
        });
    }

    /** Removes the token of that name; false when there is none. */
    boolean revoke(String name) {
        return locked(() -> {
            List<Entry> now = new ArrayList<>(read(file));
            boolean removed = now.removeIf(e -> e.name().equals(name));
            if (removed) {
                write(now);
            }
            return removed;
        });
    }

    private interface Io<T> {
        T run() throws IOException;
    }

    /** Runs a read-modify-write under a file lock, so that two consoles cannot lose each other's change. */
    private <T> T locked(Io<T> body) {
        synchronized (TokenStore.class) { // a file lock is per process: this process's stores take turns first
            return fileLocked(body);
        }
    }

    private <T> T fileLocked(Io<T> body) {
        try {
            Files.createDirectories(dir);
            try (FileChannel ch = FileChannel.open(dir.resolve(FILE + ".lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE); FileLock ignored = ch.lock()) {
                T out = body.run();
                refresh();
                return out;
            }
        } catch (IOException e) {
            throw new UserError("cannot update the token file " + file + ": " + e.getMessage(), e);
        }
    }

    private void write(List<Entry> list) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode arr = root.putArray("tokens");
        Base64.Encoder b64 = Base64.getEncoder();
        for (Entry e : list) {
            ObjectNode n = arr.addObject();
            n.put("name", e.name());
            n.put("role", e.role().id());
            n.put("id", e.id());
            n.put("algorithm", "PBKDF2WithHmacSHA256");
            n.put("iterations", e.iterations());
            n.put("salt", b64.encodeToString(e.salt()));
            n.put("hash", b64.encodeToString(e.hash()));
            n.put("created", e.created());
        }
        DurableFiles.replace(file, JSON.writeValueAsBytes(root), PosixFilePermissions.fromString("rw-------"));
    }

    private static List<Entry> read(Path file) throws IOException {
        if (!Files.exists(file)) {
            return List.of();
        }
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UserError("the token file " + file + " is not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.path("tokens").isArray()) {
            throw new UserError("the token file " + file + " has no \"tokens\" list");
        }
        List<Entry> out = new ArrayList<>();
        Base64.Decoder b64 = Base64.getDecoder();
        for (JsonNode n : root.get("tokens")) {
            try {
                out.add(new Entry(n.get("name").asText(), Role.parse(n.get("role").asText()), n.get("id").asText(),
                        b64.decode(n.get("salt").asText()), b64.decode(n.get("hash").asText()),
                        n.get("iterations").asInt(), n.path("created").asText("")));
            } catch (RuntimeException e) {
                throw new UserError("the token file " + file + " has a damaged entry " + n.path("name") + ": " + e, e);
            }
        }
        return List.copyOf(out);
    }

    static byte[] pbkdf2(String secret, byte[] salt, int iterations) {
        try {
            PBEKeySpec spec = new PBEKeySpec(secret.toCharArray(), salt, iterations, 256);
            try {
                return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
            } finally {
                spec.clearPassword();
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is part of every Java 17 runtime", e);
        }
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
