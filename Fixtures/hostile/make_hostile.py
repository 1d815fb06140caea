#!/usr/bin/env python3
"""Recreate Fixtures/hostile/: small files built to break an image or manifest reader.

The tests read the committed files; run this by hand after changing it
(`python3 Fixtures/hostile/make_hostile.py`). It rewrites images/ and manifests/ and
the README, and needs only Python 3 (zlib, struct): every file is assembled byte by
byte, so the output is the same on every machine. Inputs too large to commit (a
100 MB manifest line, markers filling 17 MB, 100,000 levels of nesting) are made by the
tests themselves, in temporary folders.
"""
import os
import shutil
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
IMAGES = os.path.join(HERE, "images")
MANIFESTS = os.path.join(HERE, "manifests")
FIXTURES = os.path.join(HERE, "..", "images")

images = {}     # name -> (bytes, description)
manifests = {}  # name -> (bytes, description)


# PNG ----------------------------------------------------------------------------------

SIGNATURE = b"\x89PNG\r\n\x1a\n"


def chunk(kind, data, length=None):
    if length is None:
        length = len(data)
    return struct.pack(">I", length) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def ihdr(width, height, depth=8, colour=2, interlace=0):
    return chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, interlace))


IEND = chunk(b"IEND", b"")
RGB64 = b"".join(b"\x00" + bytes((x * 4 + y) & 0xFF for x in range(64 * 3)) for y in range(64))
SMALL_IDAT = chunk(b"IDAT", zlib.compress(RGB64, 9))


def png(name, data, what):
    images[name] = (data, what)


png("png-width-2g.png", SIGNATURE + ihdr(0x7FFFFFFF, 1) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + IEND,
    "IHDR declares 2,147,483,647 x 1 RGB (the PNG maximum width); a few bytes of IDAT")
png("png-wide-row.png", SIGNATURE + ihdr(100_000_000, 1, 16, 6) + chunk(b"IDAT", zlib.compress(b"\x00" * 1000)) + IEND,
    "IHDR declares 100,000,000 x 1 16-bit RGBA: within the default pixel limit, but one row is 800 MB")
png("png-zlib-bomb.png", SIGNATURE + ihdr(10000, 10000, 8, 0)
    + chunk(b"IDAT", zlib.compress((b"\x00" + bytes(10000)) * 10000, 9)) + IEND,
    "valid 10000 x 10000 grayscale, all black: 97 KB of IDAT inflate to 100 MB")
surplus = zlib.compressobj(9)
surplus_data = surplus.compress(RGB64) + surplus.compress(b"\x00" * (256 << 20)) + surplus.flush()
png("png-idat-surplus.png", SIGNATURE + ihdr(64, 64) + chunk(b"IDAT", surplus_data) + IEND,
    "64 x 64 RGB whose zlib stream goes on for 256 MB of zeros after the image's 12 KB")
text_bomb = zlib.compress(b"\x00" * ((16 << 20) - 64), 9)
png("png-ztxt-bomb.png", SIGNATURE + ihdr(64, 64)
    + b"".join(chunk(b"zTXt", b"k%d\x00\x00" % i + text_bomb) for i in range(24)) + SMALL_IDAT + IEND,
    "64 x 64 RGB with 24 zTXt chunks, each inflating to 16 MB")
png("png-iccp-bomb.png", SIGNATURE + ihdr(64, 64) + chunk(b"iCCP", b"profile\x00\x00" + text_bomb) + SMALL_IDAT + IEND,
    "64 x 64 RGB whose iCCP profile inflates to 16 MB")
png("png-chunk-length-max.png", SIGNATURE + ihdr(64, 64) + struct.pack(">I", 0x7FFFFFFF) + b"tEXt" + b"x" * 100,
    "IHDR, then a tEXt chunk declaring 2,147,483,647 bytes (the PNG maximum) with 100 present")
png("png-chunk-length-over.png", SIGNATURE + ihdr(64, 64) + struct.pack(">I", 0xFFFFFFFF) + b"tEXt" + b"x" * 100,
    "IHDR, then a chunk declaring 4,294,967,295 bytes (over the PNG maximum)")
png("png-idat-length-max.png", SIGNATURE + ihdr(64, 64) + struct.pack(">I", 0x7FFFFFFF) + b"IDAT" + zlib.compress(RGB64)[:100],
    "IHDR, then an IDAT declaring 2,147,483,647 bytes with 100 present")
png("png-exif-length-2g.png", SIGNATURE + ihdr(96, 64) + struct.pack(">I", 0x7FFFFFFF) + b"eXIf" + b"MM\x00\x2a" + b"A" * 96,
    "IHDR, then an eXIf chunk declaring 2,147,483,647 bytes with 100 present (libpng allocated the "
    "declared length before reading; found by fuzzing)")
png("png-splt-length-2g.png", SIGNATURE + ihdr(96, 64) + struct.pack(">I", 0x7FFFFFFF) + b"sPLT" + b"palette\x00\x08" + b"A" * 91,
    "IHDR, then an sPLT chunk declaring 2,147,483,647 bytes with 100 present")
png("png-cut-in-signature.png", SIGNATURE[:5], "the first 5 bytes of the PNG signature")
png("png-cut-in-ihdr.png", (SIGNATURE + ihdr(64, 64))[:20], "signature and the first 12 bytes of IHDR")


# JPEG ---------------------------------------------------------------------------------

def segment(marker, payload):
    return b"\xFF" + bytes([marker]) + struct.pack(">H", len(payload) + 2) + payload


def huffman(table_class, table_id, codes_by_length):
    counts = bytes(len(codes_by_length.get(n, [])) for n in range(1, 17))
    symbols = b"".join(bytes(codes_by_length.get(n, [])) for n in range(1, 17))
    return segment(0xC4, bytes([table_class << 4 | table_id]) + counts + symbols)


class Bits:
    """Entropy-coded bits, MSB first, padded with 1s, with 0xFF bytes stuffed."""
    def __init__(self):
        self.bits = []

    def put(self, value, count):
        for i in range(count - 1, -1, -1):
            self.bits.append((value >> i) & 1)

    def data(self):
        bits = self.bits + [1] * (-len(self.bits) % 8)
        out = bytearray()
        for i in range(0, len(bits), 8):
            byte = int("".join(map(str, bits[i:i + 8])), 2)
            out.append(byte)
            if byte == 0xFF:
                out.append(0x00)
        return bytes(out)


def progressive_zeros(width, height, refinements, components=1, cut=None):
    """A progressive JPEG (1 or 3 components, no subsampling) whose every coefficient is
    zero: one interleaved DC scan, then per component and AC coefficient a first scan
    (Al = refinements) and `refinements` refinement scans. Blocks are covered by
    end-of-band runs, so even a large image stays small. Returns (bytes, scans)."""
    blocks = ((width + 7) // 8) * ((height + 7) // 8)
    out = b"\xFF\xD8"
    out += segment(0xDB, b"\x00" + bytes([1] * 64))
    out += segment(0xC2, struct.pack(">BHHB", 8, height, width, components)
                   + b"".join(bytes([c + 1, 0x11, 0]) for c in range(components)))
    # DC: one symbol (category 0) with the 1-bit code 0. AC: EOB runs, codes 00 01 10.
    out += huffman(0, 0, {1: [0x00]})
    out += huffman(1, 0, {2: [0x00, 0x30, 0xE0]})

    def eob_runs(bits, count):
        while count >= 32767:
            bits.put(0b10, 2)            # EOB14: 2^14 + 14 extra bits
            bits.put(16383, 14)
            count -= 32767
        while count >= 8:
            bits.put(0b01, 2)            # EOB3: 8 + 3 extra bits (run 8..15)
            run = min(count, 15)
            bits.put(run - 8, 3)
            count -= run
        while count > 0:
            bits.put(0b00, 2)            # EOB0: one block
            count -= 1

    scans = []
    dc = Bits()
    for _ in range(blocks * components):
        dc.put(0, 1)
    scans.append((list(range(components)), 0, 0, 0, 0, dc.data()))
    for c in range(components):
        for k in range(1, 64):
            for step in range(refinements + 1):
                ah, al = (0, refinements) if step == 0 else (refinements - step + 1, refinements - step)
                bits = Bits()
                eob_runs(bits, blocks)
                scans.append(([c], k, k, ah, al, bits.data()))
    for index, (comps, ss, se, ah, al, data) in enumerate(scans):
        header = segment(0xDA, bytes([len(comps)]) + b"".join(bytes([c + 1, 0x00]) for c in comps)
                         + bytes([ss, se, ah << 4 | al]))
        if cut is not None and index == cut:
            return out + header + data[: len(data) // 2], index + 1
        out += header + data
    return out + b"\xFF\xD9", len(scans)


def jpeg(name, data, what):
    images[name] = (data, what)


def fixture(name):
    with open(os.path.join(FIXTURES, name), "rb") as f:
        return f.read()


many, count = progressive_zeros(64, 64, 13, components=3)
jpeg("jpeg-many-scans.jpg", many, "progressive 64 x 64 three-component JPEG with %d valid scans (every coefficient refined 13 times)" % count)
slow, count = progressive_zeros(4096, 4096, 0)
jpeg("jpeg-scans-4096.jpg", slow, "progressive 4096 x 4096 grayscale with %d scans (within the scan limit), each over all 262,144 blocks" % count)
jpeg("jpeg-progressive-huge-cut.jpg", progressive_zeros(10000, 10000, 0, cut=1)[0],
     "progressive 10000 x 10000 grayscale cut off in its second scan (whole-image buffers of 200 MB)")

cmyk = fixture("jpeg-cmyk.jpg")
adobe = cmyk.index(b"Adobe")
jpeg("jpeg-ycck.jpg", cmyk[:adobe + 11] + b"\x02" + cmyk[adobe + 12:],
     "jpeg-cmyk.jpg with its Adobe APP14 transform set to 2: four components read as YCCK")
baseline = fixture("jpeg-baseline.jpg")
jpeg("jpeg-soi-only.jpg", b"\xFF\xD8", "the 2-byte start-of-image marker and nothing else (found by fuzzing: it crashed the probe)")
sof = baseline.index(b"\xFF\xC0")
jpeg("jpeg-cut-in-sof.jpg", baseline[:sof + 7], "baseline JPEG cut inside its start-of-frame segment")
jpeg("jpeg-cut-in-marker.jpg", b"\xFF\xD8\xFF\xE0\x00", "start-of-image, then an APP0 marker whose length is cut after one byte")
comments = b"".join(segment(0xFE, bytes([0x41 + i % 26]) * 65533) for i in range(3))
jpeg("jpeg-huge-markers.jpg", baseline[:2] + comments + baseline[2:],
     "jpeg-baseline.jpg with 3 comment segments of 65,533 bytes (the longest a marker can be) before its frame")


# Manifests ----------------------------------------------------------------------------

def classification(key, label="cat", image="a.jpg", extra=""):
    return ('{"source-ref":"s3://example-bucket/%s"%s,"%s":1,"%s-metadata":{"class-name":"%s","confidence":1,'
            '"type":"groundtruth/image-classification","human-annotated":"yes",'
            '"creation-date":"2023-05-04T10:11:12.000Z","job-name":"labeling-job/example"}}') % (image, extra, key, key, label)


def detection(boxes, image="a.jpg", width=96, height=72):
    annotations = ",".join('{"class_id":0,"top":%s,"left":%s,"width":%s,"height":%s}' % b for b in boxes)
    objects = ",".join('{"confidence":1}' for _ in boxes)
    return ('{"source-ref":"s3://example-bucket/%s","bounding-box":{"image_size":[{"width":%d,"height":%d,"depth":3}],'
            '"annotations":[%s]},"bounding-box-metadata":{"objects":[%s],"class-map":{"0":"cat"},'
            '"type":"groundtruth/object-detection","human-annotated":"yes",'
            '"creation-date":"2023-05-04T10:11:12.000Z","job-name":"labeling-job/example"}}') % (
        image, width, height, annotations, objects)


def manifest(name, lines, what, ending=b"\n"):
    data = ending.join(line if isinstance(line, bytes) else line.encode() for line in lines) + ending
    manifests[name] = (data, what)


good = classification("label")
manifest("bom.manifest", [b"\xEF\xBB\xBF" + good.encode(), good],
         "line 1 starts with a UTF-8 byte order mark; line 2 is the same line without it")
manifest("crlf.manifest", [good, classification("label", "dog", "b.jpg")],
         "two valid lines ended by CR LF", ending=b"\r\n")
manifest("invalid-utf8.manifest", [good.replace("cat", "c\xE9t").encode("latin-1"),
                                   good.replace('"cat"', '"c\\u00e9t"'),
                                   good.encode().replace(b"cat", b"c\xC0\xAFt"),
                                   good.encode().replace(b"cat", b"c\xED\xA0\x80t")],
         "line 1: Latin-1 byte 0xE9 in a label; line 2: the same label escaped (valid); "
         "line 3: an overlong encoding of '/'; line 4: a UTF-16 surrogate encoded as UTF-8")
manifest("nul-bytes.manifest", [good.encode().replace(b"cat", b"c\x00t"), b"\x00" * 16,
                                good.replace('"cat"', '"c\\u0000t"')],
         "line 1: a raw NUL byte in a string; line 2: sixteen NUL bytes; line 3: an escaped NUL (valid JSON)")
manifest("numbers.manifest", [
    detection([("1e400", 1, 10, 10)]),
    detection([("-0", "-0", 10, 10)]),
    detection([("NaN", 1, 10, 10)]),
    detection([(1, 1, "99999999999999999999999999999999", 10)]),
    detection([(1, 1, "1" + "0" * 400, 10)]),
    detection([(1, 1, "-9223372036854775809", 10)]),
    classification("label").replace('"confidence":1', '"confidence":1e-400'),
    classification("label").replace('"label":1', '"label":1e400'),
    detection([(1, 1, 10, 10)]).replace('"width":96', '"width":1e400'),
], "box values 1e400, -0, NaN (not JSON), a 32-digit and a 401-digit width, one below Int64; "
   "confidence 1e-400; a label value 1e400; image_size width 1e400")
manifest("duplicate-keys.manifest", [
    good.replace('{"source-ref":"s3://example-bucket/a.jpg"', '{"source-ref":"s3://example-bucket/b.jpg","source-ref":"s3://example-bucket/a.jpg"'),
    good.replace('"class-name":"cat"', '"class-name":"cat","class-name":"dog"'),
    '{"source-ref":"s3://example-bucket/a.jpg",' + ",".join(['"x":1'] * 1000) + "}",
], "line 1: source-ref twice; line 2: class-name twice in the metadata; line 3: one key 1,000 times")
manifest("non-ascii.manifest", [
    classification("label", "猫"),
    classification("étiquette", "chat"),
    classification("label", "🐈‍⬛ cat"),
    classification("label", "Ａ"),
    classification("ラベル", "a\u0301"),
    classification("label", "\u202Etac"),
], "label names in Chinese, with an emoji sequence, a full-width letter, a combining accent "
   "and a right-to-left override; attribute keys in French and Japanese")
manifest("path-escapes.manifest", [
    classification("label", image="../outside.jpg"),
    classification("label", image="sub/../../outside.jpg"),
    classification("label", image="%2e%2e/outside.jpg"),
    classification("label", image="/etc/passwd"),
    classification("label", image="..\\\\outside.jpg"),
    classification("label", image="link-out/a.jpg"),
    classification("label", image="out.jpg"),
    classification("label", image="loop.jpg"),
    classification("label", image="loop-dir/loop-dir/loop-dir/a.jpg"),
    classification("label", image="a.jpg"),
], "source-refs with '..', '..' after a folder, %2e%2e, an absolute key, backslashes, a folder link "
   "out of the mapped folder, a file link out, a self-link, a folder link loop, and a plain key "
   "(the tests build the folder with these links)")
manifests["binary.manifest"] = (fixture("jpeg-baseline.jpg"), "a JPEG image saved as a manifest")


# Output -------------------------------------------------------------------------------

def main():
    for folder, files in ((IMAGES, images), (MANIFESTS, manifests)):
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder)
        for name, (data, _) in sorted(files.items()):
            with open(os.path.join(folder, name), "wb") as f:
                f.write(data)
    lines = ["# Hostile fixtures", "",
             "Generated by `make_hostile.py` (do not edit by hand). Each file is built to break a reader;",
             "`Tests/*/Hostile*Tests.swift` assert that each gives a clear finding and a complete report,",
             "and `docs/SECURITY.md` says what is guaranteed. Larger hostile inputs are made by the tests.", ""]
    for title, folder, files in (("images", "images", images), ("manifests", "manifests", manifests)):
        lines += ["## %s" % title, "", "| File | Bytes | What it is |", "| --- | --- | --- |"]
        for name, (data, what) in sorted(files.items()):
            lines.append("| `%s/%s` | %d | %s |" % (folder, name, len(data), what))
        lines.append("")
    with open(os.path.join(HERE, "README.md"), "w") as f:
        f.write("\n".join(lines))
    total = sum(len(d) for d, _ in list(images.values()) + list(manifests.values()))
    print("wrote %d images and %d manifests, %d bytes" % (len(images), len(manifests), total))


if __name__ == "__main__":
    main()
