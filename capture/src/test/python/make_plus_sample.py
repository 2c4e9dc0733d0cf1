#!/usr/bin/python3
"""Cuts the committed PLUS test sample out of a PlusToolkit/PlusLibData sequence (BSD-3-Clause).

Keeps the first FRAMES frames of BoneUltrasound_L14.igs.mha, full size, with their header fields (probe,
reference and stylus transforms, timestamps) unchanged, and writes them in the same format: a MetaImage
text header followed by the zlib-compressed uint8 pixels (CompressedData = True).

usage: make_plus_sample.py [SOURCE.igs.mha] [OUT.igs.mha]
"""
import re
import sys
import zlib

FRAMES = 5
src = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/data/plus-sequences/BoneUltrasound_L14.igs.mha"
out = sys.argv[2] if len(sys.argv) > 2 else "capture/src/test/resources/plus/BoneUltrasound_L14_first5.igs.mha"

data = open(src, "rb").read()
end = data.index(b"\n", data.index(b"ElementDataFile")) + 1
header = data[:end].decode("ascii").splitlines()
fields = dict(line.split(" = ", 1) for line in header)
width, height, count = (int(v) for v in fields["DimSize"].split())
assert fields["ElementType"].strip() == "MET_UCHAR" and fields["CompressedData"].strip() == "True"
pixels = zlib.decompress(data[end:])
assert len(pixels) == width * height * count
kept = zlib.compress(pixels[: width * height * FRAMES], 9)

lines = []
for line in header:
    key = line.split(" = ", 1)[0]
    m = re.match(r"Seq_Frame(\d+)_", key)
    if m and int(m.group(1)) >= FRAMES:
        continue
    if key == "DimSize":
        line = "DimSize = %d %d %d" % (width, height, FRAMES)
    elif key == "CompressedDataSize":
        line = "CompressedDataSize = %d" % len(kept)
    lines.append(line)
with open(out, "wb") as f:
    f.write(("\n".join(lines) + "\n").encode("ascii"))
    f.write(kept)
print("%s: %d frames of %dx%d, %d bytes of pixels compressed" % (out, FRAMES, width, height, len(kept)))
