package org.intravis.pipeline;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Replaces small files (a recording's manifest, the no-go zones, the API tokens, the needle marks, a Triton
 * repository's files) so that a crash or a power cut leaves either the old content or the new one, never a torn or
 * empty file: the bytes go to a file beside the target, are synced to the disk, the file is renamed over the target
 * and the folder's entry is synced. A rename alone is atomic for a running system, not for the disk: without the
 * syncs, ext4 and xfs may keep the rename and lose the data behind it.
 * Not for the hot path: each call waits for the disk (milliseconds).
 */
public final class DurableFiles {
    private DurableFiles() {
    }

    /** Replaces {@code target} with {@code bytes} (see the class comment). */
    public static void replace(Path target, byte[] bytes) throws IOException {
        replace(target, bytes, null);
    }

    /**
     * As {@link #replace(Path, byte[])}, the new file with {@code permissions} from its first byte where the file
     * system has POSIX permissions (a secret is never readable by others, not even for a moment); null keeps the
     * process's defaults.
     */
    public static void replace(Path target, byte[] bytes, Set<PosixFilePermission> permissions) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try {
            Files.deleteIfExists(tmp); // a leftover of a crash: its permissions would stay otherwise
            if (permissions != null) {
                try {
                    Files.createFile(tmp, PosixFilePermissions.asFileAttribute(permissions));
                } catch (UnsupportedOperationException notPosix) {
                    // a file system without POSIX permissions: the folder's own access rules apply
                }
            }
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer b = ByteBuffer.wrap(bytes);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the original failure is what the caller needs to see
            }
            throw e;
        }
        syncFolder(target.toAbsolutePath().getParent());
    }

    /** Writes a file's data and metadata to the disk. */
    public static void sync(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    /**
     * Writes a folder's entries (a rename, a new file) to the disk. Best effort: not every file system lets a folder
     * be synced, and the rename is atomic for the running system either way.
     */
    public static void syncFolder(Path dir) {
        if (dir == null) {
            return;
        }
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException ignored) {
            // see above
        }
    }
}
