package org.intravis.ui;

/** What a test source really shows in one frame: the needle tip and entry point (frame pixels). */
record TruthSample(long frame, long capturedNanos, boolean visible, float tipX, float tipY, float entryX, float entryY) {
}
