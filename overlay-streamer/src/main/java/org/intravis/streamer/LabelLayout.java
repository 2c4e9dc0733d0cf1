package org.intravis.streamer;

/**
 * Places the labels of one overlay so that none covers another label, another zone, a tip or an instrument's line
 * (the needle's shaft: a label there would hide the needle in the picture): the rule of the pages'
 * {@code overlay-draw.js}, for the burned-in overlay. A zone's label goes above its box, left- or right-aligned, else
 * below it; a tip's to its right, else its left, above or below; else a line further up or down from the first
 * place, within the frame. Zones that overlap the labelled one's box are not avoided (they are beside it wherever
 * it goes); tips and lines always are. When no place is free of everything, the first one free of other labels;
 * else the first.
 * <p>
 * Boxes are integer pixels, {@code (x, y)} their top-left corner. Fixed arrays, no allocation per overlay.
 */
final class LabelLayout {
    private static final int STEPS = 12; // lines up and down tried after the four sides

    private final int[] ox;
    private final int[] oy;
    private final int[] ow;
    private final int[] oh;
    private final boolean[] oTip;
    private int obstacles;
    private final float[] sx1;
    private final float[] sy1;
    private final float[] sx2;
    private final float[] sy2;
    private int segments;
    private final int[] lx;
    private final int[] ly;
    private final int[] lw;
    private final int[] lh;
    private int labels;
    private final int[] cx = new int[4 + STEPS];
    private final int[] cy = new int[4 + STEPS];
    private int placedX;
    private int placedY;

    LabelLayout(int capacity) {
        this(capacity, 0);
    }

    /** Room for {@code capacity} zones and tips (and their labels) and {@code lineCapacity} instrument lines. */
    LabelLayout(int capacity, int lineCapacity) {
        sx1 = new float[lineCapacity];
        sy1 = new float[lineCapacity];
        sx2 = new float[lineCapacity];
        sy2 = new float[lineCapacity];
        ox = new int[capacity];
        oy = new int[capacity];
        ow = new int[capacity];
        oh = new int[capacity];
        oTip = new boolean[capacity];
        lx = new int[capacity];
        ly = new int[capacity];
        lw = new int[capacity];
        lh = new int[capacity];
    }

    /** Forgets the last overlay's zones, tips and labels. */
    void reset() {
        obstacles = 0;
        segments = 0;
        labels = 0;
    }

    /** Adds a zone's or a tip's box (what labels should not cover); returns its index, or -1 when full. */
    int addObstacle(int x, int y, int w, int h, boolean tip) {
        if (obstacles == ox.length) {
            return -1;
        }
        ox[obstacles] = x;
        oy[obstacles] = y;
        ow[obstacles] = w;
        oh[obstacles] = h;
        oTip[obstacles] = tip;
        return obstacles++;
    }

    /** Adds an instrument's line from (x1, y1) to (x2, y2), which no label covers; false when full. */
    boolean addLine(float x1, float y1, float x2, float y2) {
        if (segments == sx1.length) {
            return false;
        }
        sx1[segments] = x1;
        sy1[segments] = y1;
        sx2[segments] = x2;
        sy2[segments] = y2;
        segments++;
        return true;
    }

    /**
     * Places a {@code w} x {@code h} label naming obstacle {@code own} (a tip's when {@code tip}) in a frame of
     * {@code frameW} x {@code frameH}; read the box's top-left from {@link #x()} and {@link #y()}.
     */
    void place(int own, boolean tip, int w, int h, int gap, int frameW, int frameH) {
        int bx = ox[own];
        int by = oy[own];
        int bw = ow[own];
        int bh = oh[own];
        int above = by - h - gap;
        int below = by + bh + gap;
        if (tip) {
            set(0, bx + bw + gap, by);
            set(1, bx - w - gap, by);
            set(2, bx, above);
            set(3, bx, below);
        } else {
            set(0, bx, above);
            set(1, bx + bw - w, above);
            set(2, bx, below);
            set(3, bx + bw - w, below);
        }
        for (int k = 1; k <= STEPS; k++) { // a line up, down, two up...
            set(3 + k, cx[0], cy[0] + (k + 1) / 2 * h * (k % 2 == 1 ? -1 : 1));
        }
        int freeOfLabels = -1;
        int chosen = -1;
        for (int c = 0; c < cx.length && chosen < 0; c++) {
            int x = clamp(cx[c], frameW - w);
            int y = clamp(cy[c], frameH - h);
            cx[c] = x;
            cy[c] = y;
            if (hitsLabel(x, y, w, h)) {
                continue;
            }
            if (freeOfLabels < 0) {
                freeOfLabels = c;
            }
            if (!hitsOther(own, x, y, w, h)) {
                chosen = c;
            }
        }
        int c = chosen >= 0 ? chosen : freeOfLabels >= 0 ? freeOfLabels : 0;
        placedX = cx[c];
        placedY = cy[c];
        if (labels < lx.length) {
            lx[labels] = placedX;
            ly[labels] = placedY;
            lw[labels] = w;
            lh[labels] = h;
            labels++;
        }
    }

    /** The last placed label's left edge. */
    int x() {
        return placedX;
    }

    /** The last placed label's top edge. */
    int y() {
        return placedY;
    }

    private void set(int c, int x, int y) {
        cx[c] = x;
        cy[c] = y;
    }

    private boolean hitsLabel(int x, int y, int w, int h) {
        for (int i = 0; i < labels; i++) {
            if (overlap(x, y, w, h, lx[i], ly[i], lw[i], lh[i])) {
                return true;
            }
        }
        return false;
    }

    private boolean hitsOther(int own, int x, int y, int w, int h) {
        for (int i = 0; i < obstacles; i++) {
            if (i != own && (oTip[i] || !overlap(ox[own], oy[own], ow[own], oh[own], ox[i], oy[i], ow[i], oh[i]))
                    && overlap(x, y, w, h, ox[i], oy[i], ow[i], oh[i])) {
                return true;
            }
        }
        for (int i = 0; i < segments; i++) {
            if (crosses(sx1[i], sy1[i], sx2[i], sy2[i], x, y, w, h)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the segment (x1, y1)-(x2, y2) meets the box (Liang-Barsky clipping: some part of it lies inside). */
    static boolean crosses(float x1, float y1, float x2, float y2, int x, int y, int w, int h) {
        float dx = x2 - x1;
        float dy = y2 - y1;
        float t0 = 0;
        float t1 = 1;
        for (int edge = 0; edge < 4; edge++) { // left, right, top, bottom
            float p = edge == 0 ? -dx : edge == 1 ? dx : edge == 2 ? -dy : dy;
            float q = edge == 0 ? x1 - x : edge == 1 ? x + w - x1 : edge == 2 ? y1 - y : y + h - y1;
            if (p == 0) {
                if (q < 0) {
                    return false; // parallel to this edge and outside it
                }
            } else {
                float t = q / p;
                if (p < 0) {
                    t0 = Math.max(t0, t);
                } else {
                    t1 = Math.min(t1, t);
                }
                if (t0 > t1) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean overlap(int x, int y, int w, int h, int x2, int y2, int w2, int h2) {
        return x < x2 + w2 && x2 < x + w && y < y2 + h2 && y2 < y + h;
    }

    private static int clamp(int v, int max) {
        return Math.max(0, Math.min(v, max));
    }
}
