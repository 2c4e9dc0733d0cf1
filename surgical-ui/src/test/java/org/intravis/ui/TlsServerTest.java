package org.intravis.ui;

import org.intravis.ui.testing.CommandRun;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLHandshakeException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The real application served over TLS with a self-signed certificate made by openssl for the test: HTTPS answers
 * to a client that trusts exactly that certificate (and not to one that does not), the stream's video flows over
 * WSS, and a missing, unreadable, non-PEM or mismatched certificate or key stops {@code intravis run} with exit 2
 * and one line naming the file.
 */
class TlsServerTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static TestCertificates certs;
    static Application app;
    static HttpClient https;

    @BeforeAll
    static void start() throws Exception {
        certs = TestCertificates.create(dir, "server");
        app = TestApps.start(certs.withTls(TestApps.config(dir.resolve("data"), "us1",
                "synthetic:ultrasound?width=320&height=240&fps=30&seed=3", "none")));
        https = HttpClient.newBuilder().sslContext(certs.trusting()).connectTimeout(Duration.ofSeconds(10)).build();
    }

    @AfterAll
    static void stop() {
        TestApps.stop(app);
    }

    @Test
    void httpsAnswersTheApiAndThePagesWithTheConfiguredCertificate() throws Exception {
        assertThat(app.scheme()).isEqualTo("https");
        HttpResponse<String> streams = https.send(HttpRequest.newBuilder(URI.create(TestApps.url(app, "/api/streams")))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(streams.statusCode()).isEqualTo(200);
        JsonNode list = JSON.readTree(streams.body());
        assertThat(list.get(0).get("id").asText()).isEqualTo("us1");
        assertThat(streams.sslSession()).isPresent();
        assertThat(streams.sslSession().get().getPeerCertificates()[0].getPublicKey())
                .isEqualTo(java.security.cert.CertificateFactory.getInstance("X.509")
                        .generateCertificate(Files.newInputStream(certs.cert())).getPublicKey());
        HttpResponse<String> page = https.send(HttpRequest.newBuilder(URI.create(TestApps.url(app, "/display")))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<script type=\"module\" src=\"/js/display.js\">");
        assertThat(page.headers().firstValue("content-security-policy")).hasValue(SecurityHeaders.CONTENT_SECURITY_POLICY);
    }

    @Test
    void aClientThatDoesNotTrustTheCertificateIsRefusedAndPlainHttpGetsNoPage() throws Exception {
        HttpClient defaultTrust = HttpClient.newHttpClient();
        assertThatThrownBy(() -> defaultTrust.send(HttpRequest.newBuilder(URI.create(TestApps.url(app, "/api/streams")))
                .build(), HttpResponse.BodyHandlers.ofString())).isInstanceOf(SSLHandshakeException.class);
        // plain HTTP to the TLS port: no page comes back (the server speaks TLS only)
        HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        boolean answered;
        try {
            HttpResponse<String> r = plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port()
                    + "/api/streams")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            answered = r.statusCode() == 200 && r.body().contains("us1");
        } catch (java.io.IOException refused) {
            answered = false;
        }
        assertThat(answered).as("plain HTTP must not be served on the TLS port").isFalse();
    }

    @Test
    void theVideoFlowsOverWss() throws Exception {
        List<String> texts = new CopyOnWriteArrayList<>();
        MessageCollector messages = new MessageCollector(texts);
        WebSocket ws = https.newWebSocketBuilder().buildAsync(TestApps.webSocket(app, "/ws/streams/us1?encoding=jpeg"),
                messages).get();
        try {
            await("JPEG frames over WSS").atMost(Duration.ofSeconds(30)).until(() -> messages.binaries() >= 10);
            assertThat(texts).isNotEmpty();
            JsonNode hello = JSON.readTree(texts.get(0));
            assertThat(hello.get("type").asText()).isEqualTo("hello");
            assertThat(hello.get("encoding").asText()).isEqualTo("jpeg");
        } finally {
            ws.abort();
        }
    }

    @Test
    void theYamlServerSectionTurnsTlsOnAsTheOptionsDo() throws Exception {
        Path yaml = dir.resolve("tls.yaml");
        Files.writeString(yaml, "server:\n  host: 127.0.0.1\n  port: 0\n  tlsCert: " + certs.cert() + "\n  tlsKey: "
                + certs.key() + "\ndataDir: " + dir.resolve("yaml-data") + "\n");
        CommandRun.Result r = CommandLineErrorsTest.run("run", "--config", yaml.toString(), "--no-inference",
                "--source", "synthetic:ultrasound?width=160&height=120", "--duration", "0.5");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("serving https://localhost:").contains("display: https://localhost:");
    }

    @Test
    void aMissingCertificateIsOneLineNamingIt() {
        Path missing = dir.resolve("nope-cert.pem");
        assertOneLineError(run("--tls-cert", missing.toString(), "--tls-key", certs.key().toString()),
                "TLS certificate file not found: " + missing);
    }

    @Test
    void anUnreadableKeyIsOneLineNamingIt() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("a-folder.pem"));
        assertOneLineError(run("--tls-cert", certs.cert().toString(), "--tls-key", folder.toString()),
                "cannot read the TLS key file " + folder);
    }

    @Test
    void aFileThatIsNotPemIsOneLineNamingIt() throws Exception {
        Path junk = Files.writeString(dir.resolve("junk.pem"), "this is not a certificate\n");
        assertOneLineError(run("--tls-cert", junk.toString(), "--tls-key", certs.key().toString()),
                "TLS certificate " + junk + " is not a PEM certificate");
        assertOneLineError(run("--tls-cert", certs.cert().toString(), "--tls-key", junk.toString()),
                "TLS key " + junk + " is not an unencrypted PEM private key");
    }

    @Test
    void anEncryptedKeyIsOneLineSayingItMustNotBe() throws Exception {
        Path encrypted = dir.resolve("encrypted-key.pem");
        Process p = new ProcessBuilder("openssl", "pkey", "-in", certs.key().toString(), "-aes256", "-passout",
                "pass:secret", "-out", encrypted.toString()).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor()).isZero();
        assertOneLineError(run("--tls-cert", certs.cert().toString(), "--tls-key", encrypted.toString()),
                "TLS key " + encrypted + " is not an unencrypted PEM private key");
    }

    @Test
    void aCorruptCertificateIsOneLineNamingIt() throws Exception {
        String pem = Files.readString(certs.cert());
        int mid = pem.indexOf('\n') + 40;
        Path corrupt = Files.writeString(dir.resolve("corrupt-cert.pem"), pem.substring(0, mid) + "!!!!" + pem.substring(mid + 4));
        assertOneLineError(run("--tls-cert", corrupt.toString(), "--tls-key", certs.key().toString()),
                "cannot load the TLS certificate " + corrupt);
    }

    @Test
    void aKeyOfAnotherCertificateIsOneLineSayingTheyDoNotMatch() throws Exception {
        TestCertificates other = TestCertificates.create(dir, "other");
        assertOneLineError(run("--tls-cert", certs.cert().toString(), "--tls-key", other.key().toString()),
                "TLS key " + other.key() + " does not match the certificate " + certs.cert());
    }

    @Test
    void aCertificateWithoutItsKeyIsOneLineAskingForBoth() {
        assertOneLineError(run("--tls-cert", certs.cert().toString()), "TLS needs both a certificate and its key");
    }

    static CommandRun.Result run(String... tls) {
        List<String> args = new ArrayList<>(List.of("run", "--no-inference", "--host", "127.0.0.1", "--port", "0",
                "--data-dir", dir.resolve("cli-data").toString(), "--source", "synthetic:ultrasound?width=160&height=120",
                "--duration", "0.5"));
        args.addAll(List.of(tls));
        return CommandLineErrorsTest.run(args.toArray(String[]::new));
    }

    static void assertOneLineError(CommandRun.Result r, String expected) {
        assertThat(r.code()).as(r.err()).isEqualTo(Intravis.EXIT_USER_ERROR);
        assertThat(r.err().strip()).startsWith("intravis: error: " + expected).doesNotContain("\n");
        assertThat(r.out()).doesNotContain("serving");
    }
}
