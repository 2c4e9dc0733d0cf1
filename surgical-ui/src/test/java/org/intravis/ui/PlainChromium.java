package org.intravis.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;

/**
 * Debian's Chromium, headless, showing one page with no test driver attached: as an OR display's kiosk browser runs.
 * Playwright (every other browser test) keeps DevTools' network agent on in each page, and that agent keeps copies of
 * the responses it saw; a page that polls the server would seem to grow for that reason alone. Here the DevTools
 * protocol is reached only for what is asked of it ({@link #send}): no domain is enabled but those a caller names.
 */
final class PlainChromium implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final Path profile;
    private final WebSocket devtools;
    private final AtomicInteger nextId = new AtomicInteger(1);
    private final Map<Integer, CompletableFuture<JsonNode>> waiting = new ConcurrentHashMap<>();

    private PlainChromium(Process process, Path profile, WebSocket devtools) {
        this.process = process;
        this.profile = profile;
        this.devtools = devtools;
    }

    /** Starts a browser of its own (a fresh profile) showing {@code url} in a {@code width} x {@code height} window. */
    static PlainChromium open(String url, int width, int height) throws Exception {
        Path profile = Files.createTempDirectory("intravis-chromium");
        Process process = new ProcessBuilder(List.of("/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--remote-debugging-port=0", "--user-data-dir=" + profile, "--window-size=" + width + "," + height, url))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            Path portFile = profile.resolve("DevToolsActivePort"); // Chromium writes the port it chose here
            await("Chromium's DevTools port").atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .until(() -> Files.size(portFile) > 0);
            int port = Integer.parseInt(Files.readAllLines(portFile).get(0).trim());
            HttpClient http = HttpClient.newHttpClient();
            JsonNode[] page = new JsonNode[1];
            await("the page's DevTools target").atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
                JsonNode targets = JSON.readTree(http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/json/list")).build(), HttpResponse.BodyHandlers.ofString()).body());
                for (JsonNode t : targets) {
                    if (t.path("type").asText().equals("page")) { // the one tab it was started with
                        page[0] = t;
                    }
                }
                return page[0] != null;
            });
            PlainChromium[] self = new PlainChromium[1];
            WebSocket ws = http.newWebSocketBuilder().buildAsync(URI.create(page[0].get("webSocketDebuggerUrl").asText()),
                    new WebSocket.Listener() {
                        private final StringBuilder message = new StringBuilder();

                        @Override
                        public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
                            message.append(data);
                            if (last) {
                                self[0].reply(message.toString());
                                message.setLength(0);
                            }
                            socket.request(1);
                            return null;
                        }
                    }).get(30, TimeUnit.SECONDS);
            self[0] = new PlainChromium(process, profile, ws);
            return self[0];
        } catch (Exception e) {
            stop(process, profile);
            throw e;
        }
    }

    private void reply(String text) {
        try {
            JsonNode m = JSON.readTree(text);
            CompletableFuture<JsonNode> f = m.has("id") ? waiting.remove(m.get("id").asInt()) : null;
            if (f != null) {
                f.complete(m); // events (no id) are not asked for and not kept
            }
        } catch (IOException e) {
            throw new IllegalStateException("DevTools sent what is not JSON: " + text, e);
        }
    }

    /** A DevTools command to the page; its {@code result}. */
    JsonNode send(String method, Map<String, Object> params) throws Exception {
        int id = nextId.getAndIncrement();
        ObjectNode m = JSON.createObjectNode().put("id", id).put("method", method);
        m.set("params", JSON.valueToTree(params));
        CompletableFuture<JsonNode> f = new CompletableFuture<>();
        waiting.put(id, f);
        devtools.sendText(JSON.writeValueAsString(m), true).get(10, TimeUnit.SECONDS);
        JsonNode r = f.get(30, TimeUnit.SECONDS);
        if (r.has("error")) {
            throw new IllegalStateException(method + ": " + r.get("error"));
        }
        return r.get("result");
    }

    /** The browser's processes (its renderers, GPU process, zygotes). */
    ProcessHandle process() {
        return process.toHandle();
    }

    @Override
    public void close() throws Exception {
        devtools.abort();
        stop(process, profile);
    }

    /** Ends the browser and its processes and removes its profile. */
    private static void stop(Process process, Path profile) throws Exception {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        process.waitFor(10, TimeUnit.SECONDS);
        TempDataApp.delete(profile);
    }
}
