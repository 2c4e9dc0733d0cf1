package org.intravis.streamer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.intravis.pipeline.Annotations;

import java.nio.charset.StandardCharsets;

/**
 * The naive baseline's overlay message (perf module, in the streamer's package because {@code OverlayJson} is
 * package-private there): the same JSON the pipeline sends, returned as a new String per frame.
 */
public final class BaselineOverlayWriter {
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
