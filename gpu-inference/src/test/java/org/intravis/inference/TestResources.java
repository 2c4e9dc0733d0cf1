package org.intravis.inference;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/** This module's test resources as files (the fixtures are folders that evaluate and the sources read by path). */
final class TestResources {
    private TestResources() {
    }

    /** The resource at {@code name} ("/real-needle/images", ...), which must exist. */
    static Path path(String name) {
        URL url = TestResources.class.getResource(name);
        if (url == null) {
            throw new IllegalStateException("test resource " + name + " is missing");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
