package org.intravis.inference;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.MatVector;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.intravis.pipeline.Annotations;

import static org.bytedeco.opencv.global.opencv_core.CV_32FC1;
import static org.bytedeco.opencv.global.opencv_core.CV_32SC2;
import static org.bytedeco.opencv.global.opencv_core.CV_8U;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_imgproc.CHAIN_APPROX_SIMPLE;
import static org.bytedeco.opencv.global.opencv_imgproc.FILLED;
import static org.bytedeco.opencv.global.opencv_imgproc.LINE_8;
import static org.bytedeco.opencv.global.opencv_imgproc.MORPH_OPEN;
import static org.bytedeco.opencv.global.opencv_imgproc.RETR_EXTERNAL;
import static org.bytedeco.opencv.global.opencv_imgproc.THRESH_BINARY;
import static org.bytedeco.opencv.global.opencv_imgproc.approxPolyDP;
import static org.bytedeco.opencv.global.opencv_imgproc.contourArea;
import static org.bytedeco.opencv.global.opencv_imgproc.drawContours;
import static org.bytedeco.opencv.global.opencv_imgproc.findContours;
import static org.bytedeco.opencv.global.opencv_imgproc.morphologyEx;
import static org.bytedeco.opencv.global.opencv_imgproc.threshold;

/**
 * Segmentation masks to zone polygons with OpenCV: threshold (from the sidecar), a 3x3 opening against speckle,
 * outer contours, an area filter, {@code approxPolyDP} simplification, and each zone's confidence as the mean
 * probability inside its filled contour. Polygons are scaled to frame pixels and appended to an
 * {@link Annotations} holder.
 * <p>
 * Nothing is allocated on the Java heap per call: the images, the contour vector and every view are made once.
 * A contour is handed to OpenCV through one {@code Mat} view whose position walks the vector's elements (the
 * vector's storage is checked each call and the view rebuilt in the rare case it moved); simplified polygons are
 * copied into a preallocated buffer through headers made for every vertex count. One instance per thread.
 */
public final class MaskPolygons {
    /** Most vertices kept per polygon (simplified further until it fits). */
    public static final int MAX_VERTICES = 256;
    private static final int MAX_LABELS = 255;

    private final int w;
    private final int h;
    private final BytePointer maskMemory;
    private final Mat mask;
    private final Mat opened;
    private final Mat floats;
    private final Mat kernel;
    private final MatVector contours = new MatVector();
    private final LongPointer vectorHeader;
    private final Mat hierarchy = new Mat();
    private final Mat noHierarchy = new Mat();
    private final Point origin = new Point(0, 0);
    private Mat contourView;
    private final Mat approx = new Mat();
    private final IntPointer approxMemory = new IntPointer(MAX_VERTICES * 2L);
    private final Mat[] approxByCount = new Mat[MAX_VERTICES + 1];
    private final int[] vertices = new int[MAX_VERTICES * 2];
    private final BytePointer labelMemory;
    private final Mat labels;
    private final byte[] labelBytes;
    private final Scalar[] labelColours = new Scalar[MAX_LABELS + 1];
    private final double[] confidenceSum = new double[MAX_LABELS + 1];
    private final int[] confidenceCount = new int[MAX_LABELS + 1];
    private final int[] keptZone = new int[MAX_LABELS + 1];
    private final int[] box = new int[4];
    private final int[] boxes = keptBoxes();

    public MaskPolygons(int width, int height) {
        this.w = width;
        this.h = height;
        maskMemory = new BytePointer((long) width * height);
        mask = new Mat(height, width, CV_8UC1, maskMemory);
        opened = new Mat(height, width, CV_8UC1);
        floats = new Mat(height, width, CV_32FC1);
        kernel = new Mat(3, 3, CV_8UC1, new Scalar(1));
        labelMemory = new BytePointer((long) width * height);
        labels = new Mat(height, width, CV_8UC1, labelMemory);
        labelBytes = new byte[width * height];
        for (int i = 1; i <= MAX_VERTICES; i++) {
            approxByCount[i] = new Mat(i, 1, CV_32SC2, approxMemory);
        }
        for (int i = 0; i <= MAX_LABELS; i++) {
            labelColours[i] = new Scalar(i);
        }
        contours.resize(512); // reserve: findContours then resizes within this storage
        contourView = contours.get(0);
        contours.resize(0);
        vectorHeader = new LongPointer(contours); // std::vector's first word: its storage's start
    }

    /** Sets the mask to {@code plane > threshold} ({@code plane}: float32, this instance's size). */
    public void maskFromProbabilities(Mat plane, double thresholdValue) {
        threshold(plane, floats, thresholdValue, 255.0, THRESH_BINARY);
        floats.convertTo(mask, CV_8U);
    }

    /** Sets the mask from bytes (non-zero = inside), {@code width * height} of them. */
    public void maskFromBytes(byte[] binary) {
        maskMemory.put(binary, 0, w * h);
    }

    /**
     * Appends the mask's regions as zones of class {@code zoneClass}.
     *
     * @param probs      probabilities at mask resolution for the confidence ({@code null}: confidence 1)
     * @param probOffset where the plane starts in {@code probs}
     * @param open       whether to remove speckle with a 3x3 opening first
     * @param minArea    smallest region kept, in mask pixels
     * @param epsilon    simplification tolerance, in mask pixels
     * @param sx         frame pixels per mask pixel, horizontally
     * @param sy         frame pixels per mask pixel, vertically
     * @return zones appended
     */
    public int appendZones(Annotations out, byte zoneClass, int idBase, float[] probs, int probOffset, boolean open,
                           double minArea, double epsilon, float sx, float sy) {
        return appendZones(out, zoneClass, idBase, probs, probOffset, open, minArea, minArea, null, epsilon, sx, sy);
    }

    /**
     * As {@link #appendZones(Annotations, byte, int, float[], int, boolean, double, double, float, float)}, with
     * hysteresis on the area: a region smaller than {@code minArea} is still kept, down to {@code keepArea}, when it
     * continues a region of this class kept in the frame before (bounding boxes overlapping by at least
     * {@link ZoneIdentities#MIN_IOU}, as for keeping an id). So a zone in view whose area hovers around the smallest
     * kept does not come and go from frame to frame, while a new one, or a small piece of a larger one, must reach
     * {@code minArea}. {@code kept}: the boxes kept in the frame before ({@link #keptBoxes}), rewritten with this
     * frame's.
     */
    public int appendZones(Annotations out, byte zoneClass, int idBase, float[] probs, int probOffset, boolean open,
                           double minArea, double keepArea, int[] kept, double epsilon, float sx, float sy) {
        Mat source = mask;
        if (open) {
            morphologyEx(mask, opened, MORPH_OPEN, kernel);
            source = opened;
        }
        findContours(source, contours, hierarchy, RETR_EXTERNAL, CHAIN_APPROX_SIMPLE);
        long n = contours.size();
        if (n == 0) {
            if (kept != null) {
                kept[0] = 0;
            }
            return 0;
        }
        if (vectorHeader.get(0) != contourView.address()) {
            contourView = contours.get(0); // the vector's storage moved (more contours than ever before)
        }
        Pointer.memset(labelMemory, 0, (long) w * h);
        int keptCount = 0;
        for (long i = 0; i < n && keptCount < MAX_LABELS; i++) {
            contourView.position(i);
            double area = contourArea(contourView);
            if (area < keepArea || (area < minArea && kept == null)) {
                continue;
            }
            int count = simplify(epsilon);
            if (count < 3) {
                continue;
            }
            box(count);
            if (area < minArea && !continues(kept)) {
                continue;
            }
            int zone = out.beginZone(idBase + keptCount, zoneClass, false, 1f, (float) (area * sx * sy));
            if (zone < 0) {
                break;
            }
            boolean complete = true;
            for (int k = 0; k < count && complete; k++) {
                complete = out.addZonePoint((vertices[2 * k] + 0.5f) * sx - 0.5f, (vertices[2 * k + 1] + 0.5f) * sy - 0.5f);
            }
            if (!complete) {
                out.dropLastZone();
                break;
            }
            System.arraycopy(box, 0, boxes, 1 + 4 * keptCount, 4);
            keptCount++;
            keptZone[keptCount] = zone;
            drawContours(labels, contours, (int) i, labelColours[keptCount], FILLED, LINE_8, noHierarchy, Integer.MAX_VALUE, origin);
        }
        contourView.position(0);
        if (probs != null && keptCount > 0) {
            confidences(out, keptCount, probs, probOffset);
        }
        if (kept != null) {
            boxes[0] = keptCount;
            System.arraycopy(boxes, 0, kept, 0, 1 + 4 * keptCount); // for the next frame
        }
        return keptCount;
    }

    /** Memory for {@code appendZones}' hysteresis: the count, then x0, y0, x1, y1 of each region kept. */
    public static int[] keptBoxes() {
        return new int[1 + 4 * MAX_LABELS];
    }

    /** The simplified polygon's bounding box (in {@link #vertices}) into {@link #box}. */
    private void box(int count) {
        box[0] = Integer.MAX_VALUE;
        box[1] = Integer.MAX_VALUE;
        box[2] = Integer.MIN_VALUE;
        box[3] = Integer.MIN_VALUE;
        for (int k = 0; k < count; k++) {
            box[0] = Math.min(box[0], vertices[2 * k]);
            box[1] = Math.min(box[1], vertices[2 * k + 1]);
            box[2] = Math.max(box[2], vertices[2 * k]);
            box[3] = Math.max(box[3], vertices[2 * k + 1]);
        }
    }

    /** Whether {@link #box} overlaps one of {@code kept}'s boxes enough to be the same region. */
    private boolean continues(int[] kept) {
        for (int i = 0; i < kept[0]; i++) {
            int o = 1 + 4 * i;
            double iw = Math.min(kept[o + 2], box[2]) - Math.max(kept[o], box[0]);
            double ih = Math.min(kept[o + 3], box[3]) - Math.max(kept[o + 1], box[1]);
            if (iw <= 0 || ih <= 0) {
                continue;
            }
            double union = (double) (kept[o + 2] - kept[o]) * (kept[o + 3] - kept[o + 1])
                    + (double) (box[2] - box[0]) * (box[3] - box[1]) - iw * ih;
            if (union > 0 && iw * ih / union >= ZoneIdentities.MIN_IOU) {
                return true;
            }
        }
        return false;
    }

    /** Simplifies the contour under the view into {@link #vertices}; returns the vertex count. */
    private int simplify(double epsilon) {
        double eps = epsilon;
        approxPolyDP(contourView, approx, eps, true);
        while (approx.rows() > MAX_VERTICES) {
            eps *= 2;
            approxPolyDP(contourView, approx, eps, true);
        }
        int count = approx.rows();
        if (count < 1) {
            return 0;
        }
        approx.copyTo(approxByCount[count]); // same size and type: lands in approxMemory, no reallocation
        approxMemory.get(vertices, 0, count * 2);
        return count;
    }

    private void confidences(Annotations out, int kept, float[] probs, int offset) {
        int n = w * h;
        labelMemory.get(labelBytes, 0, n);
        for (int k = 1; k <= kept; k++) {
            confidenceSum[k] = 0;
            confidenceCount[k] = 0;
        }
        for (int p = 0; p < n; p++) {
            int l = labelBytes[p] & 0xFF;
            if (l != 0) {
                confidenceSum[l] += probs[offset + p];
                confidenceCount[l]++;
            }
        }
        for (int k = 1; k <= kept; k++) {
            out.zoneConfidence[keptZone[k]] = confidenceCount[k] == 0 ? 0f : (float) (confidenceSum[k] / confidenceCount[k]);
        }
    }
}
