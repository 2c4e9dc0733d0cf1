package org.intravis.perf;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.intravis.pipeline.Annotations;
import org.intravis.streamer.OverlayJson;

import java.nio.charset.StandardCharsets;

/**
 * The naive baseline's overlay message: the same JSON the pipeline sends, returned as a new String per frame.
 */
final class BaselineOverlayWriter {
    private final OverlayJson json;

    public BaselineOverlayWriter(String streamId, double lowConfidence) {
        this.json = new OverlayJson(streamId, lowConfidence);
    }

    public String overlay(Annotations a) {
        ByteBuf out = Unpooled.buffer(1024);
        json.writeOverlay(out, a);
        return out.toString(StandardCharsets.UTF_8);
    }
}
