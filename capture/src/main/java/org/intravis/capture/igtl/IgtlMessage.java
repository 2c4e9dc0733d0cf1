package org.intravis.capture.igtl;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

import java.util.Map;

/**
 * One received OpenIGTLink message, its CRC already checked: the header's fields, version 3's message id and
 * metadata, and the content (the body without extended header and metadata). It holds a reference to the content:
 * whoever takes it releases it.
 */
public final class IgtlMessage extends DefaultByteBufHolder {
    private final int headerVersion;
    private final String type;
    private final String deviceName;
    private final long timestamp;
    private final long messageId;
    private final Map<String, String> metadata;

    public IgtlMessage(int headerVersion, String type, String deviceName, long timestamp, long messageId,
                       Map<String, String> metadata, ByteBuf content) {
        super(content);
        this.headerVersion = headerVersion;
        this.type = type;
        this.deviceName = deviceName;
        this.timestamp = timestamp;
        this.messageId = messageId;
        this.metadata = metadata.isEmpty() ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(metadata));
    }

    /** 1 (protocol versions 1 and 2) or 2 (protocol version 3). */
    public int headerVersion() { return headerVersion; }
    public String type() { return type; }
    public String deviceName() { return deviceName; }
    /** OpenIGTLink's 64-bit timestamp ({@link IgtlWire#epochMicros}); 0 when the sender left it unused. */
    public long timestamp() { return timestamp; }
    /** Version 3's message id (0 under header version 1). */
    public long messageId() { return messageId; }
    /** Version 3's metadata, key to value in the order sent (empty under header version 1). */
    public Map<String, String> metadata() { return metadata; }

    @Override
    public IgtlMessage replace(ByteBuf content) {
        return new IgtlMessage(headerVersion, type, deviceName, timestamp, messageId, metadata, content);
    }

    @Override
    public IgtlMessage retain() {
        super.retain();
        return this;
    }

    @Override
    public String toString() {
        return type + " '" + deviceName + "' (" + content().readableBytes() + " bytes, header v" + headerVersion + ")";
    }
}
