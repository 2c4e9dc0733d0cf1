package org.intravis.ui;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.intravis.pipeline.PixelFormat;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;

/** Encodes a {@link FrameSnapshots.Snapshot} as a JPEG still (off the event loop; not on the video path). */
final class JpegStill {
    private JpegStill() {
    }

    static byte[] encode(FrameSnapshots.Snapshot s, int quality) {
        int type = s.format() == PixelFormat.GRAY8 ? CV_8UC1 : CV_8UC3;
        try (BytePointer pixels = new BytePointer(s.pixels());
             Mat mat = new Mat(s.height(), s.width(), type, pixels);
             BytePointer out = new BytePointer();
             IntPointer params = new IntPointer(IMWRITE_JPEG_QUALITY, quality)) {
            if (!imencode(".jpg", mat, out, params)) {
                throw new IllegalStateException("JPEG encoding failed");
            }
            byte[] jpeg = new byte[(int) out.limit()];
            out.get(jpeg);
            return jpeg;
        }
    }
}
