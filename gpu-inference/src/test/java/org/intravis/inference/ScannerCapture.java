package org.intravis.inference;

import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_imgproc.FONT_HERSHEY_SIMPLEX;
import static org.bytedeco.opencv.global.opencv_imgproc.LINE_8;
import static org.bytedeco.opencv.global.opencv_imgproc.LINE_AA;
import static org.bytedeco.opencv.global.opencv_imgproc.circle;
import static org.bytedeco.opencv.global.opencv_imgproc.line;
import static org.bytedeco.opencv.global.opencv_imgproc.putText;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

/**
 * A picture as another scanner's capture card shows it, for tests: fitted into 720x440 (aspect kept) with black
 * margins and, optionally, the burned-in graphics of {@code training/make_needle_variants.py}'s "letterbox" variant
 * (depth dots and scale ticks beside the picture, a probe/preset label and a depth label in the margins), drawn the
 * same way so that the test and the model card's robustness table see the same frames.
 */
final class ScannerCapture {
    static final int WIDTH = 720;
    static final int HEIGHT = 440;

    private ScannerCapture() {
    }

    /** A new 720x440 grey frame holding {@code picture} resized with {@code interpolation}; the caller closes it. */
    static Mat letterbox(Mat picture, int interpolation, boolean graphics) {
        double s = Math.min((double) WIDTH / picture.cols(), (double) HEIGHT / picture.rows());
        int nw = (int) Math.round(picture.cols() * s);
        int nh = (int) Math.round(picture.rows() * s);
        int x0 = (WIDTH - nw) / 2;
        int y0 = (HEIGHT - nh) / 2;
        Mat canvas = new Mat(HEIGHT, WIDTH, CV_8UC1, new Scalar(0.0));
        try (Rect r = new Rect(x0, y0, nw, nh); Mat inside = new Mat(canvas, r)) {
            resize(picture, inside, new Size(nw, nh), 0, 0, interpolation);
        }
        if (!graphics) {
            return canvas;
        }
        for (int k = 0, y = y0 + 20; y < y0 + nh - 5; k++, y += 40) {
            circle(canvas, new Point(x0 + nw + 12, y), k % 2 == 0 ? 3 : 2, grey(230), -1, LINE_8, 0);
            line(canvas, new Point(x0 - 14, y), new Point(x0 - 6, y), grey(200), 1, LINE_8, 0);
        }
        putText(canvas, "L15 HD 12MHz", new Point(6, 18), FONT_HERSHEY_SIMPLEX, 0.45, grey(220), 1, LINE_AA, false);
        putText(canvas, "4.0cm", new Point(x0 + nw + 4, HEIGHT - 10), FONT_HERSHEY_SIMPLEX, 0.4, grey(220), 1, LINE_AA,
                false);
        putText(canvas, "G 55  DR 60", new Point(6, HEIGHT - 10), FONT_HERSHEY_SIMPLEX, 0.4, grey(200), 1, LINE_AA, false);
        return canvas;
    }

    private static Scalar grey(double level) {
        return new Scalar(level, level, level, 0);
    }
}
