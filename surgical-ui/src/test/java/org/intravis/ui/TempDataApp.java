package org.intravis.ui;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The real application serving one stream, inference off, on a data folder of its own that closing deletes: for
 * jqwik containers, which get no {@code @TempDir}.
 */
final class TempDataApp implements AutoCloseable {
    /** The stream's source, which may need files in the data folder first (a recording to replay). */
    interface SourceIn {
        String at(Path data) throws Exception;
    }

    final Path data;
    final Application app;

    private TempDataApp(Path data, Application app) {
        this.data = data;
        this.app = app;
    }

    /** Stream {@code id} from {@code source}; the application keeps its own files in {@code data/app}. */
    static TempDataApp start(String prefix, String id, String source) throws Exception {
        return start(prefix, id, data -> source);
    }

    static TempDataApp start(String prefix, String id, SourceIn source) throws Exception {
        Path data = Files.createTempDirectory(prefix);
        try {
            return new TempDataApp(data, TestApps.start(TestApps.config(data.resolve("app"), id, source.at(data), "none")));
        } catch (Exception | Error e) {
            delete(data);
            throw e;
        }
    }

    /** Closes {@code app} if its start got that far (an after-container hook runs after a failed start too). */
    static void stop(TempDataApp app) throws Exception {
        if (app != null) {
            app.close();
        }
    }

    @Override
    public void close() throws Exception {
        try {
            app.close();
        } finally {
            delete(data);
        }
    }

    static void delete(Path folder) throws Exception {
        try (Stream<Path> all = Files.walk(folder)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
