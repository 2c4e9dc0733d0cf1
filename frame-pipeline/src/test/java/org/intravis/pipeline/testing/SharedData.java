package org.intravis.pipeline.testing;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The project's shared data (real imaging under a licence of its own, not in the repository). It sits beside a
 * checkout, at {@code ../shared} (where CI lays it); the build passes its place as the system property
 * {@code intravis.shared} (override with {@code -Dintravis.shared=DIR}). A test that needs it and does not find it
 * is skipped, and says where it looked.
 */
public final class SharedData {
    private SharedData() {
    }

    /** The shared folder: the build's {@code intravis.shared}, else {@code ../../shared} from the module. */
    public static Path root() {
        return Path.of(System.getProperty("intravis.shared", "../../shared")).toAbsolutePath().normalize();
    }

    /** {@code data/<relative>} in the shared folder; the calling test is skipped when it is not there. */
    public static Path require(String relative) {
        Path p = root().resolve("data").resolve(relative);
        Assumptions.assumeTrue(Files.exists(p), () -> "skipped: the shared data " + p + " is not there (it sits beside "
                + "the checkout at ../shared, where CI lays it; or give -Dintravis.shared=DIR)");
        return p;
    }
}
