// Wire format of /ws/streams/{id} (docs/protocol.md). Binary messages are big-endian.

export const MAGIC_0 = 0x49; // 'I'
export const MAGIC_1 = 0x56; // 'V'
export const TYPE_VIDEO = 1;
export const TYPE_HEATMAP = 2;
export const ENC_H264 = 1;
export const ENC_JPEG = 2;
export const FLAG_KEY = 1;
export const FLAG_BURNED = 2;
export const FLAG_OVERLAY_FRESH = 4;
export const OVERLAY_STATUS = ['NONE', 'VALID', 'FAILED'];
export const ALERT_LEVELS = ['none', 'caution', 'warning', 'critical'];

/** Message type of a binary message (1 video, 2 heat map). */
export function binaryType(buf) {
  const b = new Uint8Array(buf, 0, 4);
  if (b[0] !== MAGIC_0 || b[1] !== MAGIC_1) throw new Error('not an intravis message');
  if (b[2] !== 1) throw new Error(`unsupported protocol version ${b[2]}`);
  return b[3];
}

/** Decodes a video message header (56 bytes); the payload starts at headerLength. */
export function parseVideoHeader(buf) {
  const dv = new DataView(buf);
  const flags = dv.getUint8(5);
  return {
    encoding: dv.getUint8(4),
    flags,
    key: (flags & FLAG_KEY) !== 0,
    burned: (flags & FLAG_BURNED) !== 0,
    overlayFresh: (flags & FLAG_OVERLAY_FRESH) !== 0,
    headerLength: dv.getUint16(6),
    frameId: Number(dv.getBigInt64(8)),
    captureUs: Number(dv.getBigInt64(16)),
    encodedUs: Number(dv.getBigInt64(24)),
    sequence: dv.getUint32(32),
    width: dv.getUint16(36),
    height: dv.getUint16(38),
    overlayFrameId: Number(dv.getBigInt64(40)),
    overlayAgeMs: dv.getInt32(48),
    overlayStatus: OVERLAY_STATUS[dv.getUint8(52)] || 'NONE',
    alertLevel: dv.getUint8(53),
  };
}

/** Decodes a heat map message: per-class 8-bit confidence on a small grid. */
export function parseHeatmap(buf) {
  const dv = new DataView(buf);
  const classes = dv.getUint8(4);
  const headerLength = dv.getUint16(6);
  const names = [];
  for (let c = 0; c < classes; c++) {
    const raw = new Uint8Array(buf, 32 + c * 16, 16);
    let n = 0;
    while (n < 16 && raw[n] !== 0) n++;
    names.push(String.fromCharCode(...raw.subarray(0, n)));
  }
  const width = dv.getUint16(24);
  const height = dv.getUint16(26);
  return {
    frameId: Number(dv.getBigInt64(8)),
    captureUs: Number(dv.getBigInt64(16)),
    width, height,
    frameWidth: dv.getUint16(28),
    frameHeight: dv.getUint16(30),
    names,
    values: new Uint8Array(buf, headerLength, classes * width * height),
  };
}

/** WebCodecs codec string (avc1.PPCCLL) from the SPS of an Annex-B access unit, or null. */
export function codecFromAnnexB(bytes) {
  for (let i = 0; i + 6 < bytes.length; i++) {
    if (bytes[i] === 0 && bytes[i + 1] === 0 && bytes[i + 2] === 1) {
      const nalType = bytes[i + 3] & 0x1f;
      if (nalType === 7) {
        const hex = (v) => v.toString(16).padStart(2, '0').toUpperCase();
        return `avc1.${hex(bytes[i + 4])}${hex(bytes[i + 5])}${hex(bytes[i + 6])}`;
      }
      i += 2;
    }
  }
  return null;
}
