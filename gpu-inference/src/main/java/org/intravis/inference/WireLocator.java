package org.intravis.inference;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;
import org.intravis.pipeline.Annotations;

import java.util.Arrays;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_imgproc.MORPH_CLOSE;
import static org.bytedeco.opencv.global.opencv_imgproc.MORPH_ELLIPSE;
import static org.bytedeco.opencv.global.opencv_imgproc.getStructuringElement;
import static org.bytedeco.opencv.global.opencv_imgproc.morphologyEx;
import static org.bytedeco.opencv.global.opencv_ximgproc.THINNING_ZHANGSUEN;
import static org.bytedeco.opencv.global.opencv_ximgproc.thinning;

/**
 * Finds a flexible instrument (a guidewire, a catheter) in a segmentation: the largest connected component of the
 * mask (of a labelled mask, its pieces joined first: {@link #joinPieces}) is thinned to a one-pixel skeleton
 * (OpenCV's Zhang-Suen thinning); the skeleton pixel nearest the image border is where the wire enters; its end
 * points are the pixels with a single neighbour, and the tip is the end point farthest from the entry along the
 * skeleton (breadth-first geodesic distance), refined with the tip heat map's peak when that lies near it.
 * Allocation-free on the Java heap after construction (OpenCV's thinning allocates its own native output; a labelled
 * mask's join makes its kernel once). One instance per thread.
 */
public final class WireLocator extends MaskLocator {
    private static final int MAX_ENDPOINTS = 256;

    private final byte[] skeleton;
    private final int[] distance;
    private final int[] queue;
    private final int[] endpoints = new int[MAX_ENDPOINTS];
    private final BytePointer maskMemory;
    private final BytePointer skeletonMemory;
    private final Mat maskMat;
    private final Mat skeletonMat;
    private final Mat thinned = new Mat();
    private final double agreePx;
    /** What joins a labelled wire's pieces (a labeller leaves a faint stretch out); made when first needed. */
    private Mat joinKernel;

    public WireLocator(int width, int height) {
        super(width, height);
        int n = width * height;
        skeleton = new byte[n];
        distance = new int[n];
        queue = new int[n];
        maskMemory = new BytePointer(n);
        skeletonMemory = new BytePointer(n);
        maskMat = new Mat(height, width, CV_8UC1, maskMemory);
        skeletonMat = new Mat(height, width, CV_8UC1, skeletonMemory);
        agreePx = 6 * scale;
    }

    /**
     * A labelled mask (evaluation only) is wire wherever it is set, also where it is drawn in pieces: the pieces are
     * joined across gaps of up to 8 px at 256 (a morphological closing), so that the skeleton runs on to the far
     * piece and the truth's tip is the wire's end, not the end of its largest piece.
     */
    private void joinPieces() {
        if (joinKernel == null) {
            int k = 2 * (int) Math.round(4 * scale) + 1;
            joinKernel = getStructuringElement(MORPH_ELLIPSE, new Size(k, k));
        }
        maskMemory.put(mask, 0, w * h);
        morphologyEx(maskMat, maskMat, MORPH_CLOSE, joinKernel);
        maskMemory.get(mask, 0, w * h);
    }

    @Override
    boolean fit(float[] probs, int offset, int tipOffset, double tipThreshold, InstrumentDetection out) {
        out.clear();
        int n = w * h;
        if (probs == null) {
            joinPieces();
        }
        int size = component.find(mask);
        if (size < minPixels) {
            return false;
        }
        Arrays.fill(mask, (byte) 0);
        int[] px = component.pixels();
        double meanProb = 0;
        for (int k = 0; k < size; k++) {
            mask[px[k]] = (byte) 255;
            meanProb += probs == null ? 1 : probs[offset + px[k]];
        }
        meanProb /= size;
        maskMemory.put(mask, 0, n);
        thinning(maskMat, thinned, THINNING_ZHANGSUEN); // OpenCV allocates its own output here (native memory)
        thinned.copyTo(skeletonMat);                     // same size and type: lands in skeletonMemory
        skeletonMemory.get(skeleton, 0, n);

        int endpointCount = 0;
        int anyPixel = -1;
        for (int p = 0; p < n; p++) {
            if (skeleton[p] == 0) {
                continue;
            }
            anyPixel = p;
            if (neighbours(p) == 1 && endpointCount < MAX_ENDPOINTS) {
                endpoints[endpointCount++] = p;
            }
        }
        if (anyPixel < 0) {
            return false;
        }
        // entry: the skeleton pixel nearest the border (thinning can leave a small fork where the wire leaves the
        // image, so the entering end need not be a clean end point)
        int entry = -1;
        double best = Double.MAX_VALUE;
        for (int p = 0; p < n; p++) {
            if (skeleton[p] != 0) {
                double d = EntryRule.borderDistance(pictureLeft, pictureTop, pictureRight, pictureBottom, p % w, p / w);
                if (d < best) {
                    best = d;
                    entry = p;
                }
            }
        }
        geodesic(entry);
        int tip = -1;
        int far = -1;
        if (endpointCount > 0) {
            for (int i = 0; i < endpointCount; i++) {
                if (endpoints[i] != entry && distance[endpoints[i]] > far) {
                    far = distance[endpoints[i]];
                    tip = endpoints[i];
                }
            }
        }
        if (tip < 0) { // no free end (a loop): the skeleton pixel farthest along it
            for (int p = 0; p < n; p++) {
                if (distance[p] > far) {
                    far = distance[p];
                    tip = p;
                }
            }
        }
        if (tip < 0 || tip == entry) {
            return false;
        }
        float tx = tip % w;
        float ty = tip / w;
        out.set(Annotations.INSTRUMENT_WIRE, entry % w, entry / w, tx, ty, (float) meanProb);
        if (tipOffset >= 0) {
            peak.search(probs, tipOffset, w, h, tx, ty, tipRadius);
            double dx = peak.x - tx;
            double dy = peak.y - ty;
            // unconfirmed, the product: the wire mask alone also marks wire-like structures (contrast-filled vessels,
            // leads) on frames without any wire (a third of them; fluoroscopy model card)
            confirmTip(Math.sqrt(dx * dx + dy * dy) <= agreePx, tipThreshold, meanProb, out);
        }
        return true;
    }

    /** Skeleton pixels among the 8 neighbours of {@code p}. */
    private int neighbours(int p) {
        int count = 0;
        for (int i = 0; i < 8; i++) {
            int q = neighbour(p, i);
            if (q >= 0 && skeleton[q] != 0) {
                count++;
            }
        }
        return count;
    }

    /** Breadth-first steps from {@code start} over the skeleton (8-connected) into {@link #distance}; -1 elsewhere. */
    private void geodesic(int start) {
        Arrays.fill(distance, -1);
        int head = 0;
        int tail = 0;
        distance[start] = 0;
        queue[tail++] = start;
        while (head < tail) {
            int p = queue[head++];
            for (int i = 0; i < 8; i++) {
                int q = neighbour(p, i);
                if (q >= 0 && skeleton[q] != 0 && distance[q] < 0) {
                    distance[q] = distance[p] + 1;
                    queue[tail++] = q;
                }
            }
        }
    }

    private static final int[] NEIGHBOUR_DX = {-1, 0, 1, -1, 1, -1, 0, 1};
    private static final int[] NEIGHBOUR_DY = {-1, -1, -1, 0, 0, 1, 1, 1};

    /** The {@code i}-th (0..7, row by row) of the 8 neighbours of pixel {@code p}, or -1 outside the image. */
    private int neighbour(int p, int i) {
        int x = p % w + NEIGHBOUR_DX[i];
        int y = p / w + NEIGHBOUR_DY[i];
        return x < 0 || x >= w || y < 0 || y >= h ? -1 : y * w + x;
    }

    /** The skeleton of the last call (non-zero = skeleton), for tests. */
    byte[] skeleton() {
        return skeleton;
    }
}
