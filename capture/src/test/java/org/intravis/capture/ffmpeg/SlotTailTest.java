package org.intravis.capture.ffmpeg;

import org.bytedeco.javacpp.BytePointer;
import org.intravis.capture.FfmpegCli;
import org.intravis.capture.FrameSources;
import org.intravis.capture.Slots;
import org.intravis.pipeline.FrameSlot;
import org.intravis.pipeline.FrameSource;
import org.intravis.pipeline.PixelFormat;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Native code may write past a picture's last row (FFmpeg 8's swscale: 24 bytes when it converts 4:2:0 YUV to BGR24
 * at widths of 8 mod 16). A frame that fills its slot to the byte must leave every such write inside memory the slot
 * owns ({@link FrameSlot#NATIVE_TAIL}): the bytes after the frame are marked, a real H.264 file is read as BGR into
 * slots of exactly its size, and whatever changed after the frame lies within the tail.
 */
class SlotTailTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}x{1}")
    @CsvSource({"360, 288", "1080, 860", "120, 96", "1280, 720"})
    void writesPastAFrameStayInTheSlot(int w, int h) throws Exception {
        Path video = FfmpegCli.testVideo(dir.resolve("v.mp4"), w, h, 25, 3, "-c:v", "libx264", "-pix_fmt", "yuv420p");
        try (FrameSource s = FrameSources.create("file:" + video + "?pace=fast&format=bgr")) {
            s.open();
            assertThat(s.geometry().format()).isEqualTo(PixelFormat.BGR24);
            FrameSlot slot = new FrameSlot(0, s.geometry(), false);
            int frame = w * h * 3;
            assertThat(slot.pixels().capacity()).isEqualTo(frame);
            BytePointer whole = new BytePointer(slot.pixels().duplicate().clear())
                    .capacity(frame + FrameSlot.NATIVE_TAIL);
            for (int i = 0; i < FrameSlot.NATIVE_TAIL; i++) {
                whole.put(frame + i, (byte) 0x5A);
            }
            assertThat(Slots.next(s, slot, 5000)).isEqualTo(FrameSource.Read.FRAME);
            assertThat(slot.frameBytes()).isEqualTo(frame);
            int written = 0;
            for (int i = 0; i < FrameSlot.NATIVE_TAIL; i++) {
                if (whole.get(frame + i) != 0x5A) {
                    written = i + 1;
                }
            }
            // the last 16 bytes of the tail untouched: the writes past the frame end well inside it
            assertThat(written).as("bytes written after the frame").isLessThanOrEqualTo(FrameSlot.NATIVE_TAIL - 16);
            System.out.println(w + "x" + h + " BGR: " + written + " bytes written after the frame");
        }
    }
}
