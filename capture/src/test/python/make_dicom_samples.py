"""Writes the DICOM test files of capture/src/test/resources/dicom with pydicom (an implementation independent of
intravis's reader), and the pictures each must give, so DicomSourceTest compares the reader with pydicom's decoding.

Run from the repository root with Debian's python3-pydicom, python3-opencv, ffmpeg, dcmtk and libgdcm-tools (the NEMA sample is copied from
../shared/data/dicom when it is not there yet):
    /usr/bin/python3 capture/src/test/python/make_dicom_samples.py

Each file is a multi-frame ultrasound cine as scanners export them (see README.md):
  cine-jpeg.dcm       JPEG Baseline (1.2.840.10008.1.2.4.50), YBR_FULL_422, 10 frames 360x288 of the real needle clip,
                      a Basic Offset Table, FrameTime 50 ms, a Sequence of Ultrasound Regions (0.1 mm a pixel)
  cine-rle.dcm        RLE Lossless (1.2.840.10008.1.2.5), MONOCHROME2, 6 frames 180x144, no offset table,
                      CineRate 25, PixelSpacing 0.2 mm
  cine-implicit.dcm   Implicit VR Little Endian (1.2.840.10008.1.2), MONOCHROME2 native, 5 frames 120x96, a
                      FrameTimeVector (0, 40, 40, 80, 40 ms), an undefined-length sequence before the pixels
  rgb-explicit.dcm    Explicit VR Little Endian, RGB native, planar configuration 1 (colour by plane), 3 frames
  video-h264.dcm, video-mpeg2.dcm, video-hevc.dcm
                      a video stream as the pixel data (1.2.840.10008.1.2.4.102, .100, .107), 10 frames 180x144
                      encoded by the ffmpeg command at 20 fps, in fragments of at most 4000 bytes, FrameTime 50 ms
  grey12-window.dcm, grey12-signed-sigmoid.dcm, grey12-rle-exact.dcm
                      12-bit grey in 16-bit words, 2 frames 120x96, rescale and VOI windows (LINEAR, SIGMOID on
                      signed MONOCHROME1, LINEAR_EXACT under RLE)
  grey12-window-ljpeg.dcm, -lossy.dcm, -j2k.dcm, grey12-signed-sigmoid-jls.dcm, -j2k.dcm
                      the 12-bit grey files above compressed by DCMTK and GDCM (lossless JPEG, 12-bit lossy JPEG,
                      JPEG 2000, JPEG-LS), as fluoroscopy systems export; their windows apply as to the native files
  rgb-jpeg-rgb.dcm    rgb-explicit.dcm as JPEG baseline stored as RGB, photometric RGB (DCMTK, quality 95)
  rgb-jpeg-plain.dcm  the same frames without the Adobe marker and with component ids 1, 2, 3, as some encoders write
                      RGB JPEG (a JPEG decoder alone would take them for YCbCr)
  rgb-jpeg-ycbcr.dcm  the same pictures as OpenCV's JPEG (YCbCr, chroma 4:2:0) without its JFIF marker, labelled RGB,
                      as some scanners write it: the subsampled chroma says YCbCr
  cine-deflated.dcm   Deflated Explicit VR Little Endian (1.2.840.10008.1.2.1.99), native grey, 3 frames 120x96
  cine-bigendian.dcm, grey12-window-bigendian.dcm, rgb-bigendian.dcm
                      the retired Explicit VR Big Endian (1.2.840.10008.1.2.2): cine-implicit, grey12-window and
                      rgb-explicit through DCMTK's dcmconv +tb (8-bit samples as OW words: bytes in swapped pairs)
  cine-eot.dcm        JPEG Baseline grey, 4 frames 120x96 of two fragments each, an empty Basic Offset Table and an
                      Extended Offset Table (7FE0,0001)
  expected/NAME_F.png frame F of NAME as grey (also for two samples of ../shared/data/dicom read there) (pydicom's pixels, colour to grey with OpenCV's weights);
                      for cine-jpeg, OpenCV's own decoding of the frame's JPEG (pydicom here has no JPEG decoder)
"""
import glob
import os
import shutil
import subprocess

import cv2
import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileDataset, FileMetaDataset
from pydicom.encaps import encapsulate, generate_pixel_data_frame
from pydicom.sequence import Sequence
from pydicom.uid import (ExplicitVRLittleEndian, ImplicitVRLittleEndian, JPEGBaseline8Bit, RLELossless,
                         generate_uid)

US_MULTIFRAME = "1.2.840.10008.5.1.4.1.1.3.1"


def base(transfer_syntax, rows, cols, frames, samples, photometric):
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = US_MULTIFRAME
    meta.MediaStorageSOPInstanceUID = "1.2.826.0.1.3680043.8.498.1"  # fixed: the same bytes every run
    meta.TransferSyntaxUID = transfer_syntax
    meta.ImplementationClassUID = "1.2.826.0.1.3680043.8.498.2"
    ds = FileDataset(None, {}, file_meta=meta, preamble=b"\0" * 128)
    ds.is_little_endian = True
    ds.is_implicit_VR = transfer_syntax == ImplicitVRLittleEndian
    ds.SOPClassUID = US_MULTIFRAME
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.Modality = "US"
    ds.PatientName = "Test^Phantom"
    ds.Rows, ds.Columns = rows, cols
    ds.NumberOfFrames = frames
    ds.SamplesPerPixel = samples
    ds.PhotometricInterpretation = photometric
    if samples == 3:
        ds.PlanarConfiguration = 0
    ds.BitsAllocated = 8
    ds.BitsStored = 8
    ds.HighBit = 7
    ds.PixelRepresentation = 0
    return ds


def save_with_expected(ds, name, frames):
    """Writes NAME.dcm, and the frames pydicom decodes from it as grey PNGs (expected/NAME_F.png)."""
    ds.save_as(name + ".dcm", write_like_original=False)
    back = pydicom.dcmread(name + ".dcm").pixel_array
    for i in frames:
        cv2.imwrite(f"expected/{name}_{i}.png", grey(back[i]) if back[i].ndim == 3 else back[i])


def grey(rgb):
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)


def clip_frames(folder, n, size):
    names = sorted(glob.glob(os.path.join(folder, "*.jpg")))[:n]
    return [cv2.resize(cv2.imread(p, cv2.IMREAD_COLOR), size, interpolation=cv2.INTER_AREA) for p in names]


def main():
    folder = os.path.abspath("gpu-inference/src/test/resources/real-needle/images")
    out = "capture/src/test/resources/dicom"
    nema = os.path.join(out, "OBXXXX1A_rle_2frame.dcm")
    if not os.path.exists(nema):
        shutil.copy("../shared/data/dicom/OBXXXX1A_rle_2frame.dcm", nema)
        shutil.copy("../shared/data/dicom/LICENSE-pydicom-data", out)
    os.chdir(out)
    os.makedirs("expected", exist_ok=True)

    # 1. JPEG Baseline colour cine, as most ultrasound scanners export
    bgr = clip_frames(folder, 10, (360, 288))
    jpegs = [cv2.imencode(".jpg", f, [cv2.IMWRITE_JPEG_QUALITY, 90])[1].tobytes() for f in bgr]
    ds = base(JPEGBaseline8Bit, 288, 360, len(jpegs), 3, "YBR_FULL_422")
    ds.FrameTime = "50"
    ds.FrameIncrementPointer = (0x0018, 0x1063)
    region = Dataset()
    region.RegionSpatialFormat = 1
    region.RegionDataType = 1
    region.RegionLocationMinX0, region.RegionLocationMinY0 = 0, 0
    region.RegionLocationMaxX1, region.RegionLocationMaxY1 = 359, 287
    region.PhysicalUnitsXDirection = 3  # cm
    region.PhysicalUnitsYDirection = 3
    region.PhysicalDeltaX = 0.01
    region.PhysicalDeltaY = 0.01
    ds.SequenceOfUltrasoundRegions = Sequence([region])
    ds.PixelData = encapsulate(jpegs, has_bot=True)
    ds["PixelData"].is_undefined_length = True
    ds["PixelData"].VR = "OB"
    ds.save_as("cine-jpeg.dcm", write_like_original=False)
    for i in (0, 9):
        decoded = cv2.imdecode(np.frombuffer(jpegs[i], np.uint8), cv2.IMREAD_COLOR)
        cv2.imwrite(f"expected/cine-jpeg_{i}.png", cv2.cvtColor(decoded, cv2.COLOR_BGR2GRAY))

    # 2. RLE Lossless grey cine, no offset table
    g = [cv2.cvtColor(f, cv2.COLOR_BGR2GRAY) for f in clip_frames(folder, 6, (180, 144))]
    ds = base(ExplicitVRLittleEndian, 144, 180, len(g), 1, "MONOCHROME2")
    ds.CineRate = 25
    ds.PixelSpacing = ["0.2", "0.2"]
    ds.compress(RLELossless, np.stack(g), encoding_plugin="pydicom")
    save_with_expected(ds, "cine-rle", (0, 5))

    # 3. Implicit VR, native grey, a frame time vector and an undefined-length sequence before the pixels
    g = [cv2.cvtColor(f, cv2.COLOR_BGR2GRAY) for f in clip_frames(folder, 5, (120, 96))]
    ds = base(ImplicitVRLittleEndian, 96, 120, len(g), 1, "MONOCHROME2")
    ds.FrameTimeVector = ["0", "40", "40", "80", "40"]
    ds.FrameIncrementPointer = (0x0018, 0x1065)
    item = Dataset()
    item.CodeValue = "T-D0050"
    item.CodingSchemeDesignator = "SRT"
    item.CodeMeaning = "Tissue"
    ds.AnatomicRegionSequence = Sequence([item])
    ds.PixelData = np.stack(g).tobytes()
    save_with_expected(ds, "cine-implicit", (0, 4))

    # 4. Explicit VR, native RGB by plane (planar configuration 1)
    rgb = [cv2.cvtColor(f, cv2.COLOR_BGR2RGB) for f in clip_frames(folder, 3, (100, 80))]
    ds = base(ExplicitVRLittleEndian, 80, 100, len(rgb), 3, "RGB")
    ds.PlanarConfiguration = 1
    ds.PixelData = b"".join(np.ascontiguousarray(f.transpose(2, 0, 1)).tobytes() for f in rgb)
    save_with_expected(ds, "rgb-explicit", (0, 2))

    # 5. the NEMA sample (palette colour, RLE), decoded by pydicom with its palette
    from pydicom.pixel_data_handlers.util import apply_color_lut
    d = pydicom.dcmread("OBXXXX1A_rle_2frame.dcm")
    rgb = apply_color_lut(d.pixel_array, d)  # 16-bit palette entries
    for i in (0, 1):
        cv2.imwrite(f"expected/OBXXXX1A_rle_2frame_{i}.png", grey((rgb[i] >> 8).astype(np.uint8)))


    # 6. the lossless syntaxes OpenCV does not read (FFmpeg's decoders in intravis), encoded by the ffmpeg command
    #    (JPEG 2000 by OpenJPEG): each frame must come back as it went in
    g = [cv2.cvtColor(f, cv2.COLOR_BGR2GRAY) for f in clip_frames(folder, 3, (120, 96))]
    for name, uid, args, ext in (
            ("cine-jpegls", "1.2.840.10008.1.2.4.80", ["-c:v", "jpegls", "-pred", "0"], "jls"),
            ("cine-j2k", "1.2.840.10008.1.2.4.90", ["-c:v", "libopenjpeg", "-format", "j2k"], "j2k"),
            ("cine-ljpeg", "1.2.840.10008.1.2.4.70", ["-c:v", "ljpeg", "-pix_fmt", "gray"], "jpg")):
        streams = []
        for i, f in enumerate(g):
            cv2.imwrite("/tmp/dicom-sample.png", f)
            subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", "/tmp/dicom-sample.png", *args,
                            "-f", "image2", "/tmp/dicom-sample." + ext], check=True)
            streams.append(open("/tmp/dicom-sample." + ext, "rb").read())
        ds = base(uid, 96, 120, len(g), 1, "MONOCHROME2")
        ds.PixelData = encapsulate(streams, has_bot=False)
        ds["PixelData"].is_undefined_length = True
        ds["PixelData"].VR = "OB"
        ds.save_as(name + ".dcm", write_like_original=False)
        for i in (0, 2):
            cv2.imwrite(f"expected/{name}_{i}.png", g[i])

    # 7. video streams as the pixel data (MPEG-2, H.264, HEVC transfer syntaxes: one stream cut into fragments),
    #    encoded by the ffmpeg command; the expected frames are that command's own decoding of the stream, as grey
    g = [cv2.cvtColor(f, cv2.COLOR_BGR2GRAY) for f in clip_frames(folder, 10, (180, 144))]
    for i, f in enumerate(g):
        cv2.imwrite(f"/tmp/dicom-video-{i:02d}.png", f)
    for name, uid, args, ext in (
            ("video-h264", "1.2.840.10008.1.2.4.102",
             ["-c:v", "libx264", "-threads", "1", "-profile:v", "high", "-f", "h264"], "h264"),
            ("video-mpeg2", "1.2.840.10008.1.2.4.100", ["-c:v", "mpeg2video", "-f", "mpeg2video"], "m2v"),
            ("video-hevc", "1.2.840.10008.1.2.4.107",
             ["-c:v", "libx265", "-x265-params", "log-level=error:pools=none:frame-threads=1", "-f", "hevc"],
             "hevc")):
        stream = "/tmp/dicom-video." + ext
        subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-framerate", "20", "-i", "/tmp/dicom-video-%02d.png",
                        "-pix_fmt", "yuv420p", *args, stream], check=True)
        data = open(stream, "rb").read()
        ds = base(uid, 144, 180, len(g), 3, "YBR_PARTIAL_420")
        ds.FrameTime = "50"
        ds.FrameIncrementPointer = (0x0018, 0x1063)
        # one stream split into fragments of at most 4000 bytes (pydicom splits evenly; the reader must join them)
        ds.PixelData = encapsulate([data], fragments_per_frame=max(1, -(-len(data) // 4000)), has_bot=True)
        ds["PixelData"].is_undefined_length = True
        ds["PixelData"].VR = "OB"
        ds.save_as(name + ".dcm", write_like_original=False)
        subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", stream, "-vf", "format=gray",
                        "-start_number", "0", f"/tmp/{name}_%d.png"], check=True)
        for i in (0, 9):
            shutil.copy(f"/tmp/{name}_{i}.png", f"expected/{name}_{i}.png")

    # 8. grey with more than 8 bits (fluoroscopy and some ultrasound exports), shown through the file's rescale and
    #    first VOI window: native LINEAR (12 bits stored, two windows given), native SIGMOID (signed, MONOCHROME1),
    #    RLE LINEAR_EXACT. Expected: pydicom's apply_modality_lut and apply_voi_lut, its output range scaled to 0-255
    from pydicom.pixel_data_handlers.util import apply_modality_lut, apply_voi_lut
    g = [cv2.cvtColor(f, cv2.COLOR_BGR2GRAY).astype(np.int32) for f in clip_frames(folder, 2, (120, 96))]
    for name, photometric, signed, function, centre, width, rle in (
            ("grey12-window", "MONOCHROME2", 0, None, "300\\500", "1200\\800", False),
            ("grey12-signed-sigmoid", "MONOCHROME1", 1, "SIGMOID", "-200", "900", False),
            ("grey12-rle-exact", "MONOCHROME2", 0, "LINEAR_EXACT", "1800", "2500", True)):
        ds = base(ExplicitVRLittleEndian, 96, 120, len(g), 1, photometric)
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, signed
        ds.RescaleSlope, ds.RescaleIntercept = "1", "-1024"
        ds.WindowCenter, ds.WindowWidth = centre, width  # "a\\b": two windows, the first applies
        if function:
            ds.VOILUTFunction = function
        values = [f * 16 + (f % 7) - (2048 if signed else 0) for f in g]  # 12 bits, all their codes used
        data = np.stack(values).astype(np.int16 if signed else np.uint16)
        if rle:
            ds.compress(RLELossless, data, encoding_plugin="pydicom")
        else:
            ds.PixelData = data.tobytes()
        ds.save_as(name + ".dcm", write_like_original=False)
        d = pydicom.dcmread(name + ".dcm")
        lo, hi = (-2048, 2047) if signed else (0, 4095)
        lo, hi = lo - 1024, hi - 1024  # pydicom's output range after a rescale
        for i in (0, 1):
            v = apply_voi_lut(apply_modality_lut(d.pixel_array[i], d), d, index=0)
            out = np.round((v - lo) / (hi - lo) * 255)
            if photometric == "MONOCHROME1":
                out = 255 - out
            cv2.imwrite(f"expected/{name}_{i}.png", out.astype(np.uint8))

    # 9. a deflated file (the data set after the meta information is one raw deflate stream), native grey
    g = [cv2.cvtColor(f, cv2.COLOR_BGR2GRAY) for f in clip_frames(folder, 3, (120, 96))]
    ds = base("1.2.840.10008.1.2.1.99", 96, 120, len(g), 1, "MONOCHROME2")
    ds.CineRate = 15
    ds.PixelData = np.stack(g).tobytes()
    save_with_expected(ds, "cine-deflated", (0, 2))

    # 10. JPEG frames of two fragments each, an empty Basic Offset Table and an Extended Offset Table (7FE0,0001)
    #     saying where each frame starts (what large files carry; without it the fragments cannot be told apart)
    import struct
    g = [cv2.cvtColor(f, cv2.COLOR_BGR2GRAY) for f in clip_frames(folder, 4, (120, 96))]
    jpegs = [cv2.imencode(".jpg", f, [cv2.IMWRITE_JPEG_QUALITY, 90])[1].tobytes() for f in g]

    def item(data):
        data += b"\0" * (len(data) % 2)
        return struct.pack("<HHI", 0xFFFE, 0xE000, len(data)) + data

    items, offsets, at = [], [], 0
    for j in jpegs:
        offsets.append(at)
        half = len(j) // 2 & ~1
        for part in (j[:half], j[half:]):
            items.append(item(part))
            at += len(items[-1])
    ds = base(JPEGBaseline8Bit, 96, 120, len(jpegs), 1, "MONOCHROME2")
    ds.ExtendedOffsetTable = b"".join(struct.pack("<Q", o) for o in offsets)
    ds.ExtendedOffsetTableLengths = b"".join(struct.pack("<Q", len(j)) for j in jpegs)
    ds.PixelData = item(b"") + b"".join(items) + struct.pack("<HHI", 0xFFFE, 0xE0DD, 0)
    ds["PixelData"].is_undefined_length = True
    ds["PixelData"].VR = "OB"
    ds.save_as("cine-eot.dcm", write_like_original=False)
    for i in (0, 3):
        cv2.imwrite(f"expected/cine-eot_{i}.png", cv2.imdecode(np.frombuffer(jpegs[i], np.uint8), cv2.IMREAD_GRAYSCALE))

    # 12. 12-bit grey compressed as fluoroscopy and angiography systems export it: section 8's native files through
    #     DCMTK (lossless JPEG process 14, 12-bit lossy JPEG process 4, JPEG-LS) and GDCM (JPEG 2000), Debian's
    #     dcmtk and libgdcm-tools; expected: the native file's pictures (pydicom's window), which lossless syntaxes
    #     must give exactly and the lossy one nearly
    for name, native, tool in (
            ("grey12-window-ljpeg", "grey12-window", ["dcmcjpeg", "+e1", "+un"]),
            ("grey12-window-lossy", "grey12-window", ["dcmcjpeg", "+ee", "+un", "+q", "95"]),
            ("grey12-window-j2k", "grey12-window", ["gdcmconv", "--j2k"]),
            ("grey12-signed-sigmoid-jls", "grey12-signed-sigmoid", ["dcmcjpls", "+el", "+un"]),
            ("grey12-signed-sigmoid-j2k", "grey12-signed-sigmoid", ["gdcmconv", "--j2k"]),
            # colour JPEG stored as RGB (no colour transform; DCMTK marks it with an Adobe marker and R, G, B ids)
            ("rgb-jpeg-rgb", "rgb-explicit", ["dcmcjpeg", "+eb", "+cr", "+un", "+q", "95"]),
            # the retired explicit VR big endian, as older scanners and archives export it (DCMTK writes 8-bit
            # samples as OW words, so their bytes come in swapped pairs); expected: the originals' pictures
            ("cine-bigendian", "cine-implicit", ["dcmconv", "+tb"]),
            ("grey12-window-bigendian", "grey12-window", ["dcmconv", "+tb"]),
            ("rgb-bigendian", "rgb-explicit", ["dcmconv", "+tb"])):
        subprocess.run([*tool, native + ".dcm", name + ".dcm"], check=True)
        d, n = pydicom.dcmread(name + ".dcm"), pydicom.dcmread(native + ".dcm")
        made_up = [e.tag for e in d if e.tag not in n and e.tag.group == 0x0020]  # GDCM's new study and series UIDs
        for tag in made_up:
            del d[tag]
        if made_up:
            d.save_as(name + ".dcm", write_like_original=True)  # the same bytes on every run
        for png in glob.glob(f"expected/{native}_*.png"):  # the frames the original's pictures were written for
            shutil.copy(png, png.replace(f"expected/{native}_", f"expected/{name}_"))

    # 13. the same RGB JPEG as some encoders write it: no Adobe or JFIF marker, component ids 1, 2, 3 (which a JPEG
    #     decoder alone takes for YCbCr; the photometric interpretation RGB says no colour transform was applied)
    d = pydicom.dcmread("rgb-jpeg-rgb.dcm")
    frames = []
    for f in generate_pixel_data_frame(d.PixelData, int(d.NumberOfFrames)):
        f = bytearray(f)
        at = 2
        while at < len(f):
            marker, length = f[at + 1], (f[at + 2] << 8) | f[at + 3]
            if marker == 0xEE:  # APP14 "Adobe": dropped
                del f[at:at + 2 + length]
                continue
            if marker in (0xC0, 0xC1):
                for k in range(f[at + 9]):
                    f[at + 10 + 3 * k] = k + 1
            if marker == 0xDA:
                for k in range(f[at + 4]):
                    f[at + 5 + 2 * k] = f[at + 5 + 2 * k] - 81 if f[at + 5 + 2 * k] == 82 else (
                        2 if f[at + 5 + 2 * k] == 71 else 3 if f[at + 5 + 2 * k] == 66 else f[at + 5 + 2 * k])
                break
            at += 2 + length
        frames.append(bytes(f))
    d.PixelData = encapsulate(frames, has_bot=False)
    d["PixelData"].is_undefined_length = True
    d.save_as("rgb-jpeg-plain.dcm", write_like_original=False)
    for i in (0, 2):
        shutil.copy(f"expected/rgb-explicit_{i}.png", f"expected/rgb-jpeg-plain_{i}.png")

    # 14. colour JPEG labelled RGB that holds YCbCr: some scanners write photometric RGB over a JPEG encoder's
    #     usual output (YCbCr, chroma subsampled 4:2:0), without a JFIF or Adobe marker to say so; the subsampled
    #     chroma says it (no encoder subsamples R and B against G)
    d = pydicom.dcmread("rgb-jpeg-rgb.dcm")
    native = pydicom.dcmread("rgb-explicit.dcm").pixel_array
    frames = []
    for rgb in native:
        ok, jpg = cv2.imencode(".jpg", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 95])
        f = bytearray(jpg.tobytes())
        assert f[2:4] == b"\xff\xe0" and f[6:10] == b"JFIF", "OpenCV's JPEG starts with a JFIF marker"
        del f[2:4 + ((f[4] << 8) | f[5])]  # the JFIF marker dropped: nothing says how the colour is stored
        frames.append(bytes(f))
    d.PixelData = encapsulate(frames, has_bot=False)
    d["PixelData"].is_undefined_length = True
    d.PhotometricInterpretation = "RGB"
    d.save_as("rgb-jpeg-ycbcr.dcm", write_like_original=False)
    for i in (0, 2):
        shutil.copy(f"expected/rgb-explicit_{i}.png", f"expected/rgb-jpeg-ycbcr_{i}.png")

    # 11. the two other samples of ../shared/data/dicom (not copied here: the test reads them there when present)
    d = pydicom.dcmread("../../../../../../shared/data/dicom/OBXXXX1A_2frame.dcm")  # native palette colour
    rgb = apply_color_lut(d.pixel_array, d)
    cv2.imwrite("expected/OBXXXX1A_2frame_1.png", grey((rgb[1] >> 8).astype(np.uint8)))
    d = pydicom.dcmread("../../../../../../shared/data/dicom/US1_UNCR.dcm")  # native RGB, colour Doppler
    cv2.imwrite("expected/US1_UNCR_0.png", grey(d.pixel_array))


if __name__ == "__main__":
    main()
