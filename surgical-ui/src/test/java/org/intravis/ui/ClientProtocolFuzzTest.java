package org.intravis.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.intravis.pipeline.testing.Mutations;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzed client messages on a real WebSocket to the real server (the text protocol of docs/protocol.md, read by
 * overlay-streamer's ClientProtocol): after each one the connection still answers a {@code ping} within seconds,
 * every {@code error} it sends says what was wrong, and the server logs no exception.
 */
class ClientProtocolFuzzTest extends TempDataAppContainer {
    static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> VALID = List.of(
            "{\"type\":\"subscribe\",\"encoding\":\"jpeg\",\"variant\":\"clean\",\"overlay\":true,\"heatmap\":false}",
            "{\"type\":\"subscribe\",\"variant\":\"burned\"}", "{\"type\":\"keyframe\"}",
            "{\"type\":\"clock\",\"id\":1,\"t0\":1733200000000000}", "{\"type\":\"ping\",\"id\":2}",
            "{\"type\":\"report\",\"decoded\":10,\"dropped\":1,\"g2gP50Ms\":30.5,\"g2gP99Ms\":80}");
    static WebSocket ws;
    static final BlockingQueue<String> texts = new LinkedBlockingQueue<>();
    static final AtomicLong pings = new AtomicLong(1_000_000);
    static final List<String> thrown = new java.util.concurrent.CopyOnWriteArrayList<>();
    static final Handler exceptions = new Handler() {
        @Override
        public void publish(LogRecord r) {
            if (r.getThrown() != null) {
                thrown.add(r.getLoggerName() + ": " + r.getMessage() + " " + r.getThrown());
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeContainer
    static void start() throws Exception {
        server = TempDataApp.start("protocol-fuzz", "us1", "synthetic:ultrasound?width=160&height=120&fps=10");
        Logger.getLogger("").addHandler(exceptions);
        ws = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(TestApps.webSocket(server.app,
                "/ws/streams/us1?encoding=jpeg"), new MessageCollector(texts)).get(10, TimeUnit.SECONDS);
    }

    /** Before the application stops ({@link TempDataAppContainer}). */
    @AfterContainer
    static void closeSocket() {
        Logger.getLogger("").removeHandler(exceptions);
        if (ws != null) {
            ws.abort();
        }
    }

    @Provide
    Arbitrary<String> messages() {
        // under the server's 64 KiB frame limit (a bigger message is refused by closing, which the limits cover), and
        // valid UTF-16: the JDK's client will not send a lone surrogate
        return Mutations.withNesting(VALID, "[", "]").filter(m -> m.length() < 60_000
                && java.nio.charset.StandardCharsets.UTF_8.newEncoder().canEncode(m));
    }

    @Property(tries = 400)
    void everyMessageIsAnsweredOrRefusedAndTheConnectionLivesOn(@ForAll("messages") String message) throws Exception {
        ws.sendText(message, true).get(5, TimeUnit.SECONDS);
        long id = pings.incrementAndGet();
        ws.sendText("{\"type\":\"ping\",\"id\":" + id + "}", true).get(5, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            String t = texts.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            assertThat(t).as("the pong after " + Mutations.abbreviate(message)).isNotNull();
            JsonNode m = JSON.readTree(t);
            String type = m.path("type").asText();
            assertThat(type).as("after " + Mutations.abbreviate(message)).isNotEqualTo("closed");
            if (type.equals("error")) {
                assertThat(m.path("message").asText()).as(Mutations.abbreviate(message)).isNotBlank();
            }
            if (type.equals("pong") && m.path("id").asLong() == id) {
                break;
            }
        }
        assertThat(thrown).as("exceptions the server logged").isEmpty();
    }
}
