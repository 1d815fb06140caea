#!/usr/bin/env python3
"""Recreate every file in Fixtures/images/ (the image fixtures the tests read).

The tests never run this script: they read the committed files. Run it by hand
after changing it (`python3 Fixtures/make_fixtures.py`); it deletes and rewrites
the whole of Fixtures/images/ but quality/ (make_quality_fixtures.py writes that),
checks its own results, and prints one line.
The output is deterministic: fixed seeds, no timestamps, no tIME/tEXt chunks.

Needs Python 3 with Pillow, plus cjpeg/djpeg (Debian: libjpeg-turbo-progs) and
pngcheck (Debian: pngcheck) on PATH.

Every colour picture is a gradient with a few seeded shapes and a solid red
square (RED_MARK) on its stored top-left corner, so orientation handling can be
checked from decoded pixels (png-rgb16.png has the mark too; grayscale pictures
show it as a flat dark square; png-gray16.png has none). JPEGs also get seeded
noise so they carry real entropy-coded data.

Fixtures (name: what it is / what it is for):

PNG, good
  png-gray8.png               8-bit grayscale (colour type 0), 80x64
  png-rgb8.png                8-bit RGB (colour type 2), 96x72
  png-rgba8.png               8-bit RGBA (colour type 6), 64x64, alpha gradient and a fully transparent hole
  png-palette.png             8-bit palette/indexed (colour type 3, PLTE), 72x64
  png-gray16.png              16-bit grayscale, 64x64, full 16-bit gradient (low bytes vary)
  png-rgb16.png               16-bit RGB, 64x64, full 16-bit gradients (low bytes vary)
  png-interlaced.png          Adam7-interlaced 8-bit RGB, 80x80, IDAT split into several chunks
  apng.png                    animated PNG, 3 frames (acTL/fcTL/fdAT), 64x64 RGB; frame 0 is the default image
  png-exif-orientation6.png   8-bit RGB 96x64 with an eXIf chunk (before IDAT) whose IFD0 Orientation = 6
PNG, bad
  png-truncated.png           valid RGB 96x72 PNG cut off in the middle of its IDAT data (no IEND)
  png-bad-crc.png             RGB 64x64 PNG with one IDAT data byte flipped; the flipped bit is padding inside
                              an empty stored deflate block, so inflate and Adler-32 still pass and only the
                              IDAT CRC is wrong
  png-bad-zlib.png            RGB 64x64 PNG whose deflate stream gets the reserved block type (11) half-way,
                              CRC recomputed; only inflating finds it
  png-trailing-data.png       valid RGB 64x64 PNG followed by 100 bytes of garbage after IEND
  png-huge-header.png         IHDR claims 100000x100000 RGB 8-bit (correct CRC), then a tiny IDAT (one row) and IEND
JPEG, good
  jpeg-baseline.jpg           baseline (SOF0) YCbCr 4:2:0, 96x72
  jpeg-progressive.jpg        progressive (SOF2) YCbCr, 96x72
  jpeg-gray.jpg               baseline single-component grayscale, 80x64
  jpeg-cmyk.jpg               baseline 4-component CMYK with Adobe APP14 marker, 64x64
  jpeg-arithmetic.jpg         arithmetic-coded sequential (SOF9), 64x64 (cjpeg -arithmetic)
  jpeg-exif-orientation-1.jpg .. jpeg-exif-orientation-8.jpg
                              baseline, stored 96x64, APP1 Exif IFD0 Orientation = 1..8
  jpeg-restart.jpg            baseline 96x72 with DRI and restart markers every MCU row (cjpeg -restart 1)
JPEG, bad or unusual
  jpeg-truncated.jpg          baseline 96x72 cut off in the middle of its entropy-coded data (no EOI)
  jpeg-corrupt-entropy.jpg    baseline 96x72, 16 bytes mid-scan replaced by garbage without 0xFF; same length, EOI intact
  jpeg-trailing-data.jpg      valid baseline 96x72 followed by 100 bytes of non-JPEG garbage after EOI
  jpeg-12bit.jpg              baseline JPEG patched to SOF1 with precision 12 (header claims 12-bit extended)
  jpeg-lossless.jpg           baseline JPEG with its SOF marker patched to SOF3 (header claims lossless)
Other formats (content sniffing)
  gif-named.jpg               a real GIF 64x64 saved under a .jpg name
  webp-image.webp             a real WebP (lossy VP8) 64x64
  bmp-image.bmp               a real BMP 64x64 24-bit
  tiff-image.tif              a real TIFF 64x64 RGB, LZW
  heic-header.heic            ISO-BMFF start: ftyp box brand 'heic' + meta/hdlr 'pict' + free; not decodable
  avif-header.avif            ISO-BMFF start: ftyp box brand 'avif' + meta/hdlr 'pict' + free; not decodable
  text-named.png              a plain text file named .png
  empty.jpg                   0 bytes
  png-named.jpg               byte-for-byte copy of png-rgb8.png under a .jpg name
Dimension limits (valid 8-bit RGB PNGs; the two big ones are flat colours and a few shapes)
  png-small-32x48.png         32x48 (the usual gradient picture), below the 64 px minimum side
  png-wide-1300x64.png        1300x64, aspect ratio 20.3:1 (over 20:1), both sides within 64..4096
  png-oversize-4200x300.png   4200x300, one side over 4096 (aspect 14:1)
  png-2560x1440.png           2560x1440, longer side over 1280: the service scales it by 0.5
For dataset examples
  jpeg-640x480.jpg            baseline 640x480 photo-like picture: textured background and three
                              shapes with known boxes (PHOTO_SHAPES), for bounding-box examples
  jpeg-640x480-half.jpg       the same picture resized to 320x240 (image_size mismatch examples)
  jpeg-exif-orientation-6-640x480.jpg
                              the same picture, stored 640x480, APP1 Exif Orientation = 6
  png-palette-96x96.png       palette PNG 96x96 (unusual encoding, valid dimensions)
  png-rgb16-96x96.png         16-bit RGB PNG 96x96 (unusual encoding, valid dimensions)
  jpeg-baseline-copy.jpg      byte-for-byte copy of jpeg-baseline.jpg (duplicate content)
Also: README.md, a table of the above, generated from FIXTURES below.
"""

import io
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import warnings
import zlib

from PIL import Image, ImageDraw, ImageOps

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "images")
RED_MARK = (255, 0, 0)
MAX_BYTES = 20 * 1024

# The shapes drawn on jpeg-640x480.jpg (and its half-size and Orientation-6 twins):
# (label, (left, top, width, height)) in stored pixels; every value is even, so halving is exact.
PHOTO_SHAPES = [
    ("circle", (64, 48, 192, 192)),
    ("square", (352, 96, 160, 160)),
    ("triangle", (192, 288, 224, 160)),
]
PHOTO_COLOURS = [(200, 40, 40), (40, 80, 190), (230, 190, 30)]  # lit top; the fill darkens downwards
PHOTO_BOXES = "; ".join("%s %d, %d, %d, %d" % ((k,) + b) for k, b in PHOTO_SHAPES)

# (file name, what it is) -- the single list that drives building, checking and README.md.
FIXTURES = [
    ("png-gray8.png", "PNG, good: 8-bit grayscale (colour type 0), 80x64"),
    ("png-rgb8.png", "PNG, good: 8-bit RGB (colour type 2), 96x72"),
    ("png-rgba8.png", "PNG, good: 8-bit RGBA (colour type 6), 64x64, alpha gradient with a fully transparent hole"),
    ("png-palette.png", "PNG, good: 8-bit palette/indexed (colour type 3, PLTE), 72x64"),
    ("png-gray16.png", "PNG, good: 16-bit grayscale, 64x64, full 16-bit gradient"),
    ("png-rgb16.png", "PNG, good: 16-bit RGB, 64x64, full 16-bit gradients"),
    ("png-interlaced.png", "PNG, good: Adam7-interlaced 8-bit RGB, 80x80, IDAT split over several chunks"),
    ("apng.png", "PNG, good: animated PNG, 3 frames (acTL, fcTL, fdAT), 64x64 RGB; frame 0 is the default image"),
    ("png-exif-orientation6.png", "PNG, good: 8-bit RGB 96x64 with an eXIf chunk (before IDAT), IFD0 Orientation = 6"),
    ("png-truncated.png", "PNG, bad: valid RGB 96x72 PNG cut off in the middle of its IDAT data (no IEND); "
     "libpng: 'Read Error' from the read callback"),
    ("png-bad-crc.png", "PNG, bad: RGB 64x64 with one IDAT data byte flipped (a padding bit that inflate ignores), "
     "so only the IDAT CRC is wrong; libpng: 'IDAT: CRC error'"),
    ("png-bad-zlib.png", "PNG, bad: RGB 64x64 with IDAT data corrupted (reserved deflate block type half-way) "
     "but the CRC recomputed; only inflating finds it; libpng: 'IDAT: invalid block type'"),
    ("png-trailing-data.png", "PNG, unusual: valid RGB 64x64 PNG followed by 100 bytes of garbage after IEND; "
     "libpng and Pillow decode it, pngcheck complains"),
    ("png-huge-header.png", "PNG, bad: IHDR claims 100000x100000 RGB 8-bit (correct CRC; 30 GB decoded), "
     "then a tiny one-row IDAT and IEND; 370 bytes on disk"),
    ("jpeg-baseline.jpg", "JPEG, good: baseline (SOF0) YCbCr 4:2:0, 96x72"),
    ("jpeg-progressive.jpg", "JPEG, good: progressive (SOF2) YCbCr 4:2:0, 96x72"),
    ("jpeg-gray.jpg", "JPEG, good: baseline single-component grayscale, 80x64"),
    ("jpeg-cmyk.jpg", "JPEG, good: baseline CMYK (4 components) with Adobe APP14 marker, 64x64"),
    ("jpeg-arithmetic.jpg", "JPEG, good: arithmetic-coded sequential (SOF9), 64x64"),
] + [
    ("jpeg-exif-orientation-%d.jpg" % n,
     "JPEG, good: baseline 4:2:0, stored 96x64, APP1 Exif IFD0 Orientation = %d%s"
     % (n, " (displayed 64x96)" if n >= 5 else ""))
    for n in range(1, 9)
] + [
    ("jpeg-restart.jpg", "JPEG, good: baseline 4:2:0 96x72 with DRI and a restart marker after every MCU row (RST0..RST3)"),
    ("jpeg-truncated.jpg", "JPEG, bad: baseline 96x72 cut off in the middle of its entropy-coded data (no EOI); "
     "djpeg warns 'Premature end of JPEG file' (exit 2)"),
    ("jpeg-corrupt-entropy.jpg", "JPEG, bad: baseline 96x72 with 16 bytes mid-scan replaced by garbage (no 0xFF); "
     "same length, EOI intact; djpeg warns 'Corrupt JPEG data: ...' (exit 2)"),
    ("jpeg-trailing-data.jpg", "JPEG, unusual: valid baseline 96x72 followed by 100 bytes of non-JPEG garbage "
     "(ASCII, no 0xFF) after EOI; djpeg decodes it silently"),
    ("jpeg-12bit.jpg", "JPEG, unsupported: baseline data with the SOF patched to SOF1 and precision 12 (claims 12-bit); "
     "djpeg fails 'Unsupported JPEG data precision 12'"),
    ("jpeg-lossless.jpg", "JPEG, unsupported: baseline data with the SOF marker patched to SOF3 (claims lossless); "
     "djpeg fails 'Unsupported JPEG process: SOF type 0xc3'"),
    ("gif-named.jpg", "Other: a real GIF 64x64 saved under a .jpg name"),
    ("webp-image.webp", "Other: a real WebP (lossy VP8) 64x64"),
    ("bmp-image.bmp", "Other: a real BMP 64x64, 24-bit"),
    ("tiff-image.tif", "Other: a real TIFF 64x64 RGB, LZW-compressed"),
    ("heic-header.heic", "Other: ISO-BMFF ftyp box, brand 'heic', then meta/hdlr 'pict' and free; not a decodable image"),
    ("avif-header.avif", "Other: ISO-BMFF ftyp box, brand 'avif', then meta/hdlr 'pict' and free; not a decodable image"),
    ("text-named.png", "Other: a plain text file named .png"),
    ("empty.jpg", "Other: an empty file (0 bytes) named .jpg"),
    ("png-named.jpg", "Other: byte-for-byte copy of png-rgb8.png under a .jpg name"),
    ("png-small-32x48.png", "Limits: 8-bit RGB PNG 32x48, below the 64 px minimum side"),
    ("png-wide-1300x64.png", "Limits: 8-bit RGB PNG 1300x64, aspect ratio 20.3:1 (over 20:1); "
     "both sides within 64..4096"),
    ("png-oversize-4200x300.png", "Limits: 8-bit RGB PNG 4200x300, width over 4096 (aspect 14:1); flat colours"),
    ("png-2560x1440.png", "Limits: 8-bit RGB PNG 2560x1440, longer side over 1280, so the service scales it "
     "by 0.5 (to 1280x720); flat colours"),
    ("jpeg-640x480.jpg", "Dataset: baseline 4:2:0 JPEG 640x480, textured background, three shapes with "
     "boxes (left, top, width, height) " + PHOTO_BOXES),
    ("jpeg-640x480-half.jpg", "Dataset: the same picture resized to 320x240 (boxes exactly halved), baseline 4:2:0"),
    ("jpeg-exif-orientation-6-640x480.jpg", "Dataset: the same picture, stored 640x480 (same boxes), APP1 Exif "
     "Orientation = 6 (displayed 480x640)"),
    ("png-palette-96x96.png", "Dataset: 8-bit palette PNG (colour type 3, PLTE) 96x96, valid dimensions"),
    ("png-rgb16-96x96.png", "Dataset: 16-bit RGB PNG 96x96, valid dimensions"),
    ("jpeg-baseline-copy.jpg", "Dataset: byte-for-byte copy of jpeg-baseline.jpg (duplicate content)"),
]


class CheckFailed(Exception):
    pass


def check(cond, what):
    if not cond:
        raise CheckFailed(what)


# --------------------------------------------------------------------------- pictures

def scene(w, h, seed, noise=0):
    """An RGB picture: three-way gradient, a few seeded shapes, red square at top-left."""
    rnd = random.Random(seed)
    px = bytearray()
    for y in range(h):
        for x in range(w):
            px += bytes((
                (255 * x) // (w - 1),
                (255 * y) // (h - 1),
                255 - (255 * (x + y)) // (w + h - 2),
            ))
    img = Image.frombytes("RGB", (w, h), bytes(px))
    d = ImageDraw.Draw(img)
    m = min(w, h)
    for i in range(5):
        x0, y0 = rnd.randrange(m // 4, w - m // 4), rnd.randrange(m // 4, h - 4)
        x1, y1 = x0 + rnd.randrange(6, m // 2), y0 + rnd.randrange(6, m // 2)
        colour = (rnd.randrange(256), rnd.randrange(256), rnd.randrange(256))
        kind = i % 3
        if kind == 0:
            d.ellipse((x0, y0, x1, y1), fill=colour, outline=(0, 0, 0))
        elif kind == 1:
            d.rectangle((x0, y0, x1, y1), fill=colour)
        else:
            d.polygon([(x0, y1), ((x0 + x1) // 2, y0), (x1, y1)], fill=colour, outline=(255, 255, 255))
    d.line((0, h - 1, w - 1, h // 3), fill=(255, 255, 255), width=2)
    mark = max(8, m // 5)
    d.rectangle((0, 0, mark - 1, mark - 1), fill=RED_MARK)
    if noise:
        data = bytearray(img.tobytes())
        for i in range(len(data)):
            data[i] = max(0, min(255, data[i] + rnd.randint(-noise, noise)))
        img = Image.frombytes("RGB", (w, h), bytes(data))
    return img


def gradient16(w, h, phase, sx=520, sy=500):
    """16-bit samples (0..65535) of a smooth field, so low bytes vary too.
    (w - 1) * sx + (h - 1) * sy + 3 * 97 must stay below 65536."""
    out = []
    for y in range(h):
        row = []
        for x in range(w):
            v = x * sx + y * sy + phase * 97
            if (x - w // 2) ** 2 + (y - h // 2) ** 2 < (w // 5) ** 2:
                v = 65535 - v
            row.append(v)
        out.append(row)
    return out


def flat_scene(w, h, seed):
    """Flat colours only (background, a band, a few shapes, red mark): big sizes stay tiny."""
    rnd = random.Random(seed)
    img = Image.new("RGB", (w, h), (rnd.randrange(96, 160), rnd.randrange(96, 160), rnd.randrange(96, 160)))
    d = ImageDraw.Draw(img)
    d.rectangle((0, h * 2 // 3, w - 1, h - 1), fill=(60, 90, 60))
    m = min(w, h)
    for i in range(6):
        s = rnd.randrange(m // 6, m // 2)
        x0, y0 = rnd.randrange(0, w - s), rnd.randrange(0, h - s)
        colour = (rnd.randrange(256), rnd.randrange(256), rnd.randrange(256))
        if i % 2:
            d.ellipse((x0, y0, x0 + s - 1, y0 + s - 1), fill=colour)
        else:
            d.rectangle((x0, y0, x0 + s - 1, y0 + s - 1), fill=colour)
    d.rectangle((0, 0, 31, 31), fill=RED_MARK)
    return img


def shape_mask(size, kind, box):
    """L mask of one PHOTO_SHAPES shape; its getbbox() is exactly the box."""
    left, top, w, h = box
    mask = Image.new("L", size)
    d = ImageDraw.Draw(mask)
    right, bottom = left + w - 1, top + h - 1
    if kind == "circle":
        d.ellipse((left, top, right, bottom), fill=255)
    elif kind == "square":
        d.rectangle((left, top, right, bottom), fill=255)
    else:
        d.polygon([(left, bottom), (right, bottom), (left + (w - 1) // 2, top), (left + w // 2, top)], fill=255)
    return mask


def photo(seed):
    """The 640x480 picture of jpeg-640x480.jpg: a smooth seeded texture (coarse and fine random
    grids, resized and colourised), the PHOTO_SHAPES with shaded fills, and a 32 px red mark."""
    w, h = 640, 480
    rnd = random.Random(seed)

    def grid(gw, gh, resample):
        g = Image.new("L", (gw, gh))
        g.putdata([rnd.randrange(256) for _ in range(gw * gh)])
        return g.resize((w, h), resample)
    texture = Image.blend(grid(w // 40 + 2, h // 40 + 2, Image.Resampling.BICUBIC),
                          grid(w // 12, h // 12, Image.Resampling.BILINEAR), 0.25)
    img = ImageOps.colorize(texture, (120, 100, 80), (185, 165, 135))
    shade = Image.linear_gradient("L").resize((w, h))
    for (kind, box), colour in zip(PHOTO_SHAPES, PHOTO_COLOURS):
        dark = tuple(c * 3 // 5 for c in colour)
        img.paste(ImageOps.colorize(shade, colour, dark), (0, 0), shape_mask((w, h), kind, box))
    ImageDraw.Draw(img).rectangle((0, 0, 31, 31), fill=RED_MARK)
    return img


# --------------------------------------------------------------------------- PNG writer

PNG_SIG = b"\x89PNG\r\n\x1a\n"
ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]


def chunk(typ, data):
    return struct.pack(">I", len(data)) + typ + data + struct.pack(">I", zlib.crc32(typ + data) & 0xFFFFFFFF)


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def filter_rows(rows, bpp):
    """Filter each row with whichever of the five PNG filters minimises sum(|signed byte|)."""
    out = bytearray()
    prev = bytes(len(rows[0])) if rows else b""
    for row in rows:
        best = None
        for ft in range(5):
            f = bytearray(len(row))
            for i, x in enumerate(row):
                a = row[i - bpp] if i >= bpp else 0
                b = prev[i]
                c = prev[i - bpp] if i >= bpp else 0
                pred = (0, a, b, (a + b) // 2, paeth(a, b, c))[ft]
                f[i] = (x - pred) & 0xFF
            score = sum(v if v < 128 else 256 - v for v in f)
            if best is None or score < best[0]:
                best = (score, ft, f)
        out.append(best[1])
        out += best[2]
        prev = row
    return bytes(out)


def image_data(rows, bpp, interlace):
    """Filtered (and, if asked, Adam7-split) scanline data, before compression.
    rows: list of lists of per-pixel byte strings."""
    if not interlace:
        return filter_rows([b"".join(r) for r in rows], bpp)
    h, w = len(rows), len(rows[0])
    out = b""
    for x0, y0, dx, dy in ADAM7:
        sub = [b"".join(rows[y][x] for x in range(x0, w, dx)) for y in range(y0, h, dy)]
        if sub and sub[0]:
            out += filter_rows(sub, bpp)
    return out


def png_bytes(rows, bit_depth, colour_type, interlace=False, before_idat=(), idat_split=None):
    """rows: list of rows, each a list of pixels, each pixel a bytes object (big-endian samples)."""
    h, w = len(rows), len(rows[0])
    bpp = len(rows[0][0])
    ihdr = struct.pack(">IIBBBBB", w, h, bit_depth, colour_type, 0, 0, 1 if interlace else 0)
    z = zlib.compress(image_data(rows, bpp, interlace), 9)
    parts = [PNG_SIG, chunk(b"IHDR", ihdr)]
    parts += [chunk(t, d) for t, d in before_idat]
    step = idat_split or len(z)
    parts += [chunk(b"IDAT", z[i:i + step]) for i in range(0, len(z), step)]
    parts.append(chunk(b"IEND", b""))
    return b"".join(parts)


def png_unfiltered(img):
    """8-bit RGB PNG with filter type 0 on every row: fast for big flat pictures, which
    deflate shrinks about a thousandfold anyway."""
    w, h = img.size
    data, stride = img.tobytes(), 3 * w
    raw = b"".join(b"\x00" + data[y * stride:(y + 1) * stride] for y in range(h))
    return b"".join([PNG_SIG, chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)),
                     chunk(b"IDAT", zlib.compress(raw, 9)), chunk(b"IEND", b"")])


def rows_of(img):
    """Pillow image (L, RGB or RGBA) -> rows of per-pixel byte strings."""
    n = len(img.getbands())
    data = img.tobytes()
    w, h = img.size
    return [[data[(y * w + x) * n:(y * w + x + 1) * n] for x in range(w)] for y in range(h)]


def png_chunks(data):
    """[(type, data_offset, length)] of every chunk of a whole PNG."""
    check(data[:8] == PNG_SIG, "PNG signature")
    i, out = 8, []
    while i + 8 <= len(data):
        n = struct.unpack(">I", data[i:i + 4])[0]
        out.append((data[i + 4:i + 8], i + 8, n))
        i += 12 + n
    return out


def find_chunk(data, typ):
    return [c for c in png_chunks(data) if c[0] == typ]


def exif_tiff(orientation):
    """TIFF bytes (no 'Exif\\0\\0' prefix) with IFD0 Orientation, from Pillow's Image.Exif."""
    e = Image.Exif()
    e[0x0112] = orientation
    b = e.tobytes()
    check(b.startswith(b"Exif\x00\x00"), "Pillow Exif.tobytes prefix")
    return b[6:]


# --------------------------------------------------------------------------- JPEG helpers

def jpeg_layout(data):
    """(segments, scan_start) for a single-scan file: segments are (marker, offset of 0xFF)."""
    check(data[:2] == b"\xff\xd8", "JPEG SOI")
    i, segs = 2, []
    while True:
        check(data[i] == 0xFF, "JPEG marker at %d" % i)
        while data[i] == 0xFF:
            i += 1
        m = data[i]
        n = struct.unpack(">H", data[i + 1:i + 3])[0]
        segs.append((m, i - 1))
        if m == 0xDA:
            return segs, i + 1 + n
        i += 1 + n


def sof_offset(data):
    segs, _ = jpeg_layout(data)
    sofs = [off for m, off in segs if 0xC0 <= m <= 0xCF and m not in (0xC4, 0xC8, 0xCC)]
    check(len(sofs) == 1, "exactly one SOF")
    return sofs[0]


def sof_info(data):
    off = sof_offset(data)
    marker, prec = data[off + 1], data[off + 4]
    h, w, nc = struct.unpack(">HHB", data[off + 5:off + 10])
    comps = [data[off + 10 + 3 * k:off + 13 + 3 * k] for k in range(nc)]
    return marker, prec, w, h, [(c[0], c[1]) for c in comps]


def pillow_jpeg(img, **kw):
    buf = io.BytesIO()
    img.save(buf, "JPEG", **kw)
    return buf.getvalue()


def run(args, **kw):
    return subprocess.run(args, capture_output=True, **kw)


def djpeg(path):
    """(exit code, stderr text) of decoding with djpeg."""
    r = run(["djpeg", "-outfile", os.devnull, path])
    return r.returncode, r.stderr.decode("latin-1")


def pngcheck(path):
    r = run(["pngcheck", path])
    return r.returncode, r.stdout.decode("latin-1") + r.stderr.decode("latin-1")


def pillow_load(path):
    """(ok, format, size, mode, error text) from a full Pillow decode."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            with Image.open(path) as im:
                fmt, size, mode = im.format, im.size, im.mode
                im.load()
            return True, fmt, size, mode, ""
        except Exception as e:  # noqa: BLE001 - any failure is the answer
            return False, None, None, None, "%s: %s" % (type(e).__name__, e)


# --------------------------------------------------------------------------- builders

def build_all(tmp):
    f = {}

    # ---- PNG, good
    f["png-gray8.png"] = png_bytes(rows_of(scene(80, 64, 1).convert("L")), 8, 0)
    rgb8 = png_bytes(rows_of(scene(96, 72, 2)), 8, 2)
    f["png-rgb8.png"] = rgb8

    rgba = scene(64, 64, 3).convert("RGBA")
    alpha = Image.new("L", (64, 64))
    alpha.putdata([max(0, 255 - 3 * max(abs(x - 40), abs(y - 40))) // 2 + 127 for y in range(64) for x in range(64)])
    ImageDraw.Draw(alpha).ellipse((36, 36, 52, 52), fill=0)
    rgba.putalpha(alpha)
    f["png-rgba8.png"] = png_bytes(rows_of(rgba), 8, 6)

    pal_img = scene(72, 64, 4).quantize(colors=48, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    pal = pal_img.getpalette()[:3 * 48]
    idx = pal_img.tobytes()
    f["png-palette.png"] = png_bytes(
        [[idx[y * 72 + x:y * 72 + x + 1] for x in range(72)] for y in range(64)], 8, 3,
        before_idat=[(b"PLTE", bytes(pal))])

    g16 = gradient16(64, 64, 0)
    f["png-gray16.png"] = png_bytes([[struct.pack(">H", v) for v in row] for row in g16], 16, 0)
    r16, gg16, b16 = gradient16(64, 64, 1), gradient16(64, 64, 2), gradient16(64, 64, 3)
    f["png-rgb16.png"] = png_bytes(
        [[struct.pack(">HHH", *((65535, 0, 0) if x < 12 and y < 12 else
                                (r16[y][x], 65535 - gg16[y][x], b16[y][x] // 2))) for x in range(64)]
         for y in range(64)],
        16, 2)

    f["png-interlaced.png"] = png_bytes(rows_of(scene(80, 80, 5)), 8, 2, interlace=True, idat_split=1024)

    frames = [rows_of(scene(64, 64, 10 + k)) for k in range(3)]
    z = [zlib.compress(image_data(fr, 3, False), 9) for fr in frames]

    def fctl(seq):
        return chunk(b"fcTL", struct.pack(">IIIIIHHBB", seq, 64, 64, 0, 0, 1, 4, 0, 0))
    f["apng.png"] = b"".join([
        PNG_SIG, chunk(b"IHDR", struct.pack(">IIBBBBB", 64, 64, 8, 2, 0, 0, 0)),
        chunk(b"acTL", struct.pack(">II", 3, 0)),
        fctl(0), chunk(b"IDAT", z[0]),
        fctl(1), chunk(b"fdAT", struct.pack(">I", 2) + z[1]),
        fctl(3), chunk(b"fdAT", struct.pack(">I", 4) + z[2]),
        chunk(b"IEND", b""),
    ])

    f["png-exif-orientation6.png"] = png_bytes(rows_of(scene(96, 64, 6)), 8, 2,
                                               before_idat=[(b"eXIf", exif_tiff(6))])

    # ---- PNG, bad
    base = png_bytes(rows_of(scene(96, 72, 7)), 8, 2)
    _, off, n = find_chunk(base, b"IDAT")[0]
    f["png-truncated.png"] = base[:off + n // 2]

    # Bad CRC and bad zlib share one base whose deflate stream has a Z_FULL_FLUSH half-way:
    # the flush ends the current block with an empty stored block (3 header bits, padding to
    # a byte boundary, 00 00 FF FF) and starts the next block on a byte boundary.
    rows = rows_of(scene(64, 64, 8))
    raw = image_data(rows, 3, False)
    half = (len(raw) // 2) // (1 + 64 * 3) * (1 + 64 * 3)  # a row boundary
    co = zlib.compressobj(9)
    head = co.compress(raw[:half]) + co.flush(zlib.Z_FULL_FLUSH)
    z = head + co.compress(raw[half:]) + co.flush()
    check(head.endswith(b"\x00\x00\xff\xff"), "full flush ends in an empty stored block")
    check(zlib.decompress(z) == raw, "flushed stream round-trips")

    def with_idat(zdata):
        return b"".join([PNG_SIG, chunk(b"IHDR", struct.pack(">IIBBBBB", 64, 64, 8, 2, 0, 0, 0)),
                         chunk(b"IDAT", zdata), chunk(b"IEND", b"")])
    base = with_idat(z)

    # png-bad-crc: flip a padding bit of the empty stored block's header byte. Inflate ignores
    # those bits, so the pixels and the Adler-32 are untouched: only the chunk CRC is wrong.
    at = len(head) - 5
    for bit in range(7, -1, -1):
        cand = bytearray(z)
        cand[at] ^= 1 << bit
        try:
            if zlib.decompress(bytes(cand)) == raw:
                break
        except zlib.error:
            pass
    else:
        raise CheckFailed("no padding bit to flip")
    _, off, n = find_chunk(base, b"IDAT")[0]
    bad = bytearray(base)
    bad[off + at] ^= 1 << bit
    f["png-bad-crc.png"] = bytes(bad)

    # png-bad-zlib: give the block after the flush the reserved BTYPE 11; inflate fails there
    # ("invalid block type") after the first half of the rows; the CRC is recomputed.
    cand = bytearray(z)
    cand[len(head)] |= 0b110
    f["png-bad-zlib.png"] = with_idat(bytes(cand))

    f["png-trailing-data.png"] = base + bytes(random.Random(11).randrange(256) for _ in range(100))

    row = zlib.compress(b"\x00" + bytes(3 * 100000), 9)
    f["png-huge-header.png"] = b"".join([
        PNG_SIG, chunk(b"IHDR", struct.pack(">IIBBBBB", 100000, 100000, 8, 2, 0, 0, 0)),
        chunk(b"IDAT", row), chunk(b"IEND", b"")])

    # ---- JPEG, good
    f["jpeg-baseline.jpg"] = pillow_jpeg(scene(96, 72, 20, noise=6), quality=85, subsampling=2)
    f["jpeg-progressive.jpg"] = pillow_jpeg(scene(96, 72, 21, noise=6), quality=85, subsampling=2,
                                            progressive=True)
    f["jpeg-gray.jpg"] = pillow_jpeg(scene(80, 64, 22, noise=6).convert("L"), quality=85)
    f["jpeg-cmyk.jpg"] = pillow_jpeg(scene(64, 64, 23, noise=6).convert("CMYK"), quality=85)

    ppm = os.path.join(tmp, "arith.ppm")
    scene(64, 64, 24, noise=6).save(ppm)
    f["jpeg-arithmetic.jpg"] = run(["cjpeg", "-quality", "85", "-arithmetic", ppm], check=True).stdout

    for o in range(1, 9):
        e = Image.Exif()
        e[0x0112] = o
        f["jpeg-exif-orientation-%d.jpg" % o] = pillow_jpeg(scene(96, 64, 30 + o, noise=6), quality=85,
                                                            subsampling=2, exif=e)

    ppm = os.path.join(tmp, "restart.ppm")
    scene(96, 72, 25, noise=6).save(ppm)
    f["jpeg-restart.jpg"] = run(["cjpeg", "-quality", "85", "-restart", "1", ppm], check=True).stdout

    # ---- JPEG, bad or unusual
    base = pillow_jpeg(scene(96, 72, 40, noise=6), quality=85, subsampling=2)
    _, scan = jpeg_layout(base)
    check(base[-2:] == b"\xff\xd9", "base JPEG ends in EOI")
    cut = scan + (len(base) - 2 - scan) // 2
    while base[cut - 1] == 0xFF:
        cut += 1
    f["jpeg-truncated.jpg"] = base[:cut]

    rnd = random.Random(41)
    mid = scan + (len(base) - 2 - scan) // 2 - 8
    for attempt in range(200):
        at = mid + attempt % 16
        if base[at - 1] == 0xFF:
            continue
        garbage = bytes(rnd.randrange(0xFF) for _ in range(16))
        cand = base[:at] + garbage + base[at + 16:]
        p = os.path.join(tmp, "corrupt.jpg")
        with open(p, "wb") as fh:
            fh.write(cand)
        code, err = djpeg(p)
        if "Corrupt JPEG data" in err and code == 2:
            break
    else:
        raise CheckFailed("no garbage made djpeg report corrupt data")
    f["jpeg-corrupt-entropy.jpg"] = cand

    f["jpeg-trailing-data.jpg"] = base + (b"TRAILING-GARBAGE-" * 6)[:100]

    off = sof_offset(base)
    check(base[off + 1] == 0xC0 and base[off + 4] == 8, "base is SOF0, 8-bit")
    b12 = bytearray(base)
    b12[off + 1], b12[off + 4] = 0xC1, 12
    f["jpeg-12bit.jpg"] = bytes(b12)
    b3 = bytearray(base)
    b3[off + 1] = 0xC3
    f["jpeg-lossless.jpg"] = bytes(b3)

    # ---- other formats
    buf = io.BytesIO()
    scene(64, 64, 50).quantize(colors=64, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(buf, "GIF")
    f["gif-named.jpg"] = buf.getvalue()
    buf = io.BytesIO()
    scene(64, 64, 51).save(buf, "WEBP", quality=80, method=4)
    f["webp-image.webp"] = buf.getvalue()
    buf = io.BytesIO()
    scene(64, 64, 52).save(buf, "BMP")
    f["bmp-image.bmp"] = buf.getvalue()
    buf = io.BytesIO()
    scene(64, 64, 53).save(buf, "TIFF", compression="tiff_lzw")
    f["tiff-image.tif"] = buf.getvalue()
    f["heic-header.heic"] = isobmff(b"heic", [b"mif1", b"heic"])
    f["avif-header.avif"] = isobmff(b"avif", [b"avif", b"mif1", b"miaf"])
    f["text-named.png"] = (b"This is a plain text file, not a PNG image.\n"
                           b"Preflight must sniff content, not trust the .png extension.\n")
    f["empty.jpg"] = b""
    f["png-named.jpg"] = rgb8

    # ---- dimension limits
    f["png-small-32x48.png"] = png_bytes(rows_of(scene(32, 48, 60)), 8, 2)
    f["png-wide-1300x64.png"] = png_bytes(rows_of(scene(1300, 64, 61)), 8, 2)
    f["png-oversize-4200x300.png"] = png_unfiltered(flat_scene(4200, 300, 62))
    f["png-2560x1440.png"] = png_unfiltered(flat_scene(2560, 1440, 63))

    # ---- for dataset examples
    pic = photo(70)
    f["jpeg-640x480.jpg"] = pillow_jpeg(pic, quality=75, subsampling=2)
    f["jpeg-640x480-half.jpg"] = pillow_jpeg(pic.resize((320, 240), Image.Resampling.LANCZOS),
                                             quality=75, subsampling=2)
    e = Image.Exif()
    e[0x0112] = 6
    f["jpeg-exif-orientation-6-640x480.jpg"] = pillow_jpeg(pic, quality=75, subsampling=2, exif=e)
    pal_img = scene(96, 96, 71).quantize(colors=48, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    idx = pal_img.tobytes()
    f["png-palette-96x96.png"] = png_bytes(
        [[idx[y * 96 + x:y * 96 + x + 1] for x in range(96)] for y in range(96)], 8, 3,
        before_idat=[(b"PLTE", bytes(pal_img.getpalette()[:3 * 48]))])
    r16, gg16, b16 = (gradient16(96, 96, k, 340, 330) for k in (1, 2, 3))
    f["png-rgb16-96x96.png"] = png_bytes(
        [[struct.pack(">HHH", *((65535, 0, 0) if x < 16 and y < 16 else
                                (r16[y][x], 65535 - gg16[y][x], b16[y][x] // 2))) for x in range(96)]
         for y in range(96)],
        16, 2)
    f["jpeg-baseline-copy.jpg"] = f["jpeg-baseline.jpg"]
    return f


def box(typ, payload):
    return struct.pack(">I", 8 + len(payload)) + typ + payload


def isobmff(brand, compatible):
    ftyp = box(b"ftyp", brand + struct.pack(">I", 0) + b"".join(compatible))
    hdlr = box(b"hdlr", bytes(4) + bytes(4) + b"pict" + bytes(12) + b"\x00")  # FullBox v0, pre_defined, type, reserved, name ""
    meta = box(b"meta", bytes(4) + hdlr)
    free = box(b"free", bytes(256))
    return ftyp + meta + free


# --------------------------------------------------------------------------- checks

def verify(files):
    names = [n for n, _ in FIXTURES]
    check(sorted(files) == sorted(names), "built set == FIXTURES")
    check(len(set(names)) == len(names), "no duplicate names")
    for n in names:
        check(n in __doc__ or n.startswith("jpeg-exif-orientation-"), "docstring lists " + n)
        size = os.path.getsize(os.path.join(OUT, n))
        check(size <= MAX_BYTES, "%s is %d bytes, over %d" % (n, size, MAX_BYTES))

    def p(n):
        return os.path.join(OUT, n)

    # PNG, good: pngcheck OK, Pillow decodes, IHDR as promised.
    good_png = {
        "png-gray8.png": (80, 64, 8, 0, 0), "png-rgb8.png": (96, 72, 8, 2, 0),
        "png-rgba8.png": (64, 64, 8, 6, 0), "png-palette.png": (72, 64, 8, 3, 0),
        "png-gray16.png": (64, 64, 16, 0, 0), "png-rgb16.png": (64, 64, 16, 2, 0),
        "png-interlaced.png": (80, 80, 8, 2, 1), "apng.png": (64, 64, 8, 2, 0),
        "png-exif-orientation6.png": (96, 64, 8, 2, 0),
        "png-small-32x48.png": (32, 48, 8, 2, 0), "png-wide-1300x64.png": (1300, 64, 8, 2, 0),
        "png-oversize-4200x300.png": (4200, 300, 8, 2, 0), "png-2560x1440.png": (2560, 1440, 8, 2, 0),
        "png-palette-96x96.png": (96, 96, 8, 3, 0), "png-rgb16-96x96.png": (96, 96, 16, 2, 0),
    }
    for n, (w, h, depth, ctype, il) in good_png.items():
        d = files[n]
        code, out = pngcheck(p(n))
        check(code == 0, "pngcheck accepts %s: %s" % (n, out))
        ok, fmt, size, _, err = pillow_load(p(n))
        check(ok and fmt == "PNG" and size == (w, h), "Pillow decodes %s: %s" % (n, err))
        t, off, _ = png_chunks(d)[0]
        check(t == b"IHDR" and struct.unpack(">IIBBBBB", d[off:off + 13]) == (w, h, depth, ctype, 0, 0, il),
              "IHDR of " + n)
        check(not find_chunk(d, b"tIME") and not find_chunk(d, b"tEXt"), "no tIME/tEXt in " + n)
    with Image.open(p("png-gray16.png")) as im:
        got = [im.getpixel((x, y)) for y in range(64) for x in range(64)]
    want = [v for row in gradient16(64, 64, 0) for v in row]
    check(got == want and len({v & 0xFF for v in want}) > 64, "png-gray16.png decodes to full 16-bit values")
    check(len(find_chunk(files["png-interlaced.png"], b"IDAT")) > 1, "interlaced has several IDATs")
    with Image.open(p("apng.png")) as im:
        check(getattr(im, "n_frames", 1) == 3 and im.is_animated, "apng has 3 frames")
        for k in range(3):
            im.seek(k)
            im.load()
    check(find_chunk(files["apng.png"], b"acTL"), "apng has acTL")
    with Image.open(p("png-exif-orientation6.png")) as im:
        check(im.getexif().get(0x0112) == 6, "PNG eXIf Orientation 6")
    with Image.open(p("png-rgb8.png")) as im:
        check(im.convert("RGB").getpixel((1, 1)) == RED_MARK, "red mark at top-left")

    # PNG, bad
    for n, words in (("png-truncated.png", "EOF while reading"), ("png-bad-crc.png", "CRC error"),
                     ("png-bad-zlib.png", "inflate error")):
        code, out = pngcheck(p(n))
        check(code != 0 and words.lower() in out.lower(), "pngcheck flags %s: %s" % (n, out))
    for n in ("png-truncated.png", "png-bad-zlib.png"):
        check(not pillow_load(p(n))[0], "Pillow fails on " + n)
    d = files["png-bad-crc.png"]
    _, off, ln = find_chunk(d, b"IDAT")[0]
    check(zlib.decompress(d[off:off + ln]) == zlib.decompress(files["png-trailing-data.png"][off:off + ln]),
          "bad-crc: IDAT still inflates to the right data")
    d = files["png-bad-zlib.png"]
    _, off, ln = find_chunk(d, b"IDAT")[0]
    try:
        zlib.decompress(d[off:off + ln])
        check(False, "bad-zlib inflates")
    except zlib.error as e:
        check("invalid block type" in str(e), "bad-zlib: %s" % e)
    d = files["png-bad-zlib.png"]
    _, off, ln = find_chunk(d, b"IDAT")[0]
    check(struct.unpack(">I", d[off + ln:off + ln + 4])[0] == zlib.crc32(b"IDAT" + d[off:off + ln]) & 0xFFFFFFFF,
          "bad-zlib CRC is correct")
    d = files["png-bad-crc.png"]
    _, off, ln = find_chunk(d, b"IDAT")[0]
    check(struct.unpack(">I", d[off + ln:off + ln + 4])[0] != zlib.crc32(b"IDAT" + d[off:off + ln]) & 0xFFFFFFFF,
          "bad-crc CRC is wrong")
    check(len(files["png-truncated.png"]) < find_chunk(files["png-truncated.png"], b"IDAT")[0][1]
          + find_chunk(files["png-truncated.png"], b"IDAT")[0][2], "truncated inside IDAT")
    code, out = pngcheck(p("png-trailing-data.png"))
    check(code != 0 and "after IEND" in out, "pngcheck flags trailing data: " + out)
    check(pillow_load(p("png-trailing-data.png"))[0], "Pillow decodes png-trailing-data.png")
    d = files["png-huge-header.png"]
    check(len(d) < 1024 and zlib.crc32(d[12:29]) & 0xFFFFFFFF == struct.unpack(">I", d[29:33])[0],
          "huge header tiny, IHDR CRC right")
    code, out = run(["pngcheck", "-v", p("png-huge-header.png")]).stdout.decode(), None
    check("100000 x 100000 image" in code, "pngcheck reads the huge IHDR: " + code)
    ok, _, _, _, err = pillow_load(p("png-huge-header.png"))
    check(not ok and "DecompressionBomb" in err, "Pillow refuses png-huge-header.png: " + err)

    # JPEG, good: djpeg silent and exit 0, Pillow decodes, SOF as promised.
    good_jpeg = {
        "jpeg-baseline.jpg": (0xC0, 96, 72, [(1, 0x22), (2, 0x11), (3, 0x11)]),
        "jpeg-progressive.jpg": (0xC2, 96, 72, [(1, 0x22), (2, 0x11), (3, 0x11)]),
        "jpeg-gray.jpg": (0xC0, 80, 64, [(1, 0x11)]),
        "jpeg-cmyk.jpg": (0xC0, 64, 64, None),
        "jpeg-arithmetic.jpg": (0xC9, 64, 64, None),
        "jpeg-restart.jpg": (0xC0, 96, 72, None),
        "jpeg-trailing-data.jpg": (0xC0, 96, 72, None),
    }
    good_jpeg.update({
        "jpeg-640x480.jpg": (0xC0, 640, 480, [(1, 0x22), (2, 0x11), (3, 0x11)]),
        "jpeg-640x480-half.jpg": (0xC0, 320, 240, [(1, 0x22), (2, 0x11), (3, 0x11)]),
        "jpeg-exif-orientation-6-640x480.jpg": (0xC0, 640, 480, [(1, 0x22), (2, 0x11), (3, 0x11)]),
        "jpeg-baseline-copy.jpg": (0xC0, 96, 72, [(1, 0x22), (2, 0x11), (3, 0x11)]),
    })
    good_jpeg.update({"jpeg-exif-orientation-%d.jpg" % o: (0xC0, 96, 64, [(1, 0x22), (2, 0x11), (3, 0x11)])
                      for o in range(1, 9)})
    for n, (marker, w, h, comps) in good_jpeg.items():
        code, err = djpeg(p(n))
        check(code == 0 and not err, "djpeg decodes %s cleanly: %s" % (n, err))
        ok, fmt, size, _, perr = pillow_load(p(n))
        check(ok and fmt == "JPEG" and size == (w, h), "Pillow decodes %s: %s" % (n, perr))
        m, prec, sw, sh, c = sof_info(files[n])
        check((m, prec, sw, sh) == (marker, 8, w, h), "SOF of " + n)
        if comps:
            check(c == comps, "components of %s: %r" % (n, c))
    check(len(sof_info(files["jpeg-cmyk.jpg"])[4]) == 4, "CMYK has 4 components")
    segs, _ = jpeg_layout(files["jpeg-cmyk.jpg"])
    check(any(m == 0xEE and files["jpeg-cmyk.jpg"][o + 4:o + 9] == b"Adobe" for m, o in segs),
          "CMYK has an Adobe APP14 segment")
    segs, scan = jpeg_layout(files["jpeg-restart.jpg"])
    check(any(m == 0xDD for m, _ in segs), "restart has DRI")
    ecs = files["jpeg-restart.jpg"][scan:]
    rst = re.findall(rb"\xff[\xd0-\xd7]", ecs)
    check(rst == [bytes((0xFF, 0xD0 + k)) for k in range(4)], "restart: RST0..RST3 between 5 MCU rows: %r" % rst)
    for o in range(1, 9):
        n = "jpeg-exif-orientation-%d.jpg" % o
        segs, _ = jpeg_layout(files[n])
        check(any(m == 0xE1 for m, _ in segs), "APP1 in " + n)
        with Image.open(p(n)) as im:
            check(im.getexif().get(0x0112) == o, "Orientation %d in %s" % (o, n))
    check(files["jpeg-trailing-data.jpg"][-102:-100] == b"\xff\xd9" and b"\xff" not in files["jpeg-trailing-data.jpg"][-100:],
          "trailing garbage after EOI")

    # JPEG, bad
    code, err = djpeg(p("jpeg-truncated.jpg"))
    check(code != 0 and "Premature end of JPEG file" in err, "djpeg flags truncation: " + err)
    check(not files["jpeg-truncated.jpg"].endswith(b"\xff\xd9"), "truncated has no EOI")
    d, base = files["jpeg-corrupt-entropy.jpg"], files["jpeg-trailing-data.jpg"][:-100]
    check(len(d) == len(base) and d.endswith(b"\xff\xd9"), "corrupt-entropy: same length, EOI")
    diff = [i for i in range(len(d)) if d[i] != base[i]]
    check(diff and diff[-1] - diff[0] < 16 and all(d[i] != 0xFF for i in range(diff[0], diff[0] + 16)),
          "corrupt-entropy: <=16 garbage bytes, no 0xFF")
    code, err = djpeg(p("jpeg-corrupt-entropy.jpg"))
    check(code == 2 and "Corrupt JPEG data" in err, "djpeg warns on corrupt entropy: " + err)
    code, err = djpeg(p("jpeg-12bit.jpg"))
    check(code == 1 and "precision 12" in err, "djpeg refuses 12-bit: " + err)
    check(sof_info(files["jpeg-12bit.jpg"])[:2] == (0xC1, 12), "12-bit SOF1")
    code, err = djpeg(p("jpeg-lossless.jpg"))
    check(code == 1 and re.search("0x?c3", err, re.I), "djpeg refuses lossless: " + err)
    check(sof_info(files["jpeg-lossless.jpg"])[0] == 0xC3, "lossless SOF3")
    for n in ("jpeg-12bit.jpg", "jpeg-lossless.jpg"):
        check(not pillow_load(p(n))[0], "Pillow refuses " + n)

    # Other formats
    for n, fmt in (("gif-named.jpg", "GIF"), ("webp-image.webp", "WEBP"), ("bmp-image.bmp", "BMP"),
                   ("tiff-image.tif", "TIFF")):
        ok, f, size, _, err = pillow_load(p(n))
        check(ok and f == fmt and size == (64, 64), "Pillow reads %s as %s: %s" % (n, fmt, err))
    check(files["gif-named.jpg"][:6] == b"GIF89a" or files["gif-named.jpg"][:6] == b"GIF87a", "GIF magic")
    check(files["webp-image.webp"][:4] == b"RIFF" and files["webp-image.webp"][8:12] == b"WEBP", "WebP magic")
    for n, brand in (("heic-header.heic", b"heic"), ("avif-header.avif", b"avif")):
        d = files[n]
        check(d[4:12] == b"ftyp" + brand and 200 < len(d) < 1000, "ftyp brand of " + n)
        check(sum(struct.unpack(">I", d[i:i + 4])[0] for i in boxes_at(d)) == len(d), "box sizes of " + n)
    check(files["empty.jpg"] == b"", "empty")
    check(files["png-named.jpg"] == files["png-rgb8.png"], "png-named copy")

    # Dimension limits and dataset examples
    for n, lo, hi in (("png-small-32x48.png", 32, 48), ("png-wide-1300x64.png", 64, 1300),
                      ("png-oversize-4200x300.png", 300, 4200), ("png-2560x1440.png", 1440, 2560)):
        with Image.open(p(n)) as im:
            check(sorted(im.size) == [lo, hi] and im.convert("RGB").getpixel((1, 1)) == RED_MARK,
                  "size and red mark of " + n)
    check(1300 / 64 > 20 and 4200 > 4096 and 4200 / 300 <= 20 and 32 < 64, "limit arithmetic")
    for n, o in (("jpeg-640x480.jpg", None), ("jpeg-640x480-half.jpg", None),
                 ("jpeg-exif-orientation-6-640x480.jpg", 6)):
        with Image.open(p(n)) as im:
            check(im.getexif().get(0x0112) == o, "Orientation of " + n)
            pic, scale = im.convert("RGB"), im.size[0] / 640
            check(pic.getpixel((2, 2))[0] > 200 and pic.getpixel((2, 2))[1] < 60, "red mark of " + n)
            for (kind, box), colour in zip(PHOTO_SHAPES, PHOTO_COLOURS):
                mask = shape_mask((640, 480), kind, box)
                check(mask.getbbox() == (box[0], box[1], box[0] + box[2], box[1] + box[3]), "mask box of " + kind)
                cx, cy = box[0] + box[2] // 2, box[1] + box[3] * 3 // 4
                t = cy / 479
                want = [c + (c * 3 // 5 - c) * t for c in colour]
                got = pic.getpixel((int(cx * scale), int(cy * scale)))
                check(all(abs(a - b) < 40 for a, b in zip(got, want)), "%s drawn in %s: %r" % (kind, n, got))
    check(all(v % 2 == 0 for _, b in PHOTO_SHAPES for v in b), "PHOTO_SHAPES halve exactly")
    check(files["jpeg-baseline-copy.jpg"] == files["jpeg-baseline.jpg"], "jpeg-baseline copy")
    check(not pillow_load(p("text-named.png"))[0], "text is not an image")


def boxes_at(d):
    i, out = 0, []
    while i < len(d):
        out.append(i)
        i += struct.unpack(">I", d[i:i + 4])[0]
    return out


def readme():
    lines = [
        "# Image fixtures",
        "",
        "Generated by `../make_fixtures.py` (do not edit by hand; run that script to recreate",
        "this folder). A solid red square marks the stored top-left corner of the colour pictures.",
        "",
        "| File | What it is |",
        "| --- | --- |",
    ]
    lines += ["| `%s` | %s |" % (n, what) for n, what in FIXTURES]
    return ("\n".join(lines) + "\n").encode()


def main():
    for tool in ("cjpeg", "djpeg", "pngcheck"):
        if not shutil.which(tool):
            sys.exit("make_fixtures.py: %s not found (apt-get install libjpeg-turbo-progs pngcheck)" % tool)
    with tempfile.TemporaryDirectory() as tmp:
        files = build_all(tmp)
    if os.path.isdir(OUT):
        for n in os.listdir(OUT):
            if n == "quality":  # make_quality_fixtures.py's own folder
                continue
            path = os.path.join(OUT, n)
            if os.path.isdir(path):
                shutil.rmtree(path)
            else:
                os.remove(path)
    else:
        os.makedirs(OUT)
    for n, data in files.items():
        with open(os.path.join(OUT, n), "wb") as fh:
            fh.write(data)
    with open(os.path.join(OUT, "README.md"), "wb") as fh:
        fh.write(readme())
    try:
        verify(files)
    except CheckFailed as e:
        sys.exit("make_fixtures.py: self-check failed: %s" % e)
    total = sum(len(d) for d in files.values())
    print("make_fixtures.py: wrote %d fixtures (%d bytes) + README.md to %s; all self-checks passed"
          % (len(files), total, "Fixtures/images"))


if __name__ == "__main__":
    main()
