package org.intravis.inference;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.MatVector;

import static org.bytedeco.opencv.global.opencv_core.CV_32FC1;

/**
 * OpenCV views of one batch row of an input tensor: one float {@code Mat} per channel plane, whose memory
 * <em>is</em> the tensor's, so preprocessing writes straight into the batch. Made once per row at start-up.
 */
public final class TensorRow {
    private final Mat[] planes;
    private final MatVector planeVector;
    private final ContentBox box = new ContentBox();

    public TensorRow(ModelSpec spec, FloatPointer row) {
        int channels = spec.channels();
        long planeBytes = (long) spec.width() * spec.height() * Float.BYTES;
        planes = new Mat[channels];
        for (int c = 0; c < channels; c++) {
            planes[c] = new Mat(spec.height(), spec.width(), CV_32FC1, NativeMemory.bytes(row, c * planeBytes, planeBytes));
        }
        planeVector = channels > 1 ? new MatVector(planes) : null;
    }

    public Mat plane(int c) {
        return planes[c];
    }

    /** The planes as a vector for {@code split} (colour models only). */
    MatVector planeVector() {
        return planeVector;
    }

    /** Where in the frame this row's input came from (the whole frame unless the model crops to content). */
    public ContentBox box() {
        return box;
    }

    public int channels() {
        return planes.length;
    }
}
