package org.intravis.streamer;

import org.intravis.pipeline.Annotations;

/**
 * Settings of the streamer (one section of the application's YAML): fluent setters with defaults, validated once
 * by {@link #conclude()}.
 */
public final class StreamerSettings {
    private String h264Encoder = AUTO_H264;
    private double h264BitsPerPixel = 0.08;
    private long h264BitrateBps;
    private long keyIntervalMillis = 1000;
    private long minForcedKeyIntervalMillis = 250;
    private int jpegQscale = 5;
    private long staleAfterMillis = 500;
    private double lowConfidence = Annotations.LOW_CONFIDENCE;
    private double heatmapMaxHz = 4;
    private int alertQueueLimit = 256;
    private long clientMaxPendingBytes = 8L << 20;
    private long statsIntervalMillis = 1000;
    private int maxClientsPerStream = 16;
    private boolean concluded;

    /**
     * The H.264 encoder named {@value #AUTO_H264} (the default): the best software encoder this FFmpeg has, libx264
     * where it is the GPL build (-Pgpl), else libopenh264; {@link #conclude} settles it.
     */
    public static final String AUTO_H264 = "auto";

    /**
     * FFmpeg H.264 encoder: {@value #AUTO_H264}, {@code libopenh264} (bundled, CPU), {@code libx264} (CPU, FFmpeg's GPL
     * build: -Pgpl) or {@code h264_nvenc} on an NVIDIA GPU.
     */
    public StreamerSettings h264Encoder(String name) { this.h264Encoder = name; return this; }
    /** H.264 bit rate as bits per pixel per frame when no explicit rate is set (0.08: about 5 Mbit/s at 1080p30). */
    public StreamerSettings h264BitsPerPixel(double bpp) { this.h264BitsPerPixel = bpp; return this; }
    /** Explicit H.264 bit rate in bits per second (0: derive from the frame size and rate). */
    public StreamerSettings h264BitrateBps(long bps) { this.h264BitrateBps = bps; return this; }
    /** Distance between H.264 key frames (IDR with SPS/PPS): how long a joining or skipped client waits at most. */
    public StreamerSettings keyIntervalMillis(long ms) { this.keyIntervalMillis = ms; return this; }
    /** Requested key frames ("force IDR") are honoured at most this often per variant. */
    public StreamerSettings minForcedKeyIntervalMillis(long ms) { this.minForcedKeyIntervalMillis = ms; return this; }
    /**
     * JPEG quality in the familiar 1..100 scale, mapped onto FFmpeg's quantiser (80 -> 5, 95 -> 2, 50 -> 11).
     */
    public StreamerSettings jpegQuality(int quality) {
        if (quality < 1 || quality > 100) {
            throw new IllegalArgumentException("streamer: jpegQuality must be 1..100, was " + quality);
        }
        this.jpegQscale = Math.max(2, Math.min(31, Math.round((100 - quality) / 5f) + 1));
        return this;
    }
    /** JPEG quantiser, 2 (best) to 31 (smallest). */
    public StreamerSettings jpegQscale(int q) { this.jpegQscale = q; return this; }
    /** Overlays older than this relative to the frame are stale: hidden by the page, badged when burned in. */
    public StreamerSettings staleAfterMillis(long ms) { this.staleAfterMillis = ms; return this; }
    /** Elements with a confidence below this are drawn as low-confidence (dashed, dimmed, labelled). */
    public StreamerSettings lowConfidence(double c) { this.lowConfidence = c; return this; }
    /** Heat maps are sent at most this often per stream. */
    public StreamerSettings heatmapMaxHz(double hz) { this.heatmapMaxHz = hz; return this; }
    /** Alert events waiting for one client; beyond this the client is disconnected (it resyncs on reconnect). */
    public StreamerSettings alertQueueLimit(int n) { this.alertQueueLimit = n; return this; }
    /** Bytes the server may hold for one client before it stops writing even alerts to it. */
    public StreamerSettings clientMaxPendingBytes(long b) { this.clientMaxPendingBytes = b; return this; }
    /** How often each client is sent its stats and the stream status. */
    public StreamerSettings statsIntervalMillis(long ms) { this.statsIntervalMillis = ms; return this; }
    /** Clients (WebSocket and MJPEG) one stream serves at once; each costs encoding and bandwidth. */
    public StreamerSettings maxClientsPerStream(int n) { this.maxClientsPerStream = n; return this; }

    public String h264Encoder() { return h264Encoder; }
    public long keyIntervalMillis() { return keyIntervalMillis; }
    public long minForcedKeyIntervalMillis() { return minForcedKeyIntervalMillis; }
    public int jpegQscale() { return jpegQscale; }
    public long staleAfterMillis() { return staleAfterMillis; }
    public double lowConfidence() { return lowConfidence; }
    public double heatmapMaxHz() { return heatmapMaxHz; }
    public int alertQueueLimit() { return alertQueueLimit; }
    public long clientMaxPendingBytes() { return clientMaxPendingBytes; }
    public long statsIntervalMillis() { return statsIntervalMillis; }
    public int maxClientsPerStream() { return maxClientsPerStream; }

    /** The H.264 bit rate for a picture size and frame rate. */
    public long h264BitrateFor(int width, int height, double fps) {
        if (h264BitrateBps > 0) {
            return h264BitrateBps;
        }
        return Math.max(200_000L, Math.round(width * (double) height * fps * h264BitsPerPixel));
    }

    public StreamerSettings conclude() {
        if (h264Encoder == null || h264Encoder.isBlank()) {
            throw new IllegalArgumentException("streamer: h264Encoder must be set (e.g. auto or libopenh264)");
        }
        if (h264Encoder.equals(AUTO_H264)) {
            h264Encoder = AvVideoEncoder.bestSoftwareH264();
        }
        if (h264BitsPerPixel <= 0 || h264BitrateBps < 0) {
            throw new IllegalArgumentException("streamer: H.264 bit rate must be positive");
        }
        if (keyIntervalMillis < 100 || keyIntervalMillis > 10_000) {
            throw new IllegalArgumentException("streamer: keyIntervalMillis must be 100..10000, was " + keyIntervalMillis);
        }
        if (minForcedKeyIntervalMillis < 0) {
            throw new IllegalArgumentException("streamer: minForcedKeyIntervalMillis must be >= 0");
        }
        if (jpegQscale < 2 || jpegQscale > 31) {
            throw new IllegalArgumentException("streamer: jpegQscale must be 2..31, was " + jpegQscale);
        }
        if (staleAfterMillis <= 0) {
            throw new IllegalArgumentException("streamer: staleAfterMillis must be positive");
        }
        if (lowConfidence < 0 || lowConfidence > 1) {
            throw new IllegalArgumentException("streamer: lowConfidence must be 0..1");
        }
        if (heatmapMaxHz <= 0) {
            throw new IllegalArgumentException("streamer: heatmapMaxHz must be positive");
        }
        if (alertQueueLimit < 8) {
            throw new IllegalArgumentException("streamer: alertQueueLimit must be at least 8");
        }
        if (clientMaxPendingBytes < (256 << 10)) {
            throw new IllegalArgumentException("streamer: clientMaxPendingBytes must be at least 256 KiB");
        }
        if (statsIntervalMillis < 100) {
            throw new IllegalArgumentException("streamer: statsIntervalMillis must be at least 100");
        }
        if (maxClientsPerStream < 1 || maxClientsPerStream > 1024) {
            throw new IllegalArgumentException("streamer: maxClientsPerStream must be 1..1024, was " + maxClientsPerStream);
        }
        concluded = true;
        return this;
    }

    boolean concluded() { return concluded; }
}
