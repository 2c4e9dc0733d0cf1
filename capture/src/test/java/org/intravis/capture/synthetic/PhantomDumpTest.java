package org.intravis.capture.synthetic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.bytedeco.opencv.opencv_core.Mat;
import org.intravis.pipeline.FrameSlot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_UNCHANGED;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;

/** PhantomDump writes what training reads: the picture, the raw label map and the tip/entry JSON, per frame. */
class PhantomDumpTest {

    @Test
    void writesPicturesLabelsAndJsonThatMatchTheSource(@TempDir Path dir) throws Exception {
        PhantomDump.dump("ultrasound", 4, 320, 180, 7, 100, dir);
        ObjectMapper json = new ObjectMapper();
        try (SyntheticSource src = PhantomFrames.open("synthetic:ultrasound?width=320&height=180&seed=7&pace=fast")) {
            FrameSlot slot = PhantomFrames.slotFor(src);
            int visible = 0;
            for (int i = 0; i < 4; i++) {
                String stem = String.format("%06d", i);
                Path png = dir.resolve("frame-" + stem + ".png");
                Path lab = dir.resolve("labels-" + stem + ".png");
                JsonNode meta = json.readTree(dir.resolve("frame-" + stem + ".json").toFile());
                assertThat(meta.get("frame").asLong()).isEqualTo(i * 100L);
                src.renderFrame(i * 100L, slot);
                byte[] px = PhantomFrames.pixels(slot);
                byte[] labels = PhantomFrames.labels(slot);
                try (Mat p = imread(png.toString(), IMREAD_UNCHANGED); Mat l = imread(lab.toString(), IMREAD_UNCHANGED)) {
                    assertThat(p.cols()).isEqualTo(320);
                    assertThat(p.rows()).isEqualTo(180);
                    assertThat(p.channels()).isEqualTo(1);
                    byte[] got = new byte[320 * 180];
                    p.data().get(got);
                    assertThat(got).isEqualTo(px);
                    l.data().get(got);
                    assertThat(got).isEqualTo(labels);
                }
                assertThat(meta.get("instrumentVisible").asBoolean()).isEqualTo(slot.groundTruth().instrumentVisible());
                if (slot.groundTruth().instrumentVisible()) {
                    visible++;
                    assertThat(meta.get("tipX").floatValue()).isEqualTo(slot.groundTruth().tipX());
                    assertThat(meta.get("entryY").floatValue()).isEqualTo(slot.groundTruth().entryY());
                }
                assertThat(Files.size(png)).isGreaterThan(1000);
            }
            assertThat(visible).isGreaterThan(0);
        }
    }
}
