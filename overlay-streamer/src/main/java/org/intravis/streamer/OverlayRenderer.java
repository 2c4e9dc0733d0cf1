package org.intravis.streamer;

import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.intravis.pipeline.Annotations;

import java.util.Locale;

import static org.bytedeco.opencv.global.opencv_core.addWeighted;
import static org.bytedeco.opencv.global.opencv_imgproc.*;

/**
 * Burns an overlay into a BGR picture with OpenCV: zone polygons by class (translucent fill, outline), the
 * instrument line, tip markers with labels laid out apart ({@link LabelLayout}), an alert as a frame around the
 * picture with its words in the bottom-left corner, and a badge with the overlay's age or why there is
 * none (AI STALE / AI OFF / AI FAILED). Low-confidence elements are drawn dashed and dimmed and labelled "low".
 * Elements are drawn only while the overlay is fresh; a stale overlay leaves just the badge, so an old outline
 * is never shown as current. Used by the burned-in stream variants and by the recorder/exporter.
 * <p>
 * One instance per thread; scratch memory is kept between calls.
 */
public final class OverlayRenderer implements AutoCloseable {
    // BGR colours
    static final Scalar NERVE = new Scalar(0, 230, 255, 0);   // yellow
    static final Scalar VESSEL = new Scalar(60, 60, 255, 0);  // red
    static final Scalar NOGO = new Scalar(255, 0, 255, 0);    // magenta
    static final Scalar TIP = new Scalar(80, 255, 80, 0);     // green
    static final Scalar LINE = new Scalar(255, 220, 0, 0);    // cyan
    static final Scalar WHITE = new Scalar(255, 255, 255, 0);
    static final Scalar BLACK = new Scalar(0, 0, 0, 0);
    static final Scalar AMBER = new Scalar(0, 170, 255, 0);
    static final Scalar GREY = new Scalar(110, 110, 110, 0);
    static final Scalar[] ALERT = {GREY, new Scalar(0, 215, 255, 0), new Scalar(0, 128, 255, 0), new Scalar(0, 0, 230, 0)};

    private static final int SHIFT = 4; // sub-pixel bits for smooth outlines
    private static final float ONE = 1 << SHIFT;
    private static final double FILL_ALPHA = 0.25;

    private final double lowConfidence;
    private final Point polygon = new Point(Annotations.MAX_POINTS);
    private final int[] polygonCount = new int[1];
    private final Point p1 = new Point();
    private final Point p2 = new Point();
    private final Mat fillScratch = new Mat();
    private final LabelLayout labels = new LabelLayout(Annotations.MAX_ZONES + Annotations.MAX_TIPS,
            Annotations.MAX_LINES);
    private final int[] zoneBox = new int[Annotations.MAX_ZONES];
    private final int[] tipBox = new int[Annotations.MAX_TIPS];
    private final int[] baseline = new int[1];
    private final float[] bounds = new float[4];

    public OverlayRenderer(double lowConfidence) {
        this.lowConfidence = lowConfidence;
    }

    /**
     * Draws {@code a} onto {@code bgr} in place. {@code ageMillis} is the overlay's age relative to the picture
     * (-1 when nothing is known), {@code fresh} whether it is within the staleness budget.
     */
    public void render(Mat bgr, Annotations a, long ageMillis, boolean fresh) {
        int w = bgr.cols();
        int h = bgr.rows();
        int unit = Math.max(1, Math.min(w, h) / 360);
        double font = Math.max(0.4, Math.min(w, h) / 900.0);
        if (fresh && a.status() == Annotations.Status.VALID) {
            addObstacles(a, unit);
            drawZones(bgr, a, unit, font);
            drawLines(bgr, a, unit);
            drawTips(bgr, a, unit, font);
            drawAlertBanner(bgr, a, unit, font);
            if (a.origin() == Annotations.Origin.GROUND_TRUTH) {
                label(bgr, "GROUND TRUTH STAND-IN (not AI)", 8 * unit, h - 10 * unit, font * 0.8, AMBER, unit);
            }
        }
        drawBadge(bgr, a, ageMillis, fresh, unit, font);
    }

    /** Every zone's and tip's box and every instrument's line: what the labels keep off (but for their own box). */
    private void addObstacles(Annotations a, int unit) {
        labels.reset();
        for (int z = 0; z < a.zoneCount(); z++) {
            zoneBox[z] = -1;
            int count = a.zonePointCount[z];
            if (count < 2) {
                continue;
            }
            bounds(a, z);
            zoneBox[z] = labels.addObstacle((int) Math.floor(bounds[0]), (int) Math.floor(bounds[1]),
                    (int) Math.ceil(bounds[2] - bounds[0]), (int) Math.ceil(bounds[3] - bounds[1]), false);
        }
        int r = 9 * unit;
        for (int i = 0; i < a.tipCount(); i++) {
            tipBox[i] = labels.addObstacle(Math.round(a.tipX[i]) - r, Math.round(a.tipY[i]) - r, 2 * r, 2 * r, true);
        }
        for (int i = 0; i < a.lineCount(); i++) {
            labels.addLine(a.lineX1[i], a.lineY1[i], a.lineX2[i], a.lineY2[i]);
        }
    }

    /** Zone {@code z}'s bounding box into {@link #bounds}: min x, min y, max x, max y (inverted when it has no point). */
    private void bounds(Annotations a, int z) {
        bounds[0] = Float.MAX_VALUE;
        bounds[1] = Float.MAX_VALUE;
        bounds[2] = -Float.MAX_VALUE;
        bounds[3] = -Float.MAX_VALUE;
        for (int k = 0; k < a.zonePointCount[z]; k++) {
            bounds[0] = Math.min(bounds[0], a.zonePointX(z, k));
            bounds[1] = Math.min(bounds[1], a.zonePointY(z, k));
            bounds[2] = Math.max(bounds[2], a.zonePointX(z, k));
            bounds[3] = Math.max(bounds[3], a.zonePointY(z, k));
        }
    }

    /** Draws a label naming obstacle {@code own}, where {@link LabelLayout} finds room for it. */
    private void placedLabel(Mat bgr, String text, int own, boolean tip, double scale, Scalar colour, int unit) {
        if (own < 0) {
            return; // more zones and tips than the layout holds: never, at the overlay's limits
        }
        int thick = Math.max(1, unit);
        org.bytedeco.opencv.opencv_core.Size size = getTextSize(text, FONT_HERSHEY_SIMPLEX, scale, thick + 2, baseline);
        int pad = 2 * unit;
        int textHeight = size.height();
        int w = size.width() + 2 * pad;
        int h = textHeight + baseline[0] + 2 * pad;
        size.close();
        labels.place(own, tip, w, h, 2 * unit, bgr.cols(), bgr.rows());
        label(bgr, text, labels.x() + pad, labels.y() + pad + textHeight, scale, colour, unit);
    }

    private void drawZones(Mat bgr, Annotations a, int unit, double font) {
        int n = a.zoneCount();
        if (n == 0) {
            return;
        }
        // translucent fill inside the zones' common bounding box only (a full-frame blend would cost more)
        float minX = Float.MAX_VALUE;
        float minY = Float.MAX_VALUE;
        float maxX = -Float.MAX_VALUE;
        float maxY = -Float.MAX_VALUE;
        for (int z = 0; z < n; z++) {
            bounds(a, z);
            minX = Math.min(minX, bounds[0]);
            minY = Math.min(minY, bounds[1]);
            maxX = Math.max(maxX, bounds[2]);
            maxY = Math.max(maxY, bounds[3]);
        }
        int x0 = clamp((int) Math.floor(minX) - 2, 0, bgr.cols() - 1);
        int y0 = clamp((int) Math.floor(minY) - 2, 0, bgr.rows() - 1);
        int x1 = clamp((int) Math.ceil(maxX) + 2, 1, bgr.cols());
        int y1 = clamp((int) Math.ceil(maxY) + 2, 1, bgr.rows());
        if (x1 > x0 && y1 > y0) {
            try (Rect box = new Rect(x0, y0, x1 - x0, y1 - y0); Mat roi = new Mat(bgr, box)) {
                roi.copyTo(fillScratch);
                for (int z = 0; z < n; z++) {
                    boolean low = !a.zoneDrawn[z] && a.zoneConfidence[z] < lowConfidence;
                    if (low || a.zonePointCount[z] < 3) {
                        continue; // low-confidence zones are outlined only, never filled
                    }
                    loadPolygon(a, z, -x0, -y0);
                    fillPoly(fillScratch, polygon, polygonCount, 1, zoneColour(a.zoneClass[z]), LINE_AA, SHIFT, p1.x(0).y(0));
                }
                addWeighted(fillScratch, FILL_ALPHA, roi, 1 - FILL_ALPHA, 0, roi);
            }
        }
        for (int z = 0; z < n; z++) {
            int count = a.zonePointCount[z];
            if (count < 2) {
                continue;
            }
            boolean low = !a.zoneDrawn[z] && a.zoneConfidence[z] < lowConfidence;
            Scalar colour = zoneColour(a.zoneClass[z]);
            if (low) {
                for (int k = 0; k < count; k++) {
                    int k2 = (k + 1) % count;
                    dashed(bgr, a.zonePointX(z, k), a.zonePointY(z, k), a.zonePointX(z, k2), a.zonePointY(z, k2),
                            dim(colour), unit);
                }
            } else {
                loadPolygon(a, z, 0, 0);
                polylines(bgr, polygon, polygonCount, 1, true, colour, 2 * unit, LINE_AA, SHIFT);
            }
            String cls = OverlayJson.name(OverlayJson.ZONE_CLASS, a.zoneClass[z]).toUpperCase(Locale.ROOT);
            String text = a.zoneDrawn[z] ? "NO-GO" : cls + String.format(Locale.ROOT, " %.0f%%", a.zoneConfidence[z] * 100)
                    + (low ? " low" : "");
            placedLabel(bgr, text, zoneBox[z], false, font * 0.7, low ? dim(colour) : colour, unit);
        }
    }

    private void drawLines(Mat bgr, Annotations a, int unit) {
        for (int i = 0; i < a.lineCount(); i++) {
            boolean low = a.lineConfidence[i] < lowConfidence;
            if (low) {
                dashed(bgr, a.lineX1[i], a.lineY1[i], a.lineX2[i], a.lineY2[i], dim(LINE), unit);
            } else {
                line(bgr, fixed(p1, a.lineX1[i], a.lineY1[i]), fixed(p2, a.lineX2[i], a.lineY2[i]), LINE, 2 * unit,
                        LINE_AA, SHIFT);
            }
        }
    }

    private void drawTips(Mat bgr, Annotations a, int unit, double font) {
        for (int i = 0; i < a.tipCount(); i++) {
            boolean low = a.tipConfidence[i] < lowConfidence;
            Scalar c = low ? dim(TIP) : TIP;
            int r = 9 * unit;
            fixed(p1, a.tipX[i], a.tipY[i]);
            circle(bgr, p1, Math.round(r * ONE), c, low ? unit : 2 * unit, LINE_AA, SHIFT);
            circle(bgr, p1, Math.round(2 * unit * ONE), c, -1, LINE_AA, SHIFT);
            String text = OverlayJson.name(OverlayJson.INSTRUMENT, a.tipKind[i]) + " "
                    + String.format(Locale.ROOT, "%.0f%%", a.tipConfidence[i] * 100) + (low ? " low" : "");
            placedLabel(bgr, text, tipBox[i], true, font * 0.7, c, unit);
        }
    }

    private void drawAlertBanner(Mat bgr, Annotations a, int unit, double font) {
        if (a.alertCount() == 0) {
            return;
        }
        int top = 0;
        for (int i = 0; i < a.alertCount(); i++) {
            if (a.alertLevels[i] == a.alertLevel()) {
                top = i;
                break;
            }
        }
        int level = a.alertLevels[top];
        String where = a.alertZoneClass[top] == Annotations.ZONE_NOGO ? "NO-GO ZONE"
                : OverlayJson.name(OverlayJson.ZONE_CLASS, a.alertZoneClass[top]).toUpperCase(Locale.ROOT);
        String dist = Float.isNaN(a.alertDistanceMm[top])
                ? String.format(Locale.ROOT, "%.0f px", a.alertDistancePx[top])
                : String.format(Locale.ROOT, "%.1f mm", a.alertDistanceMm[top]);
        String text = OverlayJson.name(OverlayJson.ALERT_LEVEL, level).toUpperCase(Locale.ROOT) + ": "
                + (a.alertKind[top] == Annotations.ALERT_KIND_INSIDE ? "tip INSIDE " + where
                : "tip " + dist + " from " + where)
                + (a.alertCount() > 1 ? "  (+" + (a.alertCount() - 1) + ")" : "");
        // a frame around the picture and the words in its bottom-left corner, never a band across the top: that is
        // where needles enter, and a burned-in picture has no room outside itself (the pages put theirs above it)
        Scalar colour = ALERT[Math.min(level, 3)];
        int border = 4 * unit;
        int w = bgr.cols();
        int h = bgr.rows();
        rectangle(bgr, p1.x(0).y(0), p2.x(w - 1).y(border - 1), colour, -1, LINE_8, 0);
        rectangle(bgr, p1.x(0).y(h - border), p2.x(w - 1).y(h - 1), colour, -1, LINE_8, 0);
        rectangle(bgr, p1.x(0).y(0), p2.x(border - 1).y(h - 1), colour, -1, LINE_8, 0);
        rectangle(bgr, p1.x(w - border).y(0), p2.x(w - 1).y(h - 1), colour, -1, LINE_8, 0);
        double scale = font * 1.0; // read from across the room: larger than the labels and the badge
        int thick = Math.max(1, unit);
        org.bytedeco.opencv.opencv_core.Size size = getTextSize(text, FONT_HERSHEY_DUPLEX, scale, thick, baseline);
        int pad = 4 * unit;
        int textW = size.width();
        int textH = size.height();
        size.close();
        int boxTop = h - border - textH - baseline[0] - 2 * pad;
        rectangle(bgr, p1.x(border).y(boxTop), p2.x(border + textW + 2 * pad).y(h - border), colour, -1, LINE_8, 0);
        putText(bgr, text, p1.x(border + pad).y(h - border - pad - baseline[0]), FONT_HERSHEY_DUPLEX, scale,
                level >= Annotations.ALERT_WARNING ? WHITE : BLACK, thick, LINE_AA, false);
    }

    private void drawBadge(Mat bgr, Annotations a, long ageMillis, boolean fresh, int unit, double font) {
        String text;
        Scalar bg;
        if (a.status() == Annotations.Status.NONE) {
            text = "AI OFF";
            bg = GREY;
        } else if (a.status() == Annotations.Status.FAILED) {
            text = "AI FAILED";
            bg = ALERT[3];
        } else if (!fresh) {
            text = "AI STALE " + ageMillis + " ms";
            bg = AMBER;
        } else {
            text = "AI " + ageMillis + " ms";
            bg = null;
        }
        double scale = font * 0.8;
        int thick = Math.max(1, unit);
        org.bytedeco.opencv.opencv_core.Size size = getTextSize(text, FONT_HERSHEY_SIMPLEX, scale, thick, baseline);
        int x = bgr.cols() - size.width() - 12 * unit;
        int y = bgr.rows() - 10 * unit;
        if (bg != null) {
            rectangle(bgr, p1.x(x - 6 * unit).y(y - size.height() - 6 * unit), p2.x(x + size.width() + 6 * unit).y(y + baseline[0] + 2 * unit),
                    bg, -1, LINE_8, 0);
            putText(bgr, text, p1.x(x).y(y), FONT_HERSHEY_SIMPLEX, scale, bg == AMBER ? BLACK : WHITE, thick, LINE_AA, false);
        } else {
            label(bgr, text, x, y, scale, WHITE, unit);
        }
        size.close();
    }

    private void label(Mat bgr, String text, int x, int y, double scale, Scalar colour, int unit) {
        int thick = Math.max(1, unit);
        putText(bgr, text, p1.x(x).y(y), FONT_HERSHEY_SIMPLEX, scale, BLACK, thick + 2, LINE_AA, false);
        putText(bgr, text, p1.x(x).y(y), FONT_HERSHEY_SIMPLEX, scale, colour, thick, LINE_AA, false);
    }

    private void dashed(Mat bgr, float x1, float y1, float x2, float y2, Scalar colour, int unit) {
        double len = Math.hypot(x2 - x1, y2 - y1);
        double dash = 10.0 * unit;
        double gap = 7.0 * unit;
        if (len < 1e-3) {
            return;
        }
        double ux = (x2 - x1) / len;
        double uy = (y2 - y1) / len;
        for (double s = 0; s < len; s += dash + gap) {
            double e = Math.min(len, s + dash);
            line(bgr, fixed(p1, (float) (x1 + ux * s), (float) (y1 + uy * s)),
                    fixed(p2, (float) (x1 + ux * e), (float) (y1 + uy * e)), colour, Math.max(1, unit * 2), LINE_AA, SHIFT);
        }
    }

    private void loadPolygon(Annotations a, int z, float dx, float dy) {
        int n = a.zonePointCount[z];
        for (int k = 0; k < n; k++) {
            polygon.position(k).x(Math.round((a.zonePointX(z, k) + dx) * ONE)).y(Math.round((a.zonePointY(z, k) + dy) * ONE));
        }
        polygon.position(0);
        polygonCount[0] = n;
    }

    private static Point fixed(Point p, float x, float y) {
        return p.x(Math.round(x * ONE)).y(Math.round(y * ONE));
    }

    static Scalar zoneColour(int zoneClass) {
        return switch (zoneClass) {
            case Annotations.ZONE_NERVE -> NERVE;
            case Annotations.ZONE_VESSEL -> VESSEL;
            case Annotations.ZONE_NOGO -> NOGO;
            default -> GREY;
        };
    }

    private static Scalar dim(Scalar s) {
        if (s == NERVE) {
            return DIM_NERVE;
        }
        if (s == VESSEL) {
            return DIM_VESSEL;
        }
        if (s == NOGO) {
            return DIM_NOGO;
        }
        if (s == TIP) {
            return DIM_TIP;
        }
        if (s == LINE) {
            return DIM_LINE;
        }
        return GREY;
    }

    private static final Scalar DIM_NERVE = new Scalar(0, 140, 155, 0);
    private static final Scalar DIM_VESSEL = new Scalar(40, 40, 160, 0);
    private static final Scalar DIM_NOGO = new Scalar(160, 0, 160, 0);
    private static final Scalar DIM_TIP = new Scalar(50, 160, 50, 0);
    private static final Scalar DIM_LINE = new Scalar(160, 140, 0, 0);

    private static int clamp(int v, int lo, int hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    @Override
    public void close() {
        polygon.close();
        p1.close();
        p2.close();
        fillScratch.close();
    }
}
