package org.intravis.ui;

import org.intravis.capture.SourceUri;

import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** One-line console logging for java.util.logging (used by the engine, Vert.x and Netty), with credentials masked. */
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
        for (Handler h : Logger.getLogger("").getHandlers()) {
            if (h.getFormatter() != null && !(h.getFormatter() instanceof Redacting)) {
                h.setFormatter(new Redacting(h.getFormatter()));
            }
        }
    }

    /**
     * Masks source credentials in every line a handler writes, whichever module logged it (a source's own messages
     * already use its redacted URI; this also covers a URI inside an exception or a library's message).
     */
    static final class Redacting extends Formatter {
        private final Formatter inner;

        Redacting(Formatter inner) {
            this.inner = inner;
        }

        @Override
        public String format(LogRecord record) {
            return SourceUri.redact(inner.format(record));
        }
    }
}
