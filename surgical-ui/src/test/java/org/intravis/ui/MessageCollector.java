package org.intravis.ui;

import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test client's WebSocket listener: each whole text message (its parts joined) goes into {@code texts}, whole
 * binary messages are counted, and the server's close arrives in {@code texts} as
 * {@code {"type":"closed","code":N}}, so a test waiting on the texts sees it.
 */
final class MessageCollector implements WebSocket.Listener {
    private final Collection<String> texts;
    private final AtomicInteger binaries = new AtomicInteger();
    private StringBuilder text = new StringBuilder();

    MessageCollector(Collection<String> texts) {
        this.texts = texts;
    }

    int binaries() {
        return binaries.get();
    }

    @Override
    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
        text.append(data);
        if (last) {
            texts.add(text.toString());
            text = new StringBuilder();
        }
        w.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket w, ByteBuffer data, boolean last) {
        if (last) {
            binaries.incrementAndGet();
        }
        w.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket w, int code, String reason) {
        texts.add("{\"type\":\"closed\",\"code\":" + code + "}");
        return null;
    }
}
