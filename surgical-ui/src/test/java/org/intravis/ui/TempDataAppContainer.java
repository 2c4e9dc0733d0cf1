package org.intravis.ui;

import net.jqwik.api.lifecycle.AfterContainer;

/**
 * A jqwik container whose properties run against one real application ({@link TempDataApp}): the subclass starts it
 * into {@link #server} in its own {@code @BeforeContainer} (each serves its own stream), and this stops it after the
 * container, once the subclass's own {@code @AfterContainer} methods have run (jqwik runs a superclass's last). jqwik
 * has no per-class fixture like JUnit's {@code @TempDir}; it runs containers one at a time, so one field serves all.
 */
abstract class TempDataAppContainer {
    static TempDataApp server;

    @AfterContainer
    static void stopServer() throws Exception {
        try {
            TempDataApp.stop(server);
        } finally {
            server = null;
        }
    }
}
