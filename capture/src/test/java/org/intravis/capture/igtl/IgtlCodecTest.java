package org.intravis.capture.igtl;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ResourceLeakDetector;
import org.intravis.capture.testing.IgtlMessages;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The codec on its own, in an {@link EmbeddedChannel}: the CRC against the reference library's check value, round
 * trips of header versions 1 and 2 (version 3's extended header and metadata), and every kind of damage the decoder
 * must refuse with a message that says what was wrong. Buffers' reference counts are checked.
 */
class IgtlCodecTest {

    @BeforeAll
    static void paranoid() {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    }

    @Test
    void crcIsEcma182AsTheReferenceLibraryComputesIt() {
        byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
        // crc64() of igtl_util.c over "123456789" (compiled against libOpenIGTLink: 6c40df5f0b497347)
        assertThat(Crc64.of(Unpooled.wrappedBuffer(check), 0, 9)).isEqualTo(0x6C40DF5F0B497347L);
        Random r = new Random(7);
        for (int n : new int[]{0, 1, 7, 8, 9, 63, 64, 1000, 4099}) {
            byte[] data = new byte[n];
            r.nextBytes(data);
            ByteBuf b = Unpooled.directBuffer(n + 3).writeZero(3).writeBytes(data);
            assertThat(Crc64.of(b, 3, n)).as("length %d", n).isEqualTo(Crc64.bytewise(data));
            b.release();
        }
    }

    @Test
    void timestampsKeepMicroseconds() {
        long us = 1_764_750_000_123_456L;
        long ts = IgtlWire.timestamp(us);
        assertThat(ts >>> 32).isEqualTo(1_764_750_000L);
        assertThat(IgtlWire.epochMicros(ts)).isEqualTo(us);
    }

    @Test
    void versionOneRoundTrip() {
        EmbeddedChannel ch = new EmbeddedChannel(new IgtlDecoder());
        ByteBuf wire = Unpooled.buffer();
        int start = IgtlWriter.begin(wire, IgtlWire.HEADER_V1, IgtlWire.type("TRANSFORM"), IgtlWire.device("us1_Needle"),
                IgtlWire.timestamp(5_000_000), 0);
        IgtlTransform.writeTranslation(wire, 1.5f, -2f, 0f);
        IgtlWriter.end(wire, start, null);
        assertThat(wire.readableBytes()).isEqualTo(58 + 48);
        assertThat(wire.getLong(42)).isEqualTo(48);

        ch.writeInbound(wire);
        IgtlMessage m = ch.readInbound();
        assertThat(m.headerVersion()).isEqualTo(1);
        assertThat(m.type()).isEqualTo("TRANSFORM");
        assertThat(m.deviceName()).isEqualTo("us1_Needle");
        assertThat(IgtlWire.epochMicros(m.timestamp())).isEqualTo(5_000_000);
        assertThat(m.metadata()).isEmpty();
        assertThat(IgtlTransform.read(m.content())).containsExactly(1, 0, 0, 0, 1, 0, 0, 0, 1, 1.5f, -2f, 0f);
        assertThat(m.release()).isTrue();
        assertThat(wire.refCnt()).isZero();
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void versionThreeRoundTripCarriesMessageIdAndMetadata() {
        IgtlMetadata meta = new IgtlMetadata();
        byte[] frameId = IgtlMetadata.key("FrameId");
        byte[] confidence = IgtlMetadata.key("Confidence");
        byte[] model = IgtlMetadata.key("Model");
        meta.clear().put(frameId, 123456789L).put(confidence, 0.8765, 3).put(model, "ultrasound 1.2.0");

        ByteBuf wire = Unpooled.buffer();
        int start = IgtlWriter.begin(wire, IgtlWire.HEADER_V2, IgtlWire.type("STRING"), IgtlWire.device("us1_Alert"),
                0, 77);
        byte[] text = "alert raise".getBytes(StandardCharsets.US_ASCII);
        IgtlString.writeHeader(wire, text.length);
        wire.writeBytes(text);
        IgtlWriter.end(wire, start, meta);
        // body = extended header + content + metadata header (2 + 3 x 8) + keys and values
        int metaData = "FrameId".length() + 9 + "Confidence".length() + 5 + "Model".length() + 16;
        assertThat(wire.getLong(42)).isEqualTo(12 + 4 + text.length + 26 + metaData);
        assertThat(wire.getUnsignedShort(58)).isEqualTo(12);
        assertThat(wire.getUnsignedShort(60)).isEqualTo(26);
        assertThat(wire.getUnsignedInt(62)).isEqualTo(metaData);

        EmbeddedChannel ch = new EmbeddedChannel(new IgtlDecoder(), new IgtlEncoder());
        ch.writeInbound(wire);
        IgtlMessage m = ch.readInbound();
        assertThat(m.headerVersion()).isEqualTo(2);
        assertThat(m.messageId()).isEqualTo(77);
        assertThat(IgtlString.read(m.content())).isEqualTo("alert raise");
        assertThat(m.metadata()).containsExactly(Map.entry("FrameId", "123456789"), Map.entry("Confidence", "0.877"),
                Map.entry("Model", "ultrasound 1.2.0"));

        // and back out through the encoder: the same message decodes to the same fields
        ch.writeOutbound(m);
        ByteBuf again = ch.readOutbound();
        EmbeddedChannel ch2 = new EmbeddedChannel(new IgtlDecoder());
        ch2.writeInbound(again);
        IgtlMessage m2 = ch2.readInbound();
        assertThat(m2.metadata()).isEqualTo(Map.of("FrameId", "123456789", "Confidence", "0.877",
                "Model", "ultrasound 1.2.0"));
        assertThat(m2.messageId()).isEqualTo(77);
        assertThat(IgtlString.read(m2.content())).isEqualTo("alert raise");
        m2.release();
        assertThat(m.refCnt()).isZero(); // the encoder released it
    }

    @Test
    void encoderWritesUtf8Metadata() {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("Patient", "Zoë");
        IgtlMessage m = new IgtlMessage(2, "STRING", "d", 0, 1, meta, stringContent("x"));
        ByteBuf out = Unpooled.buffer();
        IgtlEncoder.write(m, out);
        m.release();
        EmbeddedChannel ch = new EmbeddedChannel(new IgtlDecoder());
        ch.writeInbound(out);
        IgtlMessage back = ch.readInbound();
        assertThat(back.metadata()).containsEntry("Patient", "Zoë");
        back.release();
    }

    @Test
    void severalMessagesInOneReadAndOneMessageInSmallPieces() {
        ByteBuf wire = Unpooled.buffer();
        for (int i = 0; i < 3; i++) {
            int start = IgtlWriter.begin(wire, IgtlWire.HEADER_V1, IgtlWire.type("TRANSFORM"), IgtlWire.device("t" + i), 0, 0);
            IgtlTransform.writeTranslation(wire, i, 0, 0);
            IgtlWriter.end(wire, start, null);
        }
        EmbeddedChannel ch = new EmbeddedChannel(new IgtlDecoder());
        while (wire.isReadable()) { // 7 bytes at a time
            ch.writeInbound(wire.readRetainedSlice(Math.min(7, wire.readableBytes())));
        }
        wire.release();
        List<Object> got = List.of(ch.readInbound(), ch.readInbound(), ch.readInbound());
        for (int i = 0; i < 3; i++) {
            IgtlMessage m = (IgtlMessage) got.get(i);
            assertThat(m.deviceName()).isEqualTo("t" + i);
            assertThat(IgtlTransform.read(m.content())[9]).isEqualTo(i);
            m.release();
        }
    }

    @Test
    void wrongCrcIsRefusedAndTheRestDiscarded() {
        ByteBuf wire = IgtlMessages.transform("tool");
        wire.setByte(58 + 5, wire.getByte(58 + 5) ^ 0x10); // one bit of the body
        wire.writeBytes(IgtlMessages.transform("tool")); // a good message after it is not read: the connection is not trusted
        EmbeddedChannel ch = new EmbeddedChannel(new IgtlDecoder());
        assertThatThrownBy(() -> ch.writeInbound(wire)).isInstanceOf(IgtlProtocolException.class)
                .hasMessageContaining("TRANSFORM message 'tool': CRC mismatch over its 48-byte body");
        assertThat((Object) ch.readInbound()).isNull();
        ch.writeInbound(IgtlMessages.transform("tool"));
        assertThat((Object) ch.readInbound()).isNull();
        assertThat(wire.refCnt()).isZero();
        ch.finishAndReleaseAll();
    }

    @Test
    void absurdBodySizeIsRefusedAsSoonAsTheHeaderArrives() {
        ByteBuf header = IgtlMessages.transform("tool").readRetainedSlice(58);
        header.setLong(42, 1L << 40); // a terabyte
        EmbeddedChannel ch = new EmbeddedChannel(new IgtlDecoder(1 << 20));
        assertThatThrownBy(() -> ch.writeInbound(header)).isInstanceOf(IgtlProtocolException.class)
                .hasMessageContaining("announces a body of 1099511627776 bytes, over the limit of 1048576");
        ByteBuf negative = IgtlMessages.transform("tool").readRetainedSlice(58);
        negative.setLong(42, -1L);
        EmbeddedChannel ch2 = new EmbeddedChannel(new IgtlDecoder());
        assertThatThrownBy(() -> ch2.writeInbound(negative)).hasMessageContaining("18446744073709551615 bytes");
    }

    @Test
    void garbageIsNotAHeader() {
        EmbeddedChannel ch = new EmbeddedChannel(new IgtlDecoder());
        ByteBuf http = Unpooled.copiedBuffer("GET / HTTP/1.1\r\nHost: localhost\r\nUser-Agent: curl/8.0\r\nAccept: */*\r\n\r\n",
                StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> ch.writeInbound(http)).isInstanceOf(IgtlProtocolException.class)
                .hasMessageContaining("not an OpenIGTLink header: version 18245");
        ByteBuf badName = IgtlMessages.transform("tool");
        badName.setByte(16, 0x07);
        EmbeddedChannel ch2 = new EmbeddedChannel(new IgtlDecoder());
        assertThatThrownBy(() -> ch2.writeInbound(badName)).hasMessageContaining("device name has byte 0x7 at 2");
    }

    @Test
    void connectionEndingInsideABodyIsReported() {
        ByteBuf wire = IgtlMessages.transform("tool");
        EmbeddedChannel ch = new EmbeddedChannel(new IgtlDecoder());
        ch.writeInbound(wire.readRetainedSlice(58 + 20));
        wire.release();
        assertThat((Object) ch.readInbound()).isNull();
        assertThatThrownBy(ch::finish).isInstanceOf(IgtlProtocolException.class)
                .hasMessageContaining("the connection ended inside a TRANSFORM message (20 of 48 body bytes)");
    }

    @Test
    void versionThreeSizesThatDoNotFitAreRefused() {
        ByteBuf wire = Unpooled.buffer();
        int start = IgtlWriter.begin(wire, IgtlWire.HEADER_V2, IgtlWire.type("STRING"), IgtlWire.device("d"), 0, 1);
        IgtlString.writeHeader(wire, 1);
        wire.writeByte('x');
        IgtlWriter.end(wire, start, null);
        wire.setInt(58 + 4, 1000); // metadata size larger than the body
        wire.setLong(50, Crc64.of(wire, 58, wire.readableBytes() - 58));
        EmbeddedChannel ch = new EmbeddedChannel(new IgtlDecoder());
        assertThatThrownBy(() -> ch.writeInbound(wire)).hasMessageContaining("do not fit its 17-byte body");
    }

    @Test
    void imageHeaderIsCheckedAgainstItsPixels() {
        ByteBuf content = Unpooled.buffer();
        IgtlImage.writeHeader(content, 1, 4, 3, 0.25);
        content.writeZero(12);
        IgtlImage.Header h = IgtlImage.read(content);
        assertThat(h.sizeI()).isEqualTo(4);
        assertThat(h.sizeJ()).isEqualTo(3);
        assertThat(h.spacingI()).isEqualTo(0.25);
        assertThat(h.whole()).isTrue();
        assertThat(h.matrix()[9]).isEqualTo(1.5f * 0.25f);
        content.writeByte(0);
        assertThatThrownBy(() -> IgtlImage.read(content)).hasMessageContaining("13 bytes of pixels")
                .hasMessageContaining("says 12");
    }

    private static ByteBuf stringContent(String s) {
        ByteBuf b = Unpooled.buffer();
        IgtlString.writeHeader(b, s.length());
        b.writeCharSequence(s, StandardCharsets.US_ASCII);
        return b;
    }

}
