package org.intravis.capture.igtl;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.statistics.StatisticsReport;
import org.intravis.pipeline.testing.Mutations;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzed OpenIGTLink bytes as a peer could send them, to the decoder both the {@code igtl://} source and the
 * OpenIGTLink server use, and then to the content readers: valid messages (IMAGE under header versions 1 and 2 with
 * metadata, TRANSFORM, STRING, POINT, POLYDATA) broken the ways a wire breaks them (cut off, bits flipped, spans
 * dropped or repeated, a size field set to an extreme, bytes inserted), most of them with the body size and CRC made
 * to fit again so the damage reaches the body's parsers. Every outcome is a message or an
 * {@link IgtlProtocolException} with a message; never another exception, a hang or a leaked buffer. An IMAGE header
 * the reader accepts describes exactly the pixels that follow (what the source's row copy relies on).
 */
class IgtlWireFuzzTest {
    private static final List<byte[]> SAMPLES = List.of(image(1, 8, 6, 1), image(2, 4, 4, 3), transform(), string(),
            point(), polyData());

    @Provide
    Arbitrary<byte[]> wire() {
        return Arbitraries.randomValue(random -> mutate(SAMPLES.get(random.nextInt(SAMPLES.size())), random));
    }

    @Property(tries = 800)
    void damagedMessagesAreDecodedOrRefusedWithAReason(@ForAll("wire") byte[] bytes) {
        String shown = ByteBufUtil.hexDump(bytes, 0, Math.min(bytes.length, 160));
        int[] decoded = {0};
        Mutations.Outcome<Integer> outcome = Mutations.within(Duration.ofSeconds(5), () -> decodeAndRead(bytes, decoded));
        Throwable t = outcome.thrown();
        if (t instanceof DecoderException && t.getCause() instanceof IgtlProtocolException) {
            t = t.getCause(); // how the channel's pipeline hands the decoder's refusal on
        }
        Mutations.assertClean(shown, new Mutations.Outcome<>(null, t), IgtlProtocolException.class);
        boolean reached = decoded[0] > 0;
        Statistics.collect(reached ? (t == null ? "read" : "refused by a content reader")
                : (t == null ? "waiting for more bytes" : "refused by the decoder"));
        // the damage must reach the content readers often enough, or the property proves little
        Statistics.coverage(c -> c.check("read").percentage(p -> p > 5));
        Statistics.coverage(c -> c.check("refused by a content reader").percentage(p -> p > 5));
    }

    /**
     * Decodes the bytes in two pieces and reads each message's content by its type; {@code decoded[0]} counts the
     * messages decoded before any reader ran (so a refusal can be told apart by where it came from).
     */
    private static Integer decodeAndRead(byte[] bytes, int[] decoded) {
        EmbeddedChannel ch = new EmbeddedChannel(new IgtlDecoder(1 << 20));
        List<IgtlMessage> messages = new ArrayList<>();
        try {
            int cut = bytes.length / 3;
            for (byte[] piece : new byte[][]{Arrays.copyOfRange(bytes, 0, cut), Arrays.copyOfRange(bytes, cut, bytes.length)}) {
                ch.writeInbound(Unpooled.wrappedBuffer(piece));
                for (Object m; (m = ch.readInbound()) != null; ) {
                    messages.add((IgtlMessage) m);
                }
            }
            ch.finish();
            for (Object m; (m = ch.readInbound()) != null; ) {
                messages.add((IgtlMessage) m);
            }
            decoded[0] = messages.size();
            for (IgtlMessage m : messages) {
                read(m);
            }
            return messages.size();
        } finally {
            for (IgtlMessage m : messages) {
                assertThat(m.refCnt()).as("a decoded message's buffer is held once").isEqualTo(1);
                m.release();
            }
            ch.finishAndReleaseAll();
        }
    }

    private static void read(IgtlMessage m) {
        ByteBuf c = m.content();
        switch (m.type()) {
            case IgtlWire.IMAGE -> {
                IgtlImage.Header h = IgtlImage.read(c);
                long pixels = (long) h.subI() * h.subJ() * h.subK() * h.components()
                        * IgtlImage.Header.bytesPerScalar(h.scalarType());
                assertThat(h.dataOffset() + pixels).as("the header describes the pixels that follow")
                        .isEqualTo(c.readableBytes());
            }
            case IgtlWire.TRANSFORM -> IgtlTransform.read(c);
            case IgtlWire.STRING -> IgtlString.read(c);
            case IgtlWire.POINT -> IgtlPoint.read(c);
            case IgtlWire.POLYDATA -> IgtlPolyData.read(c);
            default -> { // a type name damaged into another: the content is not read, as the source and server skip it
            }
        }
        assertThat(c.readerIndex()).as("reading leaves the content's reader index").isZero();
    }

    /** The sample broken 1-3 times; three times in four the body size and CRC are then made to fit the bytes again. */
    static byte[] mutate(byte[] sample, Random random) {
        byte[] b = sample.clone();
        int n = 1 + random.nextInt(3);
        for (int i = 0; i < n && b.length > 0; i++) {
            int at = random.nextInt(b.length);
            switch (random.nextInt(6)) {
                case 0 -> b = Arrays.copyOf(b, at); // cut off
                case 1 -> b[at] ^= (byte) (1 << random.nextInt(8));
                case 2 -> { // a span dropped
                    int end = Math.min(b.length, at + 1 + random.nextInt(16));
                    byte[] out = new byte[b.length - (end - at)];
                    System.arraycopy(b, 0, out, 0, at);
                    System.arraycopy(b, end, out, at, b.length - end);
                    b = out;
                }
                case 3 -> { // a span repeated
                    int end = Math.min(b.length, at + 1 + random.nextInt(24));
                    byte[] span = Arrays.copyOfRange(b, at, end);
                    int times = 1 + random.nextInt(random.nextInt(8) == 0 ? 200 : 3);
                    byte[] out = new byte[b.length + span.length * times];
                    System.arraycopy(b, 0, out, 0, end);
                    for (int k = 0; k < times; k++) {
                        System.arraycopy(span, 0, out, end + k * span.length, span.length);
                    }
                    System.arraycopy(b, end, out, end + span.length * times, b.length - end);
                    b = out;
                }
                case 4 -> { // a 2-, 4- or 8-byte field set to an extreme
                    int width = new int[]{2, 4, 8}[random.nextInt(3)];
                    long value = new long[]{0, -1, 1, Long.MAX_VALUE, Integer.MAX_VALUE, 0xFFFF, 0x8000}[random.nextInt(7)];
                    for (int k = 0; k < width && at + k < b.length; k++) {
                        b[at + k] = (byte) (value >>> (8 * (width - 1 - k)));
                    }
                }
                default -> { // random bytes inserted
                    byte[] extra = new byte[1 + random.nextInt(8)];
                    random.nextBytes(extra);
                    byte[] out = new byte[b.length + extra.length];
                    System.arraycopy(b, 0, out, 0, at);
                    System.arraycopy(extra, 0, out, at, extra.length);
                    System.arraycopy(b, at, out, at + extra.length, b.length - at);
                    b = out;
                }
            }
        }
        if (random.nextInt(4) != 0 && b.length >= IgtlWire.HEADER_SIZE) {
            ByteBuf w = Unpooled.wrappedBuffer(b);
            int body = b.length - IgtlWire.HEADER_SIZE;
            w.setLong(IgtlWire.OFFSET_BODY_SIZE, body);
            w.setLong(IgtlWire.OFFSET_CRC, Crc64.of(w, IgtlWire.HEADER_SIZE, body));
        }
        return b;
    }

    // ---- the valid samples, written with the codec's own writers ----

    /** One message: header, the content {@code content} writes, metadata (header version 2 only), sizes and CRC. */
    private static byte[] message(int headerVersion, String type, String device, IgtlMetadata meta,
                                  java.util.function.Consumer<ByteBuf> content) {
        ByteBuf b = Unpooled.buffer();
        int start = IgtlWriter.begin(b, headerVersion, IgtlWire.type(type), IgtlWire.device(device),
                IgtlWire.timestamp(1_764_750_000_123_456L), 9);
        content.accept(b);
        IgtlWriter.end(b, start, meta);
        byte[] out = new byte[b.readableBytes()];
        b.readBytes(out);
        return out;
    }

    static byte[] image(int headerVersion, int w, int h, int comps) {
        IgtlMetadata meta = headerVersion == IgtlWire.HEADER_V2
                ? new IgtlMetadata().put(IgtlMetadata.key("FrameId"), 42L).put(IgtlMetadata.key("Model"), "ultrasound")
                : null;
        return message(headerVersion, "IMAGE", "Image_Reference", meta, b -> {
            IgtlImage.writeHeader(b, comps, w, h, 0.2);
            for (int i = 0; i < w * h * comps; i++) {
                b.writeByte(i);
            }
        });
    }

    static byte[] transform() {
        return message(IgtlWire.HEADER_V1, "TRANSFORM", "us1_Needle", null, b -> IgtlTransform.writeTranslation(b, 1, 2, 3));
    }

    static byte[] string() {
        byte[] text = "alert raise vessel 1".getBytes(StandardCharsets.US_ASCII);
        return message(IgtlWire.HEADER_V2, "STRING", "us1_Alert",
                new IgtlMetadata().put(IgtlMetadata.key("Confidence"), 0.87, 2), b -> {
                    IgtlString.writeHeader(b, text.length);
                    b.writeBytes(text);
                });
    }

    static byte[] point() {
        byte[] name = "tip".getBytes(StandardCharsets.US_ASCII);
        return message(IgtlWire.HEADER_V1, "POINT", "us1_Tip", null, b -> {
            for (int i = 0; i < 2; i++) {
                IgtlPoint.writeElement(b, name, name.length, IgtlWire.field("Needle", IgtlPoint.GROUP_SIZE), 0xff0000ff,
                        1 + i, 2, 3, 1.5f, IgtlWire.field("us1", IgtlPoint.OWNER_SIZE));
            }
        });
    }

    static byte[] polyData() {
        return message(IgtlWire.HEADER_V1, "POLYDATA", "us1_Vessel", null, b -> {
            IgtlPolyData.writeHeader(b, 4, 1, 5);
            for (int i = 0; i < 4; i++) {
                IgtlPolyData.writePoint(b, i, i * 2, 0);
            }
            IgtlPolyData.writeLine(b, 0, 4, true);
        });
    }
}
