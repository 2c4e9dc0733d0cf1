package org.intravis.inference;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Size;

import java.nio.ByteBuffer;

import static org.bytedeco.opencv.global.opencv_core.CV_32F;
import static org.bytedeco.opencv.global.opencv_core.CV_32FC3;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_core.split;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2GRAY;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2RGB;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_GRAY2BGR;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_CUBIC;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_NEAREST;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

/**
 * Turns an 8-bit frame (grey or BGR, any size) into one normalised row of a model's input tensor, as its sidecar
 * says: the whole frame stretched to the input size, colour converted, then {@code (x * pixelScale - mean) / std}.
 * With the content crop ({@code input.crop}, grey models) the frame is first stretched to a square grid and only
 * its picture's bounding box goes to the input; the box is recorded in the row ({@link ContentBox}).
 * The small intermediate images are allocated once; the last step writes straight into the tensor row's memory.
 * One instance per thread (it keeps scratch images); a new content box allocates one OpenCV view, reused while
 * the box stays the same.
 */
public final class Preprocessor {
    private final ModelSpec spec;
    private final Size size;
    private final int interpolation;
    private final Mat small1;
    private final Mat small3;
    private final Mat small3b;
    private final Mat floats3;
    private final Mat grid1;
    private final Mat grid3;
    private final Size gridSize;
    private final BytePointer gridMemory;
    private final ByteBuffer gridPixels; // a view of gridMemory: the box reads the grid where resize() wrote it
    private final ContentBox.Scratch boxScratch;
    private final ContentBox viewBox = new ContentBox();
    private Mat boxView;

    public Preprocessor(ModelSpec spec) {
        this.spec = spec;
        this.size = new Size(spec.width(), spec.height());
        this.interpolation = switch (spec.interpolation()) {
            case "area" -> INTER_AREA;
            case "nearest" -> INTER_NEAREST;
            case "cubic" -> INTER_CUBIC;
            default -> INTER_LINEAR;
        };
        small1 = new Mat(spec.height(), spec.width(), CV_8UC1);
        small3 = new Mat(spec.height(), spec.width(), CV_8UC3);
        small3b = new Mat(spec.height(), spec.width(), CV_8UC3);
        floats3 = spec.channels() == 3 ? new Mat(spec.height(), spec.width(), CV_32FC3) : null;
        int g = spec.cropsToContent() ? spec.cropGrid() : 0;
        gridMemory = g > 0 ? new BytePointer((long) g * g) : null;
        grid1 = g > 0 ? new Mat(g, g, CV_8UC1, gridMemory) : null; // resize() writes here: same size and type
        grid3 = g > 0 ? new Mat(g, g, CV_8UC3) : null;
        gridSize = g > 0 ? new Size(g, g) : null;
        gridPixels = g > 0 ? gridMemory.asBuffer() : null;
        boxScratch = new ContentBox.Scratch(g);
    }

    /** Writes {@code frame} (CV_8UC1 grey or CV_8UC3 BGR) into {@code row}. Allocates nothing in steady state. */
    public void toTensor(Mat frame, TensorRow row) {
        boolean colourIn = frame.channels() == 3;
        if (spec.cropsToContent()) {
            toTensorCropped(frame, colourIn, row);
            return;
        }
        row.box().whole(0);
        if (spec.channels() == 1) {
            if (colourIn) {
                resize(frame, small3, size, 0, 0, interpolation); // shrink first: converting the small image is cheaper
                cvtColor(small3, small1, COLOR_BGR2GRAY);
            } else {
                resize(frame, small1, size, 0, 0, interpolation);
            }
            double std = spec.std(0);
            small1.convertTo(row.plane(0), CV_32F, spec.pixelScale() / std, -spec.mean(0) / std);
            return;
        }
        Mat bgr;
        if (colourIn) {
            resize(frame, small3, size, 0, 0, interpolation);
            bgr = small3;
        } else {
            resize(frame, small1, size, 0, 0, interpolation);
            cvtColor(small1, small3, COLOR_GRAY2BGR);
            bgr = small3;
        }
        Mat ordered = bgr;
        if (spec.colour() == ModelSpec.Colour.RGB) {
            cvtColor(bgr, small3b, COLOR_BGR2RGB);
            ordered = small3b;
        }
        ordered.convertTo(floats3, CV_32F, spec.pixelScale(), 0);
        split(floats3, row.planeVector());
        for (int c = 0; c < 3; c++) {
            double std = spec.std(c);
            row.plane(c).convertTo(row.plane(c), CV_32F, 1.0 / std, -spec.mean(c) / std);
        }
    }

    private void toTensorCropped(Mat frame, boolean colourIn, TensorRow row) {
        int g = spec.cropGrid();
        if (colourIn) {
            resize(frame, grid3, gridSize, 0, 0, interpolation);
            cvtColor(grid3, grid1, COLOR_BGR2GRAY);
        } else {
            resize(frame, grid1, gridSize, 0, 0, interpolation);
        }
        ContentBox box = row.box();
        box.find(gridPixels, g, spec.cropAbove(), spec.cropColumnShare(), spec.cropGraphicsAbove(), boxScratch);
        resize(view(box), small1, size, 0, 0, interpolation);
        double std = spec.std(0);
        small1.convertTo(row.plane(0), CV_32F, spec.pixelScale() / std, -spec.mean(0) / std);
    }

    /** The grid image's view of the box: made when the box changes (the picture's box is steady in a video). */
    private Mat view(ContentBox box) {
        if (boxView == null || box.x0() != viewBox.x0() || box.y0() != viewBox.y0() || box.x1() != viewBox.x1()
                || box.y1() != viewBox.y1()) {
            if (boxView != null) {
                boxView.close();
            }
            try (Rect r = new Rect(box.x0(), box.y0(), box.x1() - box.x0(), box.y1() - box.y0())) {
                boxView = new Mat(grid1, r);
            }
            viewBox.copyFrom(box);
        }
        return boxView;
    }

    public ModelSpec spec() {
        return spec;
    }
}
