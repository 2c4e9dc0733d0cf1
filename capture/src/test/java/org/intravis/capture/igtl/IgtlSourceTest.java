package org.intravis.capture.igtl;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.intravis.capture.FrameSources;
import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.FrameSource;
import org.intravis.pipeline.PixelFormat;
import org.intravis.pipeline.SourceStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code igtl://} against a server written here with the codec, over real sockets: pixel conversions (grey, RGB to
 * grey and to BGR), the spacing, the device filter, images of a kind it cannot show, and damage (a wrong CRC, an
 * absurd size): a log line, the connection dropped and made again, frames flowing after. And the options' errors.
 */
class IgtlSourceTest {
    private final ServerSocket server = new ServerSocket(0);
    private final LinkedBlockingQueue<Socket> accepted = new LinkedBlockingQueue<>();
    private final Thread acceptor = new Thread(this::acceptLoop, "test-igtl-server");
    private final LinkedBlockingQueue<String> warnings = new LinkedBlockingQueue<>();
    private final Handler logs = new Handler() {
        @Override
        public void publish(LogRecord r) {
            warnings.add(r.getMessage());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    IgtlSourceTest() throws IOException {
        acceptor.setDaemon(true);
        acceptor.start();
        Logger.getLogger(IgtlSource.class.getName()).addHandler(logs);
    }

    @AfterEach
    void stop() throws IOException {
        Logger.getLogger(IgtlSource.class.getName()).removeHandler(logs);
        server.close();
        for (Socket s : accepted) {
            s.close();
        }
    }

    private void acceptLoop() {
        try {
            while (true) {
                accepted.add(server.accept());
            }
        } catch (IOException closed) {
            // the test is over
        }
    }

    private String uri(String options) {
        return "igtl://127.0.0.1:" + server.getLocalPort() + (options.isEmpty() ? "" : "?" + options);
    }

    /** An IMAGE of w x h with {@code comps} components, pixel value f(x, y, c) = x + 3y + 50c (mod 256). */
    static byte[] image(String device, int w, int h, int comps, double spacing, int scalar) {
        ByteBuf b = Unpooled.buffer();
        int start = IgtlWriter.begin(b, IgtlWire.HEADER_V1, IgtlWire.type("IMAGE"), IgtlWire.device(device), 0, 0);
        IgtlImage.writeHeader(b, comps, w, h, spacing);
        b.setByte(start + 58 + 3, scalar);
        int bytes = scalar == IgtlImage.SCALAR_UINT8 ? 1 : 2;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < comps; c++) {
                    for (int k = 0; k < bytes; k++) {
                        b.writeByte(x + 3 * y + 50 * c);
                    }
                }
            }
        }
        IgtlWriter.end(b, start, null);
        byte[] out = new byte[b.readableBytes()];
        b.readBytes(out);
        return out;
    }

    /** An IMAGE whose size and sub-volume are 0 x 0 x 1 with no pixels: consistent, so the decoder lets it through. */
    static byte[] emptyImage(String device) {
        ByteBuf b = Unpooled.buffer();
        int start = IgtlWriter.begin(b, IgtlWire.HEADER_V1, IgtlWire.type("IMAGE"), IgtlWire.device(device), 0, 0);
        IgtlImage.writeHeader(b, 1, 1, 1, 0.2);
        int content = start + IgtlWire.HEADER_SIZE;
        for (int at : new int[]{6, 8, 66, 68}) { // size i, j and sub-volume i, j
            b.setShort(content + at, 0);
        }
        IgtlWriter.end(b, start, null);
        byte[] out = new byte[b.readableBytes()];
        b.readBytes(out);
        return out;
    }

    private Socket client() throws InterruptedException {
        Socket s = accepted.poll(5, TimeUnit.SECONDS);
        assertThat(s).as("the source connected").isNotNull();
        return s;
    }

    private static FrameSource.Read next(FrameSource source, FrameSlot slot, long ms) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        FrameSource.Read r;
        do {
            r = source.readInto(slot);
        } while (r == FrameSource.Read.NONE && System.nanoTime() < deadline);
        return r;
    }

    @Test
    void greyImagesWithTheirSpacing() throws Exception {
        try (FrameSource source = FrameSources.create(uri("timeoutMs=2000"))) {
            Thread feeder = new Thread(() -> {
                try {
                    OutputStream out = client().getOutputStream();
                    out.write(image("Image_Reference", 40, 30, 1, 0.2, IgtlImage.SCALAR_UINT8));
                    out.flush();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            feeder.start();
            source.open();
            feeder.join();
            assertThat(source.geometry().maxWidth()).isEqualTo(40);
            assertThat(source.geometry().format()).isEqualTo(PixelFormat.GRAY8);
            assertThat(source.pixelSpacingMm()).isCloseTo(0.2, org.assertj.core.data.Offset.offset(1e-6));
            FrameSlot slot = new FrameSlot(0, source.geometry(), false);
            assertThat(next(source, slot, 2000)).isEqualTo(FrameSource.Read.FRAME);
            assertThat(slot.width()).isEqualTo(40);
            assertThat(slot.height()).isEqualTo(30);
            assertThat(slot.pixels().get(5 + 7 * slot.stride()) & 0xff).isEqualTo(5 + 21);
            assertThat(source.status()).isEqualTo(SourceStatus.STREAMING);
        }
    }

    @Test
    void rgbBecomesGreyOrBgrAndOnlyTheNamedDeviceIsTaken() throws Exception {
        for (String format : new String[]{"gray", "bgr"}) {
            try (FrameSource source = FrameSources.create(uri("device=Video&format=" + format + "&width=16&height=8"))) {
                source.open(); // width and height given: no wait for a first image
                Socket s = client();
                FrameSlot slot = new FrameSlot(0, source.geometry(), false);
                s.getOutputStream().write(image("Other", 16, 8, 1, 0, IgtlImage.SCALAR_UINT8)); // not ours
                s.getOutputStream().write(image("Video", 16, 8, 3, 0, IgtlImage.SCALAR_UINT8));
                assertThat(next(source, slot, 2000)).isEqualTo(FrameSource.Read.FRAME);
                int x = 2;
                int y = 1;
                int r = x + 3 * y;
                int g = r + 50;
                int b = r + 100;
                if (format.equals("gray")) {
                    assertThat(slot.format()).isEqualTo(PixelFormat.GRAY8);
                    assertThat(slot.pixels().get(y * slot.stride() + x) & 0xff)
                            .isEqualTo((77 * r + 150 * g + 29 * b + 128) >> 8);
                } else {
                    assertThat(slot.format()).isEqualTo(PixelFormat.BGR24);
                    int at = y * slot.stride() + 3 * x;
                    assertThat(slot.pixels().get(at) & 0xff).isEqualTo(b);
                    assertThat(slot.pixels().get(at + 2) & 0xff).isEqualTo(r);
                }
                assertThat(((IgtlSource) source).imagesReceived()).isEqualTo(1); // "Other" was not counted
                s.close();
            }
        }
    }

    @Test
    void imagesOfAnotherKindAreSkippedWithOneLogLine() throws Exception {
        try (IgtlSource source = (IgtlSource) FrameSources.create(uri("width=8&height=8&format=gray"))) {
            source.open();
            Socket s = client();
            FrameSlot slot = new FrameSlot(0, source.geometry(), false);
            s.getOutputStream().write(image("d", 8, 8, 1, 0, 5)); // uint16
            s.getOutputStream().write(image("d", 8, 8, 1, 0, 5));
            s.getOutputStream().write(image("d", 16, 8, 1, 0, IgtlImage.SCALAR_UINT8)); // larger than the stream
            s.getOutputStream().write(image("d", 8, 8, 1, 0, IgtlImage.SCALAR_UINT8));
            // the good image after them arrives (the larger one may be skipped by the reader or replaced before it)
            assertThat(next(source, slot, 2000)).isEqualTo(FrameSource.Read.FRAME);
            assertThat(slot.width()).isEqualTo(8);
            assertThat(source.imagesSkipped()).isGreaterThanOrEqualTo(2);
            assertThat(warnings).anyMatch(w -> w.contains("scalar type 5 (only 8-bit images are taken)"));
            assertThat(warnings.stream().filter(w -> w.contains("scalar type 5"))).hasSize(1);
        }
    }

    /** An empty image (0 x 0, a valid message) is skipped like other images it cannot show, not handed to the slot. */
    @Test
    void anEmptyImageIsSkipped() throws Exception {
        try (IgtlSource source = (IgtlSource) FrameSources.create(uri("width=8&height=8&format=gray"))) {
            source.open();
            Socket s = client();
            FrameSlot slot = new FrameSlot(0, source.geometry(), false);
            s.getOutputStream().write(emptyImage("d"));
            assertThat(next(source, slot, 500)).isEqualTo(FrameSource.Read.NONE);
            s.getOutputStream().write(image("d", 8, 8, 1, 0, IgtlImage.SCALAR_UINT8));
            assertThat(next(source, slot, 2000)).isEqualTo(FrameSource.Read.FRAME);
            assertThat(slot.width()).isEqualTo(8);
            assertThat(source.imagesSkipped()).isEqualTo(1);
            assertThat(warnings).anyMatch(w -> w.contains("an empty image (0x0)"));
        }
    }

    @Test
    void aDamagedMessageDropsTheConnectionWhichComesBack() throws Exception {
        try (IgtlSource source = (IgtlSource) FrameSources.create(uri("width=8&height=8&format=gray&reconnectInitialMs=50"))) {
            source.open();
            Socket first = client();
            byte[] bad = image("d", 8, 8, 1, 0, IgtlImage.SCALAR_UINT8);
            bad[bad.length - 1] ^= 1; // the CRC no longer matches
            first.getOutputStream().write(bad);
            Socket second = client(); // it reconnected
            assertThat(String.join("\n", warnings)).contains("CRC mismatch").contains("closing the connection");
            assertThat(first.getInputStream().read()).as("the first connection was closed").isEqualTo(-1);

            byte[] absurd = image("d", 8, 8, 1, 0, IgtlImage.SCALAR_UINT8);
            java.nio.ByteBuffer.wrap(absurd).putLong(42, 1L << 50);
            second.getOutputStream().write(absurd, 0, 58);
            Socket third = client();
            assertThat(String.join("\n", warnings)).contains("over the limit of 67108864");
            third.getOutputStream().write(image("d", 8, 8, 1, 0, IgtlImage.SCALAR_UINT8));
            FrameSlot slot = new FrameSlot(0, source.geometry(), false);
            assertThat(next(source, slot, 3000)).isEqualTo(FrameSource.Read.FRAME);
            assertThat(source.reconnects()).isEqualTo(2);
        }
    }

    @Test
    void noServerYetIsNotAFailure() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        try (FrameSource source = FrameSources.create("igtl://127.0.0.1:" + port + "?timeoutMs=200&reconnectInitialMs=50")) {
            source.open();
            assertThat(source.geometry().maxWidth()).isEqualTo(1920);
            FrameSlot slot = new FrameSlot(0, source.geometry(), false);
            assertThat(next(source, slot, 500)).isEqualTo(FrameSource.Read.NONE);
            assertThat(source.status()).isEqualTo(SourceStatus.RECONNECTING);
            assertThat(source.statusDetail()).contains("cannot connect");
        }
    }

    @Test
    void badOptionsAreClearErrors() {
        assertThatThrownBy(() -> FrameSources.create("igtl://127.0.0.1")).hasMessageContaining("needs a port");
        assertThatThrownBy(() -> FrameSources.create("igtl:host:1")).hasMessageContaining("igtl://HOST:PORT");
        assertThatThrownBy(() -> FrameSources.create("igtl://h:99999")).hasMessageContaining("not 1..65535");
        assertThatThrownBy(() -> FrameSources.create("igtl://h:1?devcie=x")).hasMessageContaining("unknown option 'devcie'");
        assertThatThrownBy(() -> FrameSources.create("igtl://h:1?device=abcdefghijklmnopqrstuvwxyz"))
                .hasMessageContaining("longer than OpenIGTLink's 20 bytes");
        assertThatThrownBy(() -> FrameSources.create("igtl://h:1?format=rgba")).hasMessageContaining("must be gray or bgr");
        assertThatThrownBy(() -> FrameSources.create("igtl://h:1?width=5")).hasMessageContaining("both width and height");
    }
}
