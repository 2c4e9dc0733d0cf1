package org.intravis.inference;

/**
 * Finds one instrument in a model's output (its mask channel, confirmed by the tip heat map when there is one) or
 * in a ground-truth mask, at the resolution it was made for. Implementations are allocation-free after
 * construction; one instance per thread. {@link Instrument} says which locator finds which instrument.
 */
public interface InstrumentLocator {

    /**
     * Locates the instrument in probability planes: {@code probs[maskOffset ..]} is its mask channel,
     * {@code probs[tipOffset ..]} the tip heat map ({@code tipOffset < 0}: none). Returns whether one was found.
     */
    boolean locate(float[] probs, int maskOffset, double threshold, int tipOffset, double tipThreshold,
                   InstrumentDetection out);

    /**
     * Where the picture lies in the frame, for the next calls (the content crop's box; the whole frame without one):
     * lengths that judge an instrument (a needle's shaft, for its confidence) are measured in the picture's own size,
     * and the border it enters from is the picture's, so that a picture shown inside a larger capture frame is judged
     * as the same picture filling it.
     */
    default void picture(ContentBox box) {
    }

    /** Locates it in a binary mask (non-zero = instrument), without a heat map: the ground-truth rule. */
    boolean locateInMask(byte[] binary, InstrumentDetection out);
}
