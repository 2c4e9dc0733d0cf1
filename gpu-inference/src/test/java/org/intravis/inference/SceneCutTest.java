package org.intravis.inference;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;
import org.intravis.pipeline.FrameSlot;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_GRAYSCALE;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

/**
 * A scene cut on real frames: the held-out needle frames as the video they are never cut (4 frames apart at 60 fps,
 * a hand moving the probe); another scan of the same scanner and protocol (also inside the same scanner capture's
 * margins and graphics), the clip's lower view at the frame's size, another frame size or a second's gap always are.
 */
class SceneCutTest {
    private static final long FRAME = 66_666_667L; // 15 fps

    private static GreyPixels pixels(Mat m) {
        byte[] px = new byte[m.cols() * m.rows()];
        new BytePointer(m.data()).get(px);
        return new GreyPixels().wrap(ByteBuffer.wrap(px), m.cols(), m.rows(), m.cols(), 1);
    }

    private static GreyPixels read(Path p) {
        Mat m = imread(p.toString(), IMREAD_GRAYSCALE);
        assertThat(m.empty()).as(p.toString()).isFalse();
        return pixels(m);
    }

    private static GreyPixels readAt(Path p, int w, int h) {
        Mat m = imread(p.toString(), IMREAD_GRAYSCALE);
        Mat out = new Mat();
        resize(m, out, new Size(w, h));
        return pixels(out);
    }

    /** A stream's judge as {@link StreamAnnotator#sceneCheck} has it: its frame clock's step, then the cut. */
    private static final class Judge {
        final FrameClock clock = new FrameClock();
        final SceneCut scene = new SceneCut();

        boolean cut(GreyPixels p, int w, int h, long capturedNanos, long ptsMicros) {
            return scene.cut(p, w, h, clock.advance(capturedNanos, ptsMicros));
        }

        /** By capture time alone (a source without presentation times). */
        boolean cut(GreyPixels p, long capturedNanos) {
            return cut(p, p.width(), p.height(), capturedNanos, FrameSlot.NO_PTS);
        }
    }

    @Test
    void theHeldOutVideoIsOneScene() throws Exception {
        List<Path> frames;
        try (Stream<Path> s = Files.list(TestResources.path("/real-needle/images"))) {
            frames = s.sorted().toList();
        }
        assertThat(frames).hasSize(28);
        Judge c = new Judge();
        double lowest = 1;
        for (int i = 0; i < frames.size(); i++) {
            assertThat(c.cut(read(frames.get(i)), i * FRAME)).as(frames.get(i).toString()).isFalse();
            if (i > 0) {
                lowest = Math.min(lowest, c.scene.lastCorrelation());
            }
        }
        assertThat(lowest).isGreaterThan(0.95); // measured 0.995 at least, 4 clip frames apart
    }

    @Test
    void anotherScanOrViewOfTheSameSizeIsAnotherScene() {
        Path us = TestResources.path("/eval-samples/ultrasound/images");
        Judge c = new Judge();
        assertThat(c.cut(read(us.resolve("0168.png")), 0)).as("the first frame").isFalse();
        assertThat(c.cut(read(us.resolve("0182.png")), FRAME)).isTrue();
        assertThat(c.cut(read(us.resolve("0197.png")), 2 * FRAME)).isTrue();
        assertThat(c.cut(read(us.resolve("0197.png")), 3 * FRAME)).as("the same picture again").isFalse();

        Judge clip = new Judge();
        Path needle = TestResources.path("/real-needle/images/clarius_00337.jpg");
        Path lower = TestResources.path("/real-needle/needle-free/images/clarius_00337_lower.jpg");
        assertThat(clip.cut(read(needle), 0)).isFalse();
        assertThat(clip.cut(readAt(lower, 1080, 860), FRAME)).as("the lower view, stretched to the frame").isTrue();
        assertThat(clip.cut(read(needle), 2 * FRAME)).as("and back").isTrue();
    }

    /**
     * Two scans in a scanner's capture (720x440, black margins, the same depth dots, ticks and labels): what every
     * frame of the capture shares is left out of the comparison, so the scans are still told apart.
     */
    @Test
    void anotherScanInTheSameScannersCaptureIsAnotherScene() {
        Path us = TestResources.path("/eval-samples/ultrasound/images");
        Judge c = new Judge();
        GreyPixels first = captured(us.resolve("0168.png"));
        assertThat(c.cut(first, 0)).isFalse();
        assertThat(c.cut(captured(us.resolve("0168.png")), FRAME)).isFalse();
        assertThat(c.cut(captured(us.resolve("0182.png")), 2 * FRAME)).isTrue();
        assertThat(c.cut(captured(us.resolve("0197.png")), 3 * FRAME)).isTrue();
    }

    private static GreyPixels captured(Path p) {
        return pixels(ScannerCapture.letterbox(imread(p.toString(), IMREAD_GRAYSCALE), INTER_AREA, true));
    }

    @Test
    void anotherSizeOrTimeIsAnotherScene() {
        Path needle = TestResources.path("/real-needle/images/clarius_00337.jpg");
        Judge c = new Judge();
        assertThat(c.cut(read(needle), 0)).isFalse();
        assertThat(c.cut(readAt(needle, 540, 430), FRAME)).as("half size").isTrue();
        assertThat(c.cut(readAt(needle, 540, 430), 2 * FRAME)).isFalse();
        assertThat(c.cut(readAt(needle, 540, 430), 2 * FRAME + 1_100_000_000L)).as("1.1 s later").isTrue();
        assertThat(c.cut(readAt(needle, 540, 430), FRAME)).as("back in time (a seek)").isTrue();
        assertThat(c.cut(null, 540, 430, 2 * FRAME, FrameSlot.NO_PTS)).as("pixels unreadable: size and time only")
                .isFalse();
        assertThat(c.cut(null, 1080, 860, 3 * FRAME, FrameSlot.NO_PTS)).isTrue();
    }

    /** The source's own clock: a replay seek or a reconnected source, while capture time runs on evenly. */
    @Test
    void aSeekInTheSourcesTimeIsAnotherScene() {
        GreyPixels p = read(TestResources.path("/real-needle/images/clarius_00337.jpg"));
        Judge c = new Judge();
        long pts = 5_000_000;
        assertThat(c.cut(p, 1080, 860, 0, pts)).isFalse();
        assertThat(c.cut(p, 1080, 860, FRAME, pts += 66_667)).isFalse();
        assertThat(c.cut(p, 1080, 860, 2 * FRAME, pts)).as("paused: the same frame again").isFalse();
        assertThat(c.cut(p, 1080, 860, 3 * FRAME, pts - 2_000_000)).as("seeked back 2 s").isTrue();
        assertThat(c.cut(p, 1080, 860, 4 * FRAME, pts + 3_000_000)).as("seeked forward").isTrue();
        assertThat(c.cut(p, 1080, 860, 5 * FRAME, FrameSlot.NO_PTS)).as("no presentation time: capture time")
                .isFalse();
        assertThat(c.cut(p, 1080, 860, 6 * FRAME, pts + 3_066_667)).as("the last frame's time unknown: capture time")
                .isFalse();
        assertThat(c.cut(p, 1080, 860, 6 * FRAME + 3_000_000_000L, pts + 3_133_333))
                .as("offline: read 3 s after the last, the next frame of the video").isFalse();
    }

    /** A lifted probe (a black frame) between two pictures: the picture after it is judged against the one before. */
    @Test
    void aBlackFrameIsComparedWithNothingAndTheNextPictureWithTheLastOne() {
        Path us = TestResources.path("/eval-samples/ultrasound/images");
        GreyPixels black = new GreyPixels().wrap(ByteBuffer.allocate(534 * 512), 534, 512, 534, 1);
        Judge same = new Judge();
        same.cut(read(us.resolve("0168.png")), 0);
        assertThat(same.cut(black, FRAME)).isFalse();
        assertThat(same.cut(read(us.resolve("0168.png")), 2 * FRAME)).isFalse();

        Judge other = new Judge();
        other.cut(read(us.resolve("0168.png")), 0);
        assertThat(other.cut(black, FRAME)).isFalse();
        assertThat(other.cut(read(us.resolve("0182.png")), 2 * FRAME)).isTrue();
    }

    /**
     * Two scans as a small picture inside a large black frame (a seventh of it picture, about 48 of the 256 cells),
     * shown 40 grey levels brighter than stored, as a scanner with more gain would: over all cells the black would
     * make them correlate (0.87 here, measured in numpy when this test was written), over the picture's cells they do
     * not (0.55). The same scan 6 levels brighter stays one scene; the next scan is another.
     */
    @Test
    void aSmallPictureInALargeBlackFrameIsJudgedByThePictureAlone() {
        Path us = TestResources.path("/eval-samples/ultrasound/images");
        Judge c = new Judge();
        assertThat(c.cut(inBlack(us.resolve("0168.png"), 40), 0)).isFalse();
        assertThat(c.cut(inBlack(us.resolve("0168.png"), 46), FRAME)).as("the same scan, brighter").isFalse();
        assertThat(c.scene.lastCorrelation()).isGreaterThan(0.95);
        assertThat(c.cut(inBlack(us.resolve("0182.png"), 40), 2 * FRAME)).as("the next scan").isTrue();
        assertThat(c.scene.lastCorrelation()).isLessThan(SceneCut.MIN_CORRELATION);
    }

    /** {@code p} placed at (640, 420) of a 1600 x 1200 black frame, {@code brighter} grey levels added (saturating). */
    private static GreyPixels inBlack(Path p, int brighter) {
        try (Mat picture = imread(p.toString(), IMREAD_GRAYSCALE);
             Mat frame = new Mat(1200, 1600, CV_8UC1, Scalar.all(0));
             Rect at = new Rect(640, 420, picture.cols(), picture.rows()); Mat inside = new Mat(frame, at)) {
            picture.convertTo(inside, -1, 1, brighter); // written in place: the view has the picture's size and type
            return pixels(frame); // a copy: the Mats can go
        }
    }
}
