package org.intravis.streamer;

/**
 * One client's counters, as /api/streams shows them.
 *
 * @param framesDropped      video messages this client did not get: replaced by a newer one while it was busy,
 *                           or skipped while it waited for an H.264 key frame after such a gap
 * @param overlaysCoalesced  overlay messages replaced by a newer one before this client could take them
 * @param pendingBytes       bytes the server holds for this client now: written but not yet on the socket,
 *                           plus messages waiting in its mailboxes
 * @param clientG2gP50Ms     glass-to-glass latency the page reported (capture to drawn), NaN until it reports
 */
public record ClientStats(long id, String remote, String transport, String encoding, String variant,
                          boolean overlays, boolean heatmap, long connectedMillis, long framesSent,
                          long framesDropped, long keyFramesRequested, long overlaysSent, long overlaysCoalesced,
                          long alertsSent, long alertsQueued, long heatmapsSent, long bytesSent, long pendingBytes,
                          long clientFramesDecoded, long clientFramesDropped, double clientG2gP50Ms,
                          double clientG2gP99Ms) {
}
