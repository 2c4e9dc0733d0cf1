package org.intravis.ui;

/** One-line console logging for java.util.logging (used by the engine, Vert.x and Netty). */
final class LogSetup {
    private LogSetup() {
    }

    static void apply() {
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tT %4$-7s %3$s: %5$s%6$s%n");
        }
        if (System.getProperty("vertx.logger-delegate-factory-class-name") == null) {
            System.setProperty("vertx.logger-delegate-factory-class-name", "io.vertx.core.logging.JULLogDelegateFactory");
        }
    }
}
