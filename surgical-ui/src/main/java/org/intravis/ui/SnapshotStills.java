package org.intravis.ui;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.intravis.pipeline.PixelFormat;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2GRAY;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;

/**
 * Encodes a {@link FrameSnapshots.Snapshot} as a still image (off the event loop; not on the video path): a JPEG for
 * {@code GET /api/streams/ID/snapshot.jpg}, a grey PNG for a needle mark's training frame ({@link NeedleMarks}).
 */
final class SnapshotStills {
    private SnapshotStills() {
    }

    static byte[] jpeg(FrameSnapshots.Snapshot s, int quality) {
        try (BytePointer pixels = new BytePointer(s.pixels());
             Mat mat = new Mat(s.height(), s.width(), type(s), pixels);
             IntPointer params = new IntPointer(IMWRITE_JPEG_QUALITY, quality)) {
            return encode(".jpg", mat, params);
        }
    }

    /** Grey as the training reads its frames: BGR converted with OpenCV's weights, as site_labels.py converts. */
    static byte[] greyPng(FrameSnapshots.Snapshot s) {
        try (BytePointer pixels = new BytePointer(s.pixels());
             Mat mat = new Mat(s.height(), s.width(), type(s), pixels);
             Mat grey = new Mat()) {
            if (s.format() == PixelFormat.GRAY8) {
                return encode(".png", mat, null);
            }
            cvtColor(mat, grey, COLOR_BGR2GRAY);
            return encode(".png", grey, null);
        }
    }

    private static int type(FrameSnapshots.Snapshot s) {
        return s.format() == PixelFormat.GRAY8 ? CV_8UC1 : CV_8UC3;
    }

    /** {@code params} null: the format's defaults. */
    private static byte[] encode(String ext, Mat mat, IntPointer params) {
        try (BytePointer out = new BytePointer()) {
            if (!(params == null ? imencode(ext, mat, out) : imencode(ext, mat, out, params))) {
                throw new IllegalStateException(ext + " encoding failed");
            }
            byte[] bytes = new byte[(int) out.limit()];
            out.get(bytes);
            return bytes;
        }
    }
}
