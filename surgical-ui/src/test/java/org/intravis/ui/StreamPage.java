package org.intravis.ui;

import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.BoundingBox;

import java.util.List;
import java.util.Map;

/**
 * A browser page showing a stream (the OR display or a tile of the surgeon's page), read the way the browser tests
 * need it through the page's own {@code window.intravis} hooks: its snapshot, the canvases' pixels, the banner.
 */
final class StreamPage {
    final Page page;
    final String stream;

    StreamPage(Page page, String stream) {
        this.page = page;
        this.stream = stream;
    }

    /** The stream view's snapshot (stream-view.js), or null before the page made it. */
    @SuppressWarnings("unchecked")
    Map<String, Object> snapshot() {
        return (Map<String, Object>) page.evaluate("(id) => window.intravis && window.intravis.snapshot(id) || null", stream);
    }

    long decoded() {
        Map<String, Object> s = snapshot();
        return s == null ? 0 : ((Number) s.get("decoded")).longValue();
    }

    /** NO SIGNAL, RECONNECTING…, CONNECTING… or "" when the picture is live. */
    String stateText() {
        Map<String, Object> s = snapshot();
        return s == null ? "not started" : String.valueOf(s.get("stateText"));
    }

    /** AI OFF, AI FAILED, AI STALE … or "" when a fresh overlay is drawn. */
    String ai() {
        Map<String, Object> s = snapshot();
        return s == null ? "not started" : String.valueOf(s.get("ai"));
    }

    /** The overlay drawn with the frame on screen, or null when none is. */
    @SuppressWarnings("unchecked")
    Map<String, Object> drawnOverlay() {
        Map<String, Object> s = snapshot();
        return s == null ? null : (Map<String, Object>) s.get("drawnOverlay");
    }

    /** Weighted sum of the video canvas's pixels: changes whenever the picture does. */
    long videoChecksum() {
        return ((Number) page.evaluate("(id) => { const c = window.intravis.views[id].video;"
                + " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
                + " let s = 0; for (let i = 0; i < d.length; i += 4) s += d[i] * (i % 977); return s; }", stream)).longValue();
    }

    /** Opaque pixels on the overlay canvas (0: nothing drawn over the picture). */
    long overlayPixels() {
        return ((Number) page.evaluate("(id) => { const c = window.intravis.views[id].overlayCanvas;"
                + " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
                + " let n = 0; for (let i = 3; i < d.length; i += 4) n += d[i] > 0; return n; }", stream)).longValue();
    }

    /**
     * In one turn of the page: the first tip of the overlay drawn with the frame on screen, and the overlay canvas's
     * pixel there ({@code x, y, low, overlayFrame, frame, rgba, origin}); null when no overlay with a tip is drawn.
     */
    @SuppressWarnings("unchecked")
    Map<String, Object> tipProbe() {
        return (Map<String, Object>) page.evaluate("(id) => { const v = window.intravis.views[id];"
                + " const o = v.drawnOverlay; if (!o || !o.tips.length || !v.header) return null;"
                + " const t = o.tips[0];"
                + " const px = v.overlayCanvas.getContext('2d').getImageData(Math.round(t.x), Math.round(t.y), 1, 1).data;"
                + " return { x: t.x, y: t.y, low: !!t.low, overlayFrame: o.frameId, frame: v.header.frameId, rgba: Array.from(px),"
                + "   origin: o.origin }; }", stream);
    }

    /** The alert banner's classes and text when it is visible ({@code "classes|text"}), "" when hidden. */
    String bannerShown() {
        return String.valueOf(page.evaluate("(id) => { const b = window.intravis.views[id].banner;"
                + " return b && !b.classList.contains('hidden') && b.offsetHeight > 0 ? b.className + '|' + b.textContent : ''; }",
                stream));
    }

    /** Whether every word of the visible alert banner shows (none cut off by its ellipsis). */
    boolean bannerWordsFit() {
        return Boolean.TRUE.equals(page.evaluate("(id) => { const b = window.intravis.views[id].banner;"
                + " return b.offsetWidth > 0 && b.scrollWidth <= b.clientWidth; }", stream));
    }

    /** Whether the AI's badge shows and every word of it fits its box (none cut off by an ellipsis). */
    boolean aiBadgeWordsFit() {
        return Boolean.TRUE.equals(page.evaluate("(id) => { const g = window.intravis.views[id].badge;"
                + " return g.offsetWidth > 0 && g.scrollWidth <= g.clientWidth; }", stream));
    }

    /** The alert strip's layout, for a failure's message: each box's width, the width its words need, its font. */
    String stripLayout() {
        return String.valueOf(page.evaluate("(id) => { const v = window.intravis.views[id];"
                + " const d = (e) => e.className + ' ' + e.clientWidth + '/' + e.scrollWidth + ' '"
                + "  + getComputedStyle(e).fontSize;"
                + " return 'strip ' + v.banner.parentElement.clientWidth + ': ' + [v.banner, v.badge, v.originBadge]"
                + "  .map(d).join(', '); }", stream));
    }

    /**
     * Whether the alert banner lies wholly outside the picture: its box ends above the video canvas's (the canvas
     * spans the whole stage, so this holds for any picture drawn in it).
     */
    boolean bannerClearOfPicture() {
        return Boolean.TRUE.equals(page.evaluate("(id) => { const v = window.intravis.views[id];"
                + " const b = v.banner.getBoundingClientRect(); const c = v.video.getBoundingClientRect();"
                + " return b.height > 0 && c.height > 0 && b.bottom <= c.top + 0.5; }", stream));
    }

    /**
     * Whether the AI badge (and the ground-truth label, when shown) lie wholly outside the picture, as the alert
     * banner does: each visible badge's box ends above the video canvas's.
     */
    boolean badgesClearOfPicture() {
        return Boolean.TRUE.equals(page.evaluate("(id) => { const v = window.intravis.views[id];"
                + " const c = v.video.getBoundingClientRect();"
                + " const shown = [v.badge, v.originBadge].filter((b) => b.offsetHeight > 0);"
                + " return shown.length > 0 && c.height > 0"
                + "   && shown.every((b) => b.getBoundingClientRect().bottom <= c.top + 0.5); }", stream));
    }

    /** Whether an element is visible on the page. */
    boolean visible(String selector) {
        return page.locator(selector).isVisible();
    }

    /** Client coordinates of a frame pixel on the surgeon page's editor canvas of this stream (object-fit: contain). */
    double[] toPage(double fx, double fy, int frameWidth, int frameHeight) {
        BoundingBox box = page.locator(".tile[data-stream='" + stream + "'] canvas.editor").boundingBox();
        double scale = Math.min(box.width / frameWidth, box.height / frameHeight);
        double ox = box.x + (box.width - frameWidth * scale) / 2;
        double oy = box.y + (box.height - frameHeight * scale) / 2;
        return new double[]{ox + fx * scale, oy + fy * scale};
    }

    /** Draws a closed polygon with the mouse on the surgeon page (edit mode must be on): a click per corner, then
     * a click on the first corner closes it. */
    void drawPolygon(List<double[]> framePoints, int frameWidth, int frameHeight) {
        for (int i = 0; i < framePoints.size(); i++) {
            double[] c = framePoints.get(i);
            String before = editorBox();
            double[] p = toPage(c[0], c[1], frameWidth, frameHeight);
            page.mouse().click(p[0], p[1]);
            // each corner where it was clicked: a click the page took elsewhere says so here, with the layout
            @SuppressWarnings("unchecked")
            List<List<Number>> drawn = (List<List<Number>>) page.evaluate(
                    "(id) => window.intravis.editor(id).drawing", stream);
            List<Number> last = drawn == null || drawn.size() != i + 1 ? null : drawn.get(i);
            if (last == null || Math.abs(last.get(0).doubleValue() - c[0]) > 1.5
                    || Math.abs(last.get(1).doubleValue() - c[1]) > 1.5) {
                throw new AssertionError("corner " + i + " clicked at frame (" + c[0] + ", " + c[1] + "), page ("
                        + p[0] + ", " + p[1] + "); the editor has " + drawn + "; editor canvas before the click "
                        + before + ", after " + editorBox());
            }
        }
        double[] first = toPage(framePoints.get(0)[0], framePoints.get(0)[1], frameWidth, frameHeight);
        page.mouse().click(first[0], first[1]);
    }

    /** The editor canvas's place on the page and its pixel size, for a failure's message. */
    private String editorBox() {
        return String.valueOf(page.evaluate("(id) => { const c = document.querySelector(`.tile[data-stream='${id}'] "
                + "canvas.editor`); const r = c.getBoundingClientRect(); return `${r.x},${r.y} ${r.width}x${r.height} `"
                + " + `canvas ${c.width}x${c.height} scroll ${window.scrollX},${window.scrollY}`; }", stream));
    }

    static long num(Object o) {
        return ((Number) o).longValue();
    }
}
