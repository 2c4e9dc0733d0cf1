package org.intravis.inference;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;

/**
 * The content crop on hand-made frames: the picture's box is found inside black margins, only the picture reaches
 * the model's input, and outputs are put back where the picture lies in the frame (values worked out by hand).
 */
class ContentCropTest {
    private static final int G = 512;
    private static final int S = 256;

    private static ModelSpec spec(String crop) throws ModelLoadException {
        String json = "{\"name\": \"crop-test\", \"input\": {\"name\": \"image\", \"width\": 256, \"height\": 256, \"channels\": 1,"
                + " \"interpolation\": \"area\", \"scale\": 0.00392156862745098, \"mean\": 0, \"std\": 1"
                + (crop == null ? "" : ", \"crop\": " + crop) + "},"
                + " \"outputs\": [{\"name\": \"probs\", \"channels\": [\"vessel\", \"nerve\"]}]}";
        return ModelSpec.parse(json.getBytes(StandardCharsets.UTF_8), "test");
    }

    /** A 640x480 frame: speckle in [40, 255] in x 100..539, y 40..439, black elsewhere. */
    private static Mat framedPicture() {
        int w = 640;
        int h = 480;
        byte[] px = new byte[w * h];
        Random rnd = new Random(3);
        for (int y = 40; y < 440; y++) {
            for (int x = 100; x < 540; x++) {
                px[y * w + x] = (byte) (40 + rnd.nextInt(216));
            }
        }
        Mat m = new Mat(h, w, CV_8UC1);
        new BytePointer(m.data()).put(px, 0, px.length);
        return m;
    }

    @Test
    void onlyThePictureReachesTheInput() throws Exception {
        ModelSpec spec = spec("{\"to\": \"content\", \"above\": 12, \"grid\": 512}");
        assertThat(spec.cropsToContent()).isTrue();
        try (FloatPointer memory = new FloatPointer((long) S * S)) {
            TensorRow row = new TensorRow(spec, memory);
            new Preprocessor(spec).toTensor(framedPicture(), row);
            ContentBox box = row.box();
            // the picture spans x 100..540 of 640 and y 40..440 of 480: in the 512 grid x 80..432, y 42.7..469.3
            // (the partly covered grid rows at its top and bottom count as picture)
            assertThat(box.x0()).isEqualTo(80);
            assertThat(box.x1()).isEqualTo(432);
            assertThat(box.y0()).isEqualTo(42);
            assertThat(box.y1()).isEqualTo(470);
            assertThat(box.isWhole()).isFalse();
            // no black margin columns in the input: every input column holds picture (speckle mean ~147 / 255)
            float[] in = new float[S * S];
            memory.get(in, 0, in.length);
            for (int x : new int[]{0, 1, S / 2, S - 2, S - 1}) {
                double sum = 0;
                for (int y = 2; y < S - 2; y++) {
                    sum += in[y * S + x];
                }
                assertThat(sum / (S - 4)).as("column " + x).isGreaterThan(0.4);
            }
        }
    }

    @Test
    void withoutTheCropTheWholeFrameIsTheInput() throws Exception {
        ModelSpec spec = spec(null);
        try (FloatPointer memory = new FloatPointer((long) S * S)) {
            TensorRow row = new TensorRow(spec, memory);
            new Preprocessor(spec).toTensor(framedPicture(), row);
            assertThat(row.box().isWhole()).isTrue();
            float[] in = new float[S * S];
            memory.get(in, 0, in.length);
            assertThat(in[S * S / 2]).isZero(); // column 0 of the middle row: the black margin
        }
    }

    @Test
    void aFrameWithoutAPictureIsUsedWhole() {
        ContentBox box = new ContentBox();
        ContentBox.Scratch counts = new ContentBox.Scratch(G);
        box.find(ByteBuffer.wrap(new byte[G * G]), G, 12, 0.05, -1, counts);
        assertThat(box.isWhole()).isTrue();
        byte[] strip = new byte[G * G]; // a bright strip under a quarter of the grid wide: a caption, not a picture
        for (int y = 0; y < G; y++) {
            Arrays.fill(strip, y * G + 200, y * G + 300, (byte) 200);
        }
        box.find(ByteBuffer.wrap(strip), G, 12, 0, -1, counts);
        assertThat(box.isWhole()).isTrue();
        box.find(ByteBuffer.wrap(strip), G, 12, 0.05, -1, counts);
        assertThat(box.isWhole()).isTrue();
    }

    /**
     * A picture in columns 100..400, rows 20..480 at grey {@code level} (speckle-free for exact counts), a needle
     * 4 px thick from (380, 60) to (180, 330) at 250, and depth dots right of the picture.
     */
    private static byte[] needleInPicture(int level) {
        byte[] g = new byte[G * G];
        for (int y = 20; y < 480; y++) {
            Arrays.fill(g, y * G + 100, y * G + 400, (byte) level);
        }
        for (int t = 0; t <= 400; t++) {
            int x = 380 - t / 2;
            int y = 60 + t * 270 / 400;
            for (int d = -2; d < 2; d++) {
                g[(y + d) * G + x] = (byte) 250;
            }
        }
        for (int y = 30; y < 470; y += 40) {
            Arrays.fill(g, y * G + 406, y * G + 411, (byte) 230);
        }
        return g;
    }

    @Test
    void aNearAnechoicPictureIsNotCroppedToItsNeedle() {
        ContentBox box = new ContentBox();
        ContentBox.Scratch counts = new ContentBox.Scratch(G);
        // a clear gel phantom: the picture (grey 6) under the level, only the needle over it; the needle's box
        // (columns 180..381, rows 58..332, both over a quarter of the grid, which was the crop before) holds the
        // needle alone, 1.5 % of it: the picture is looked for again over a quarter of the level (3)
        box.find(ByteBuffer.wrap(needleInPicture(6)), G, 12, 0.05, 96, counts);
        assertThat(box.toString()).isEqualTo("[100,20)-(400,480) of 512");
        box.find(ByteBuffer.wrap(needleInPicture(6)), G, 12, 0, -1, counts);
        assertThat(box.toString()).isEqualTo("[100,20)-(411,480) of 512"); // the depth dots too, as for any picture
        // a picture as black as the margins (grey 2): nothing but the needle at either level, so the whole grid
        box.find(ByteBuffer.wrap(needleInPicture(2)), G, 12, 0.05, 96, counts);
        assertThat(box.isWhole()).as(box.toString()).isTrue();
        // the same needle in a picture over the level: the picture's box at once
        box.find(ByteBuffer.wrap(needleInPicture(30)), G, 12, 0.05, 96, counts);
        assertThat(box.toString()).isEqualTo("[100,20)-(400,480) of 512");
    }

    @Test
    void scannerGraphicsInTheMarginsStayOutOfTheBoxWhenTheSidecarAsksForDenseColumns() {
        // a picture in columns 100..400, rows 20..480, with a dark stripe 2 columns wide inside it (bridged), and in
        // the black margins a label at the top left (columns 10..90, rows 5..15) and depth dots to the right
        // (columns 406..410, every 40 rows): sparse columns, a few pixels each
        byte[] g = new byte[G * G];
        for (int y = 20; y < 480; y++) {
            for (int x = 100; x < 400; x++) {
                g[y * G + x] = (byte) (x == 250 || x == 251 ? 0 : 90);
            }
        }
        for (int y = 5; y < 15; y++) {
            for (int x = 10; x < 90; x += 2) {
                g[y * G + x] = (byte) 220;
            }
        }
        for (int y = 30; y < 470; y += 40) {
            for (int d = 0; d < 4; d++) {
                Arrays.fill(g, (y + d) * G + 406, (y + d) * G + 411, (byte) 230);
            }
        }
        ContentBox box = new ContentBox();
        ContentBox.Scratch counts = new ContentBox.Scratch(G);
        box.find(ByteBuffer.wrap(g), G, 12, 0, -1, counts);
        assertThat(box.toString()).isEqualTo("[10,5)-(411,480) of 512"); // every pixel above grey 12
        box.find(ByteBuffer.wrap(g), G, 12, 0.05, -1, counts);
        assertThat(box.toString()).isEqualTo("[100,20)-(400,480) of 512"); // the picture only
    }

    @Test
    void aScannersTitleBarAndToolbarStayOutOfTheBoxWhenTheSidecarNamesTheirBrightness() {
        // a picture in columns 100..400, rows 60..400 (speckle-like grey 40..90), its dim lower part apart from it by
        // black rows: rows 408..430 sparse grey 20 (a picture's far field); above it, apart by 8 black rows, a title
        // bar (rows 30..52: text-like, a third of the pixels grey 220) and below, apart by 20 black rows, a toolbar
        // (rows 450..480: an outline and sparse labels, grey 200), both wider than the picture but too sparse per
        // column to widen the box.
        byte[] g = new byte[G * G];
        for (int y = 60; y < 400; y++) {
            for (int x = 100; x < 400; x++) {
                g[y * G + x] = (byte) (40 + (x * 7 + y * 13) % 51);
            }
        }
        for (int y = 408; y < 430; y++) {
            for (int x = 100; x < 400; x += 9) {
                g[y * G + x] = (byte) 20;
            }
        }
        for (int y = 30; y < 52; y++) {
            for (int x = 20; x < 480; x++) {
                g[y * G + x] = (byte) ((x + y) % 3 == 0 ? 220 : 0);
            }
        }
        for (int y = 450; y < 480; y++) {
            for (int x = 20; x < 490; x++) {
                g[y * G + x] = (byte) (y == 450 || y == 479 || (x + 2 * y) % 6 == 0 ? 200 : 0);
            }
        }
        ContentBox box = new ContentBox();
        ContentBox.Scratch counts = new ContentBox.Scratch(G);
        box.find(ByteBuffer.wrap(g), G, 12, 0.05, -1, counts);
        assertThat(box.toString()).isEqualTo("[100,30)-(400,480) of 512"); // before 1.2.2: every row with a picture pixel
        box.find(ByteBuffer.wrap(g), G, 12, 0.05, 96, counts);
        assertThat(box.toString()).isEqualTo("[100,60)-(400,430) of 512"); // the bars out, the dim far field in
        // bright rows that cover the picture's width densely are picture (a bright band apart from it), not a bar
        for (int y = 450; y < 480; y++) {
            Arrays.fill(g, y * G + 20, y * G + 490, (byte) 0);
            Arrays.fill(g, y * G + 100, y * G + 400, (byte) 200);
        }
        box.find(ByteBuffer.wrap(g), G, 12, 0.05, 96, counts);
        assertThat(box.toString()).isEqualTo("[100,60)-(400,480) of 512");
    }

    @Test
    void aSidecarsGraphicsLevelMustBeAGreyLevel() throws Exception {
        assertThat(spec("{\"to\": \"content\", \"above\": 12, \"grid\": 512}").cropGraphicsAbove()).isEqualTo(-1);
        assertThat(spec("{\"to\": \"content\", \"above\": 12, \"grid\": 512, \"graphicsAbove\": 96}").cropGraphicsAbove())
                .isEqualTo(96);
        for (String bad : new String[]{"300", "-5", "\"bright\""}) {
            assertThatThrownBy(() -> spec("{\"to\": \"content\", \"above\": 12, \"grid\": 512, \"graphicsAbove\": " + bad + "}"))
                    .isInstanceOf(ModelLoadException.class).hasMessageContaining("graphicsAbove");
        }
    }

    @Test
    void outputsGoBackWhereThePictureIs() {
        // box: grid columns 128..384 of 512 (the middle half), all rows. Output column j of the frame's 256 grid
        // has its centre at grid x (j + 0.5) * 2: inside the box for j = 64..191, where it reads the cropped
        // output at column ((j + 0.5) * 2 - 128) - 0.5 = 2j - 127.5. A ramp (value = column) comes back as
        // 2j - 127.5 (clamped to 0..255); a constant 1 as 1 inside the box and 0 outside.
        ContentBox box = new ContentBox();
        box.set(128, 0, 384, 512, 512);
        float[] probs = new float[2 * S * S];
        for (int y = 0; y < S; y++) {
            for (int x = 0; x < S; x++) {
                probs[y * S + x] = x;
                probs[S * S + y * S + x] = 1f;
            }
        }
        new ContentUncropper(S, S).uncrop(probs, 2, box);
        for (int y : new int[]{0, 100, 255}) {
            assertThat(probs[y * S + 63]).isZero();
            assertThat(probs[y * S + 192]).isZero();
            assertThat(probs[y * S + 64]).isCloseTo(0.5f, within(1e-4f));      // 2*64 - 127.5
            assertThat(probs[y * S + 100]).isCloseTo(72.5f, within(1e-4f));
            assertThat(probs[y * S + 191]).isCloseTo(254.5f, within(1e-4f));
            assertThat(probs[S * S + y * S + 63]).isZero();
            assertThat(probs[S * S + y * S + 64]).isEqualTo(1f);
            assertThat(probs[S * S + y * S + 191]).isEqualTo(1f);
            assertThat(probs[S * S + y * S + 192]).isZero();
        }
    }

    @Test
    void aBadCropSettingIsAClearError() {
        assertThatThrownBy(() -> spec("{\"to\": \"centre\", \"above\": 12, \"grid\": 512}"))
                .isInstanceOf(ModelLoadException.class).hasMessageContaining("input.crop");
        assertThatThrownBy(() -> spec("{\"to\": \"content\", \"above\": 12, \"grid\": 100}"))
                .isInstanceOf(ModelLoadException.class).hasMessageContaining("at least the input size");
    }
}
