package org.intravis.streamer;

/**
 * Places the labels of one overlay so that none covers another label, another zone or a tip: the rule of the pages'
 * {@code overlay-draw.js}, for the burned-in overlay. A zone's label goes above its box, left- or right-aligned, else
 * below it; a tip's to its right, else its left, above or below; else a line further up or down from the first
 * place, within the frame. Zones that overlap the labelled one's box are not avoided (they are beside it wherever
 * it goes); a tip always is. When no place is free of everything, the first one free of other labels; else the
 * first.
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
        return false;
    }

    private static boolean overlap(int x, int y, int w, int h, int x2, int y2, int w2, int h2) {
        return x < x2 + w2 && x2 < x + w && y < y2 + h2 && y2 < y + h;
    }

    private static int clamp(int v, int max) {
        return Math.max(0, Math.min(v, max));
    }
}
