#!/usr/bin/env python3
"""Generates a benchmark dataset for Preflight: photographic-looking JPEGs and PNGs, an
object-detection manifest in SageMaker Ground Truth format, injected defects of every kind
Preflight checks, and the findings expected for them.

Two modes:

  photos (default)  N images (70% JPEG at quality 90, 30% PNG) from 640x480 to 4096x3072,
                    `train.manifest`, `expected.json` (line -> expected codes) and
                    `images.tsv` (every file written: path, format, width, height, bytes).
  --tiny N          N distinct 96x72 JPEGs (a random 12x9 colour grid and a shape each), 1% of
                    them planted near-duplicates (re-encoded or brightened copies of an
                    earlier one), a classification `train.manifest`, `expected.json`,
                    `images.tsv`: the near-duplicate index at scale.
  --many N          N distinct small files (640x480 JPEGs: a few base pictures, each copy
                    made unique by a COM segment) and manifests of the sizes given with
                    --lines (default 100000 and 250000 lines), for the header-mode and
                    memory goals. Line k names file k modulo N.

Everything is deterministic for a given --seed. Keep the output outside the repository:

  python3 Benchmarks/generate_dataset.py /work/bench-data/photos --images 2000
  python3 Benchmarks/generate_dataset.py /work/bench-data/many --many 100000

Check a generated folder with `--map s3://bench-bucket=FOLDER`.
"""
import argparse
import io
import json
import multiprocessing
import os
import shutil
import struct
import subprocess
import sys
import zlib

try:
    import numpy as np
    from PIL import Image, ImageChops, ImageDraw, ImageFilter
except ImportError:  # pragma: no cover
    sys.exit("generate_dataset.py needs numpy and Pillow: python3 -m pip install numpy pillow")

BUCKET = "bench-bucket"
CLASSES = {0: "ellipse", 1: "rectangle", 2: "triangle"}

# Size mixes: (width, height, weight). "photo" averages about 3.2 megapixels.
SIZE_MIXES = {
    "photo": [(640, 480, 10), (800, 600, 8), (1024, 768, 12), (1280, 960, 12), (1600, 1200, 12),
              (2048, 1536, 14), (2592, 1944, 12), (3264, 2448, 10), (4000, 3000, 6), (4096, 3072, 4)],
    "small": [(640, 480, 1)],
    "large": [(3264, 2448, 1), (4000, 3000, 1), (4096, 3072, 1)],
}
# PNGs of photographic content take about 14 bits a pixel: larger ones would pass the
# service's 15 MB file limit and be findings of their own. Larger picks are stepped down.
PNG_MAX_PIXELS = 2592 * 1944
PORTRAIT_SHARE = 0.15

# Defect kinds: name -> (format the image must have or None, expected codes, full mode only).
DEFECTS = {
    "truncated_jpeg": ("jpeg", ["ERROR_INVALID_IMAGE"], True),
    "truncated_png": ("png", ["ERROR_INVALID_IMAGE"], True),
    "corrupt_jpeg_data": ("jpeg", ["ERROR_INVALID_IMAGE"], True),
    "corrupt_png_data": ("png", ["ERROR_INVALID_IMAGE"], True),
    "bad_png_crc": ("png", ["ERROR_INVALID_IMAGE"], True),
    "wrong_image_size": (None, ["PREFLIGHT_IMAGE_SIZE_MISMATCH"], False),
    "box_off_image": (None, ["ERROR_INVALID_BOUNDING_BOX"], False),
    "tiny_box": (None, ["ERROR_BOUNDING_BOX_TOO_SMALL"], False),
    "png_named_jpg": ("png", ["PREFLIGHT_FORMAT_EXTENSION_MISMATCH"], False),
    "missing_file": (None, ["ERROR_INVALID_IMAGE"], False),
    "invalid_json": (None, ["ERROR_INVALID_JSON_LINE"], False),
    "duplicate_image": (None, ["PREFLIGHT_DUPLICATE_IMAGE"], False),
    "trailing_data": (None, ["PREFLIGHT_TRAILING_DATA"], True),
    "cmyk_jpeg": ("jpeg", ["PREFLIGHT_UNUSUAL_ENCODING"], False),
    "exif_orientation_6": ("jpeg", ["PREFLIGHT_EXIF_ORIENTATION"], False),
}
# Defects that damage the file itself (what jpeginfo -c / pngcheck / a decoder can see).
CORRUPTING = {"truncated_jpeg", "truncated_png", "corrupt_jpeg_data", "corrupt_png_data", "bad_png_crc"}

# The pixel-based checks (full mode only: they need the decoded picture).
NEAR = "PREFLIGHT_NEAR_DUPLICATE_IMAGE"
TRAIN_TEST_NEAR = "PREFLIGHT_TRAIN_TEST_NEAR_DUPLICATE"
BLURRY = "PREFLIGHT_BLURRY_IMAGE"
DARK = "PREFLIGHT_DARK_IMAGE"
BRIGHT = "PREFLIGHT_BRIGHT_IMAGE"
LOW_INFO = "PREFLIGHT_LOW_INFORMATION_IMAGE"
PIXEL_CODES = [NEAR, TRAIN_TEST_NEAR, BLURRY, DARK, BRIGHT, LOW_INFO]
# Ways of making a near-duplicate of an image, taken round-robin.
MODIFICATIONS = ["resized", "reencoded", "brightness", "crop"]
# Pixel defects added to the training manifest as extra lines (--quality-rate), round-robin:
# name -> (expected codes, codes that must not be reported). Those with no expected code are
# hard negatives: a mirrored copy of a training image, and a dim but usable photo.
QUALITY_DEFECTS = {
    "near_duplicate_resized": ([NEAR], []),
    "blurred": ([BLURRY], []),
    "mirrored_copy": ([], [NEAR]),
    "near_duplicate_reencoded": ([NEAR], []),
    "dark": ([DARK], [BRIGHT]),
    "dim": ([], [DARK]),
    "near_duplicate_brightness": ([NEAR], []),
    "washed_out": ([BRIGHT], [DARK]),
    "near_duplicate_crop": ([NEAR], []),
    "low_information": ([LOW_INFO], []),
}
# Defects of test-manifest lines (a share of the test lines), round-robin. An exact copy of a
# training image is the existing train/test overlap, not a near-duplicate.
TEST_DEFECTS = {
    "train_test_near_duplicate_resized": ([TRAIN_TEST_NEAR], []),
    "train_test_mirrored_copy": ([], [TRAIN_TEST_NEAR]),
    "train_test_near_duplicate_reencoded": ([TRAIN_TEST_NEAR], []),
    "train_test_near_duplicate_brightness": ([TRAIN_TEST_NEAR], []),
    "train_test_copy": (["PREFLIGHT_TRAIN_TEST_OVERLAP"], [TRAIN_TEST_NEAR]),
    "train_test_near_duplicate_crop": ([TRAIN_TEST_NEAR], []),
}


# ---------------------------------------------------------------- content

def _noise_layer(rng, gw, gh, w, h, sigma):
    small = (rng.normal(0, sigma, (gh, gw, 3)) + 128).clip(0, 255).astype(np.uint8)
    return Image.fromarray(small, "RGB").resize((w, h), Image.BICUBIC)


def backdrop(w, h, style, layout, colours, portrait_grid=True):
    """A gradient (its colours within `colours` and its angle from `style`) and fractal noise
    (from `layout`) made at 96x72 and enlarged to w x h: the scene behind the objects."""
    sw, sh = (96, 72) if w >= h or not portrait_grid else (72, 96)
    yy = np.linspace(0, 1, sh, dtype=np.float32)[:, None]
    xx = np.linspace(0, 1, sw, dtype=np.float32)[None, :]
    c0, c1 = style.uniform(*colours, 3), style.uniform(*colours, 3)
    angle = style.uniform(0, 2 * np.pi)
    g = np.cos(angle) * xx + np.sin(angle) * yy
    g = (g - g.min()) / (g.max() - g.min() + 1e-6)
    base = c0 + (c1 - c0) * g[..., None]
    amp = 45.0
    for cells in (3, 6, 12, 24, 48):
        gw, gh = max(2, cells * sw // 96), max(2, cells * sh // 96)
        n = layout.normal(0, 1, (gh, gw, 3)).astype(np.float32) * 0.6 + layout.normal(0, 1, (gh, gw, 1)).astype(np.float32)
        small = Image.fromarray((n * 32 + 128).clip(0, 255).astype(np.uint8), "RGB")
        base += (np.asarray(small.resize((sw, sh), Image.BICUBIC), np.float32) - 128) * amp / 32
        amp *= 0.6
    return Image.fromarray(base.clip(0, 255).astype(np.uint8), "RGB").resize((w, h), Image.BICUBIC)


def draw_shape(draw, kind, x, y, bw, bh, colour):
    """A flat ellipse (kind 0), rectangle (1) or triangle (2) filling the box at x, y."""
    if kind == 0:
        draw.ellipse([x, y, x + bw - 1, y + bh - 1], fill=colour)
    elif kind == 1:
        draw.rectangle([x, y, x + bw - 1, y + bh - 1], fill=colour)
    else:
        draw.polygon([(x, y + bh - 1), (x + bw - 1, y + bh - 1), (x + bw // 2, y)], fill=colour)


def photo(w, h, rng):
    """A photographic-looking picture: a gradient and fractal noise at the picture's own
    scale, one to four flat shapes (the objects, whose boxes are returned), then texture at
    fixed pixel scales and luminance grain, so that JPEG at quality 90 takes about 2 bits a
    pixel at any size, as camera pictures do."""
    im = backdrop(w, h, rng, rng, colours=(20, 235))

    draw = ImageDraw.Draw(im)
    boxes = []
    for _ in range(int(rng.integers(1, 5))):
        bw, bh = int(rng.uniform(0.08, 0.35) * w), int(rng.uniform(0.08, 0.35) * h)
        x, y = int(rng.integers(0, w - bw)), int(rng.integers(0, h - bh))
        colour = tuple(int(v) for v in rng.uniform(10, 245, 3))
        kind = int(rng.integers(0, 3))
        draw_shape(draw, kind, x, y, bw, bh, colour)
        boxes.append({"class_id": kind, "left": x, "top": y, "width": bw, "height": bh})

    im = ImageChops.add(im, _noise_layer(rng, max(2, w // 24), max(2, h // 24), w, h, 12), 1.0, -128)
    im = ImageChops.add(im, _noise_layer(rng, max(2, w // 5), max(2, h // 5), w, h, 8), 1.0, -128)
    grain = Image.fromarray((rng.standard_normal((h, w), dtype=np.float32) * 4 + 128).clip(0, 255).astype(np.uint8), "L")
    im = ImageChops.add(im, Image.merge("RGB", (grain, grain, grain)), 1.0, -128)
    return im, boxes


# ---------------------------------------------------------------- file-level defects

def _jpeg_scan_start(data):
    """Offset of the first byte of entropy-coded data (after the first SOS header)."""
    i = 2
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            raise ValueError("not at a marker")
        marker = data[i + 1]
        length = struct.unpack(">H", data[i + 2:i + 4])[0]
        if marker == 0xDA:
            return i + 2 + length
        i += 2 + length
    raise ValueError("no SOS")


def _djpeg_flags(data):
    """True when libjpeg-turbo's djpeg reports a warning or an error for these bytes;
    None when djpeg is not installed."""
    if shutil.which("djpeg") is None:
        return None
    run = subprocess.run(["djpeg", "-outfile", os.devnull], input=data, capture_output=True)
    return run.returncode != 0 or b"Corrupt" in run.stderr or b"Premature" in run.stderr or bool(run.stderr.strip())


def corrupt_jpeg(data, rng):
    """Overwrites 16 bytes in the middle of the entropy-coded data (never with 0xFF, so no
    marker appears). Retried at another place until libjpeg-turbo notices, when djpeg is there."""
    start = _jpeg_scan_start(data)
    end = len(data) - 2
    for _ in range(12):
        at = int(rng.integers(start + (end - start) // 4, start + 3 * (end - start) // 4))
        noise = bytes(int(v) for v in rng.integers(0, 255, 16))  # 0..254
        out = data[:at] + noise + data[at + 16:]
        if _djpeg_flags(out) is not False:
            return out
    return out


def _png_chunks(data):
    i = 8
    while i + 12 <= len(data):
        length = struct.unpack(">I", data[i:i + 4])[0]
        yield i, length, data[i + 4:i + 8]
        i += 12 + length


def corrupt_png(data, rng):
    """Overwrites 16 bytes inside the zlib data of an IDAT chunk in the middle of the image
    and rewrites that chunk's CRC, so only inflating the data shows the damage. Retried until
    zlib itself fails on the image data."""
    idats = [(i, n) for i, n, t in _png_chunks(data) if t == b"IDAT" and n > 64]
    for _ in range(12):
        i, n = idats[len(idats) // 2] if len(idats) > 2 else idats[0]
        at = i + 8 + int(rng.integers(n // 4, 3 * n // 4))
        noise = bytes(int(v) for v in rng.integers(0, 256, 16))
        out = bytearray(data[:at] + noise + data[at + 16:])
        crc = zlib.crc32(bytes(out[i + 4:i + 8 + n])) & 0xFFFFFFFF
        out[i + 8 + n:i + 12 + n] = struct.pack(">I", crc)
        out = bytes(out)
        stream = b"".join(out[j + 8:j + 8 + m] for j, m, t in _png_chunks(out) if t == b"IDAT")
        try:
            zlib.decompress(stream)
        except zlib.error:
            return out
    return out


def bad_png_crc(data):
    """Flips the CRC of the first IDAT chunk; the data itself is intact."""
    for i, n, t in _png_chunks(data):
        if t == b"IDAT":
            out = bytearray(data)
            out[i + 8 + n] ^= 0x5A
            return bytes(out)
    raise ValueError("no IDAT")


def exif_orientation(value):
    exif = Image.Exif()
    exif[0x0112] = value
    return exif.tobytes()


# ---------------------------------------------------------------- photos mode

def _pick_size(rng, mix):
    weights = np.array([m[2] for m in mix], float)
    w, h, _ = mix[int(rng.choice(len(mix), p=weights / weights.sum()))]
    if rng.random() < PORTRAIT_SHARE:
        w, h = h, w
    return w, h


def _plan(args):
    """Per image: index, format, size, defect. Deterministic from the seed."""
    rng = np.random.default_rng([args.seed, 0])
    mix = parse_size_mix(args.sizes)
    n = args.images
    formats = ["jpeg" if rng.random() < args.jpeg_share else "png" for _ in range(n)]
    sizes = [_pick_size(rng, mix) for _ in range(n)]
    defects = [None] * n
    count = int(round(n * args.defect_rate))
    kinds = list(DEFECTS)
    order = [kinds[k % len(kinds)] for k in range(count)]
    # Defective lines are spread over the manifest, never the first 10 lines (duplicates
    # need earlier clean images to copy).
    candidates = rng.permutation(np.arange(10, n))[:count] if n > 10 else []
    for line, kind in zip(sorted(int(c) for c in candidates), [order[i] for i in rng.permutation(count)]):
        defects[line] = kind
        need = DEFECTS[kind][0]
        if need:
            formats[line] = need
    for i in range(n):
        if formats[i] == "png":
            w, h = sizes[i]
            while w * h > PNG_MAX_PIXELS:
                w, h = int(w * 0.8) // 2 * 2, int(h * 0.8) // 2 * 2
            sizes[i] = (w, h)
    return [(i, formats[i], sizes[i], defects[i]) for i in range(n)]


def _name(i, fmt, defect):
    folder = "images/%03d" % (i // 500)
    ext = "jpg" if fmt == "jpeg" or defect == "png_named_jpg" else "png"
    return "%s/img-%06d.%s" % (folder, i, ext)


def _make_image(job):
    index, fmt, (w, h), defect, out, seed = job
    rng = np.random.default_rng([seed, 1, index])
    rel = _name(index, fmt, defect)
    if defect == "missing_file":
        boxes = photo(64, 64, rng)[1]  # boxes only; scaled below
        scale_boxes = [{"class_id": b["class_id"], "left": b["left"] * w // 64, "top": b["top"] * h // 64,
                        "width": max(8, b["width"] * w // 64), "height": max(8, b["height"] * h // 64)} for b in boxes]
        return {"index": index, "path": rel.replace("img-", "missing-"), "format": fmt, "width": w, "height": h,
                "bytes": 0, "boxes": scale_boxes, "defect": defect, "exists": False}
    im, boxes = photo(w, h, rng)
    buf = io.BytesIO()
    if fmt == "jpeg":
        if defect == "cmyk_jpeg":
            im.convert("CMYK").save(buf, "JPEG", quality=90)
        elif defect == "exif_orientation_6":
            im.save(buf, "JPEG", quality=90, exif=exif_orientation(6))
        else:
            im.save(buf, "JPEG", quality=90)
    else:
        im.save(buf, "PNG")
    data = buf.getvalue()
    if defect == "truncated_jpeg":
        data = data[:_jpeg_scan_start(data) + int((len(data) - _jpeg_scan_start(data)) * rng.uniform(0.4, 0.9))]
    elif defect == "truncated_png":
        data = data[:int(len(data) * rng.uniform(0.4, 0.9))]
    elif defect == "corrupt_jpeg_data":
        data = corrupt_jpeg(data, rng)
    elif defect == "corrupt_png_data":
        data = corrupt_png(data, rng)
    elif defect == "bad_png_crc":
        data = bad_png_crc(data)
    elif defect == "trailing_data":
        data = data + bytes(int(v) for v in rng.integers(0, 256, 2048))
    path = os.path.join(out, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    return {"index": index, "path": rel, "format": fmt, "width": w, "height": h, "bytes": len(data),
            "boxes": boxes, "defect": defect, "exists": True}


# ---------------------------------------------------------------- pixel defects and near-duplicates

def _levels(im, scale, offset=0.0, centre=0.0):
    """v' = scale * (v - centre) + centre + offset, clipped: brightness and contrast changes."""
    a = np.asarray(im, np.float32)
    return Image.fromarray((scale * (a - centre) + centre + offset).round().clip(0, 255).astype(np.uint8), "RGB")


def _box_map(boxes, fx, fy, dx=0, dy=0, w=None, h=None, mirror_width=None):
    """Boxes moved by (-dx, -dy), scaled by (fx, fy), clipped to w x h; boxes left under
    8 pixels are dropped (unless none would be left); mirror_width mirrors them left-right."""
    out = []
    for b in boxes:
        left, top = (b["left"] - dx) * fx, (b["top"] - dy) * fy
        right, bottom = left + b["width"] * fx, top + b["height"] * fy
        if mirror_width is not None:
            left, right = mirror_width - right, mirror_width - left
        if w is not None:
            left, top, right, bottom = max(0, left), max(0, top), min(w, right), min(h, bottom)
        out.append({"class_id": b["class_id"], "left": int(round(left)), "top": int(round(top)),
                    "width": int(round(right - left)), "height": int(round(bottom - top))})
    kept = [b for b in out if b["width"] >= 8 and b["height"] >= 8]
    return kept or out


def modified_copy(im, boxes, how):
    """A modified copy of a picture and its boxes: (image, boxes, JPEG quality). A near-duplicate
    for "resized" (half size, area-averaged), "reencoded" (JPEG quality 45), "brightness" (+25
    levels, contrast x0.85), "crop" (4% off each side, resized back); not one for "mirrored"."""
    w, h = im.size
    if how == "resized":
        nw, nh = max(64, w // 2), max(64, h // 2)
        return im.resize((nw, nh), Image.BOX), _box_map(boxes, nw / w, nh / h), 90
    if how == "reencoded":
        return im, [dict(b) for b in boxes], 45
    if how == "brightness":
        return _levels(im, 0.85, 25, 128), [dict(b) for b in boxes], 90
    if how == "crop":
        dx, dy = round(w * 0.04), round(h * 0.04)
        out = im.crop((dx, dy, w - dx, h - dy)).resize((w, h), Image.LANCZOS)
        return out, _box_map(boxes, w / (w - 2 * dx), h / (h - 2 * dy), dx, dy, w, h), 90
    if how == "mirrored":
        return im.transpose(Image.FLIP_LEFT_RIGHT), _box_map(boxes, 1, 1, mirror_width=w), 90
    raise ValueError(how)


def _how(kind):
    for how in MODIFICATIONS + ["mirrored"]:
        if kind.endswith(how) or kind.endswith(how + "_copy"):
            return how
    return None


def _make_extra(job):
    """One extra image: a pixel defect drawn afresh, a clean test photo, or a (modified) copy of
    a training image. job: (key, kind, fmt, size, rel, source, out, seed)."""
    key, kind, fmt, (w, h), rel, source, out, seed = job
    rng = np.random.default_rng([seed, 6, int(key[0] == "test"), key[1]])
    path = os.path.join(out, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if kind == "train_test_copy":
        shutil.copyfile(os.path.join(out, source["path"]), path)
        return dict(source, key=key, path=rel, kind=kind, source_index=source["index"])
    quality = 90
    if source is not None:
        with Image.open(os.path.join(out, source["path"])) as src:
            im, boxes, quality = modified_copy(src.convert("RGB"), source["boxes"], _how(kind))
        fmt = "jpeg"
    elif kind == "low_information":
        boxes = photo(64, 48, rng)[1]
        boxes = _box_map(boxes, w / 64, h / 48)
        level = rng.uniform(60, 200)
        flat = (rng.standard_normal((h, w), dtype=np.float32) * 1.5 + level).clip(0, 255).astype(np.uint8)
        im = Image.merge("RGB", [Image.fromarray(flat, "L")] * 3)
    else:
        im, boxes = photo(w, h, rng)
        if kind == "blurred":
            im = im.filter(ImageFilter.GaussianBlur(0.02 * max(w, h)))
        elif kind == "dark":
            im = _levels(im, rng.uniform(0.10, 0.15))
        elif kind == "washed_out":
            im = _levels(im, 0.25, 0.75 * 255)
        elif kind == "dim":
            im = _levels(im, 0.5)
    buf = io.BytesIO()
    if fmt == "jpeg":
        im.save(buf, "JPEG", quality=quality)
    else:
        im.save(buf, "PNG")
    data = buf.getvalue()
    with open(path, "wb") as f:
        f.write(data)
    r = {"key": key, "path": rel, "format": fmt, "width": im.size[0], "height": im.size[1], "bytes": len(data),
         "boxes": boxes, "kind": kind, "exists": True}
    if source is not None:
        r["source_index"] = source["index"]
    return r


def _plan_extras(args, results, plan):
    """Extra training lines with pixel defects (inserted after a base line) and the test lines.
    Deterministic from the seed; copies take distinct clean training images as sources."""
    rng = np.random.default_rng([args.seed, 5])
    mix = parse_size_mix(args.sizes)
    n = len(plan)
    dup_sources = {r.get("duplicate_of") for r in results.values()}
    clean = [i for i, r in sorted(results.items())
             if r["defect"] is None and r["exists"] and i not in dup_sources]
    used = set()

    def source_before(limit):
        pool = [i for i in clean if i <= limit and i not in used] or [i for i in clean if i <= limit]
        if not pool:
            return None
        pick = int(pool[int(rng.integers(0, len(pool)))])
        used.add(pick)
        return pick

    extras = []
    count = int(round(n * args.quality_rate)) if n > 10 else 0
    kinds = list(QUALITY_DEFECTS)
    order = [kinds[k % len(kinds)] for k in rng.permutation(count)] if count else []
    after = sorted(int(x) for x in rng.integers(10, n, count)) if count else []
    for k, (p, kind) in enumerate(zip(after, order)):
        copy = _how(kind) is not None
        src = source_before(p) if copy else None
        if copy and src is None:
            continue
        fmt = "jpeg" if copy or rng.random() < args.jpeg_share else "png"
        size = _pick_size(rng, mix)
        if fmt == "png":
            while size[0] * size[1] > PNG_MAX_PIXELS:
                size = (int(size[0] * 0.8) // 2 * 2, int(size[1] * 0.8) // 2 * 2)
        ext = "jpg" if fmt == "jpeg" else "png"
        extras.append({"key": ("train", k), "kind": kind, "after": p, "source": src, "fmt": fmt, "size": size,
                       "rel": "quality/%03d/q-%06d.%s" % (k // 500, k, ext)})
    n_test = int(round(n * args.test_share))
    tests = []
    if n_test:
        count = int(round(n_test * args.test_defect_rate))
        kinds = list(TEST_DEFECTS)
        defects = [None] * n_test
        for t, kind in zip(sorted(int(x) for x in rng.permutation(n_test)[:count]),
                           [kinds[k % len(kinds)] for k in rng.permutation(count)]):
            defects[t] = kind
        for t in range(n_test):
            kind = defects[t] or "clean"
            src = source_before(n) if kind != "clean" else None
            if kind != "clean" and src is None:
                kind = "clean"
            fmt = "jpeg" if kind != "clean" or rng.random() < args.jpeg_share else "png"
            if kind == "train_test_copy":
                fmt = results[src]["format"]
            size = _pick_size(rng, mix)
            if fmt == "png":
                while size[0] * size[1] > PNG_MAX_PIXELS:
                    size = (int(size[0] * 0.8) // 2 * 2, int(size[1] * 0.8) // 2 * 2)
            ext = results[src]["path"].rsplit(".", 1)[1] if kind == "train_test_copy" else (
                "jpg" if fmt == "jpeg" else "png")
            tests.append({"key": ("test", t), "kind": kind, "source": src, "fmt": fmt, "size": size,
                          "rel": "test/%03d/t-%06d.%s" % (t // 500, t, ext)})
    return extras, tests


def manifest_line(source_ref, width, height, boxes, job="bench/photos", day=0):
    objects = [{"confidence": round(0.8 + 0.01 * ((b["left"] + b["top"]) % 20), 2)} for b in boxes]
    class_map = {str(c): CLASSES[c] for c in sorted({b["class_id"] for b in boxes})}
    line = {
        "source-ref": source_ref,
        "bounding-box": {"image_size": [{"width": width, "height": height, "depth": 3}], "annotations": boxes},
        "bounding-box-metadata": {"objects": objects, "class-map": class_map,
                                  "type": "groundtruth/object-detection", "human-annotated": "yes",
                                  "creation-date": "2024-06-%02dT10:%02d:00.000000" % (1 + day % 28, day % 60),
                                  "job-name": "labeling-job/" + job},
    }
    return json.dumps(line, separators=(", ", ": "))


def generate_photos(args):
    out = args.output
    plan = _plan(args)
    if any(defect == "corrupt_jpeg_data" for _, _, _, defect in plan) and shutil.which("djpeg") is None:
        # Without djpeg a corrupted JPEG cannot be checked to be corrupt to libjpeg-turbo.
        sys.exit("photos mode needs djpeg to check its corrupt JPEGs: apt-get install libjpeg-turbo-progs")
    os.makedirs(out, exist_ok=True)
    jobs = [(i, fmt, size, defect, out, args.seed) for i, fmt, size, defect in plan]
    # Duplicates are copies made afterwards: generate nothing for them now.
    todo = [j for j in jobs if j[3] != "duplicate_image"]
    results = {}
    with multiprocessing.Pool(args.jobs) as pool:
        for done, r in enumerate(pool.imap_unordered(_make_image, todo, chunksize=4), 1):
            results[r["index"]] = r
            if done % 100 == 0 or done == len(todo):
                print("  %d/%d images" % (done, len(todo)), file=sys.stderr, flush=True)

    rng = np.random.default_rng([args.seed, 2])
    clean = sorted(i for i, r in results.items() if r["defect"] is None and r["exists"])
    for i, fmt, size, defect in plan:
        if defect != "duplicate_image":
            continue
        source = results[int(rng.choice([c for c in clean if c < i]))]
        rel = "images/%03d/copy-%06d.%s" % (i // 500, i, source["path"].rsplit(".", 1)[1])
        shutil.copyfile(os.path.join(out, source["path"]), os.path.join(out, rel))
        results[i] = dict(source, index=i, path=rel, defect=defect, duplicate_of=source["index"])

    # Extra lines: pixel defects in training, and the test manifest.
    extras, tests = _plan_extras(args, results, plan)
    extra_jobs = [(x["key"], x["kind"], x["fmt"], x["size"], x["rel"],
                   results[x["source"]] if x["source"] is not None else None, out, args.seed)
                  for x in extras + tests]
    made = {}
    if extra_jobs:
        with multiprocessing.Pool(args.jobs) as pool:
            for done, r in enumerate(pool.imap_unordered(_make_extra, extra_jobs, chunksize=4), 1):
                made[r["key"]] = r
                if done % 100 == 0 or done == len(extra_jobs):
                    print("  %d/%d extra and test images" % (done, len(extra_jobs)), file=sys.stderr, flush=True)
    after = {}
    for x in extras:
        after.setdefault(x["after"], []).append(x)
    order = []  # ("base", index) or ("extra", plan entry), in manifest order
    for i in range(len(plan)):
        order.append(("base", i))
        order += [("extra", x) for x in after.get(i, [])]
    base_line = {item[1]: k + 1 for k, item in enumerate(order) if item[0] == "base"}

    lines, expected, tsv = [], {}, []
    for number, (what, item) in enumerate(order, 1):
        if what == "extra":
            r = made[item["key"]]
            codes, must_not = QUALITY_DEFECTS[item["kind"]]
            lines.append(manifest_line("s3://%s/%s" % (BUCKET, r["path"]), r["width"], r["height"], r["boxes"],
                                       day=item["key"][1]))
            entry = {"defect": item["kind"], "codes": codes, "must_not": must_not, "full_mode_only": True,
                     "image": r["path"]}
            if item["source"] is not None:
                entry["first_line"] = base_line[item["source"]]
            expected[str(number)] = entry
            tsv.append("%s\t%s\t%d\t%d\t%d\t%s" % (r["path"], r["format"], r["width"], r["height"], r["bytes"],
                                                    item["kind"]))
            continue
        i = item
        r = results[i]
        w, h = r["width"], r["height"]
        boxes = [dict(b) for b in r["boxes"]]
        declared_w, declared_h = w, h
        defect = r["defect"]
        if defect == "wrong_image_size":
            declared_w, declared_h = w * 3 // 2, h * 3 // 2  # labelled at 1.5x, file later resized
        elif defect == "box_off_image":
            bw = max(20, w // 8)
            boxes.append({"class_id": 1, "left": w - bw // 2, "top": h // 3, "width": bw, "height": max(20, h // 8)})
        elif defect == "tiny_box":
            boxes.append({"class_id": 0, "left": w // 2, "top": h // 2, "width": 1, "height": 12})
        text = manifest_line("s3://%s/%s" % (BUCKET, r["path"]), declared_w, declared_h, boxes, day=i)
        if defect == "invalid_json":
            text = text[:-1]  # the final closing brace is missing
        lines.append(text)
        if defect:
            fmt_needed, codes, full_only = DEFECTS[defect]
            entry = {"defect": defect, "codes": codes, "full_mode_only": full_only, "image": r["path"]}
            if defect == "duplicate_image":
                entry["first_line"] = base_line[r["duplicate_of"]]
            expected[str(number)] = entry
        if r["exists"] and not (defect == "duplicate_image"):
            tsv.append("%s\t%s\t%d\t%d\t%d\t%s" % (r["path"], r["format"], w, h, r["bytes"], defect or ""))
        elif defect == "duplicate_image":
            tsv.append("%s\t%s\t%d\t%d\t%d\t%s" % (r["path"], r["format"], w, h, r["bytes"], defect))

    test_lines, test_expected = [], {}
    for number, item in enumerate(tests, 1):
        r = made[item["key"]]
        kind = item["kind"]
        test_lines.append(manifest_line("s3://%s/%s" % (BUCKET, r["path"]), r["width"], r["height"], r["boxes"],
                                        job="bench/photos-test", day=number))
        if kind != "clean":
            codes, must_not = TEST_DEFECTS[kind]
            test_expected[str(number)] = {"defect": kind, "codes": codes, "must_not": must_not,
                                          "full_mode_only": kind != "train_test_copy", "image": r["path"],
                                          "training_line": base_line[item["source"]]}
        tsv.append("%s\t%s\t%d\t%d\t%d\t%s" % (r["path"], r["format"], r["width"], r["height"], r["bytes"],
                                                "" if kind == "clean" else kind))

    with open(os.path.join(out, "train.manifest"), "w") as f:
        f.write("\n".join(lines) + "\n")
    test_manifest = os.path.join(out, "test.manifest")
    if test_lines:
        with open(test_manifest, "w") as f:
            f.write("\n".join(test_lines) + "\n")
    elif os.path.exists(test_manifest):
        os.remove(test_manifest)
    with open(os.path.join(out, "images.tsv"), "w") as f:
        f.write("path\tformat\twidth\theight\tbytes\tdefect\n" + "\n".join(tsv) + "\n")

    def counts_of(entries):
        counts = {}
        for e in entries.values():
            counts[e["defect"]] = counts.get(e["defect"], 0) + 1
        return counts
    doc = {
        "generator": "Benchmarks/generate_dataset.py",
        "seed": args.seed, "images": args.images, "sizes": args.sizes, "defect_rate": args.defect_rate,
        "manifest": "train.manifest", "map": "s3://%s=%s" % (BUCKET, os.path.abspath(out)),
        "defect_counts": counts_of(expected),
        "corrupt_files": sorted(e["image"] for e in expected.values() if e["defect"] in CORRUPTING),
        "lines": expected,
        "note": "Codes expected on each defective line (1-based); clean lines expect none. "
                "full_mode_only: header mode cannot see it. must_not: codes that must not be reported there "
                "(hard negatives have codes [] and a must_not). test_lines: the same for test.manifest.",
    }
    if args.quality_rate or args.test_share:
        doc.update({
            "quality_rate": args.quality_rate, "test_share": args.test_share,
            "test_defect_rate": args.test_defect_rate, "pixel_codes": PIXEL_CODES,
            "train_line_count": len(lines), "test_line_count": len(test_lines),
            "test_manifest": "test.manifest" if test_lines else None,
            "test_defect_counts": counts_of(test_expected), "test_lines": test_expected,
        })
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(doc, f, indent=1, sort_keys=True)
    everything = list(results.values()) + list(made.values())
    total = sum(r["bytes"] for r in everything if r["exists"])
    pixels = sum(r["width"] * r["height"] for r in everything if r["exists"])
    print("wrote %s: %d lines, %d defective; test: %d lines, %d defective; %.2f GB, %.2f gigapixels" % (
        out, len(lines), len(expected), len(test_lines), len(test_expected), total / 1e9, pixels / 1e9),
        file=sys.stderr)


# ---------------------------------------------------------------- many small files mode

def _com_segment(text):
    payload = text.encode()
    return b"\xff\xfe" + struct.pack(">H", len(payload) + 2) + payload


def generate_many(args):
    out = args.output
    os.makedirs(out, exist_ok=True)
    n = args.many
    bases = []
    for k in range(8):
        rng = np.random.default_rng([args.seed, 3, k])
        im, boxes = photo(640, 480, rng)
        buf = io.BytesIO()
        im.save(buf, "JPEG", quality=60 + 3 * k)
        bases.append((buf.getvalue(), boxes))
    rels = []
    tsv = []
    # A unique comment in each file, padded by a random amount so that file sizes spread
    # as photos' do (and, as in a real set of 100,000 small photos, most sizes are shared
    # by several files).
    pads = np.random.default_rng([args.seed, 4]).integers(0, 12000, n)
    for i in range(n):
        data, boxes = bases[i % len(bases)]
        pad = int(pads[i])
        text = "preflight benchmark file %d " % i + "." * pad
        blob = data[:2] + _com_segment(text[:65000]) + data[2:]
        rel = "files/%03d/f-%06d.jpg" % (i // 1000, i)
        path = os.path.join(out, rel)
        if i % 1000 == 0:
            os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(blob)
        rels.append(rel)
        tsv.append("%s\tjpeg\t640\t480\t%d\t" % (rel, len(blob)))
        if (i + 1) % 20000 == 0:
            print("  %d/%d files" % (i + 1, n), file=sys.stderr, flush=True)
    with open(os.path.join(out, "images.tsv"), "w") as f:
        f.write("path\tformat\twidth\theight\tbytes\tdefect\n" + "\n".join(tsv) + "\n")
    for count in args.lines:
        name = os.path.join(out, "lines-%d.manifest" % count)
        with open(name, "w") as f:
            for k in range(count):
                i = k % n
                f.write(manifest_line("s3://%s/%s" % (BUCKET, rels[i]), 640, 480, bases[i % len(bases)][1],
                                      job="bench/many", day=k) + "\n")
        print("wrote %s (%.1f MB)" % (name, os.path.getsize(name) / 1e6), file=sys.stderr)


# ---------------------------------------------------------------- tiny images mode

def _tiny_picture(seed, i):
    """A 96x72 picture of its own: a random 12x9 colour grid enlarged smoothly (so its
    perceptual hash is its own) and one flat shape."""
    rng = np.random.default_rng([seed, 7, i])
    grid = rng.integers(0, 256, (9, 12, 3), dtype=np.uint8)
    im = Image.fromarray(grid, "RGB").resize((96, 72), Image.BICUBIC)
    x, y = int(rng.integers(0, 60)), int(rng.integers(0, 40))
    w, h = int(rng.integers(16, 36)), int(rng.integers(16, 32))
    ImageDraw.Draw(im).ellipse([x, y, x + w, y + h], fill=tuple(int(v) for v in rng.integers(0, 256, 3)))
    return im


def _tiny_chunk(job):
    """Writes the files of indices [start, stop); a planted near-duplicate (sources[i]) is its
    source's picture re-encoded at quality 50 or brightened (+25 levels, contrast x0.85)."""
    start, stop, sources, out, seed = job
    for i in range(start, stop):
        if i in sources:
            src = sources[i]
            im = _tiny_picture(seed, src)
            quality = 50 if i % 2 else 90
            if not i % 2:
                im = _levels(im, 0.85, 25, 128)
        else:
            im, quality = _tiny_picture(seed, i), 85
        path = os.path.join(out, "tiny/%03d/t-%06d.jpg" % (i // 1000, i))
        if i == start or i % 1000 == 0:
            os.makedirs(os.path.dirname(path), exist_ok=True)
        im.save(path, "JPEG", quality=quality)
    return stop - start


def generate_tiny(args):
    out = args.output
    n = args.tiny
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng([args.seed, 8])
    planted = sorted(int(i) for i in rng.permutation(np.arange(1, n))[:int(round(n * args.tiny_duplicate_rate))])
    sources = {i: int(rng.integers(0, i)) for i in planted}
    sources = {i: src for i, src in sources.items() if src not in sources}  # copies of originals only
    step = 2000
    jobs = [(a, min(n, a + step), {i: s for i, s in sources.items() if a <= i < a + step}, out, args.seed)
            for a in range(0, n, step)]
    done = 0
    with multiprocessing.Pool(args.jobs) as pool:
        for count in pool.imap_unordered(_tiny_chunk, jobs):
            done += count
            if done % 50000 < step:
                print("  %d/%d tiny images" % (done, n), file=sys.stderr, flush=True)
    expected, tsv = {}, []
    with open(os.path.join(out, "train.manifest"), "w") as f:
        for i in range(n):
            rel = "tiny/%03d/t-%06d.jpg" % (i // 1000, i)
            f.write(json.dumps({"source-ref": "s3://%s/%s" % (BUCKET, rel), "label": i % 2, "label-metadata": {
                "class-name": "class%d" % (i % 2), "confidence": 1, "type": "groundtruth/image-classification",
                "human-annotated": "yes", "creation-date": "2024-06-01T10:00:00.000000",
                "job-name": "labeling-job/bench/tiny"}}) + "\n")
            tsv.append("%s\tjpeg\t96\t72\t%d\t%s" % (rel, os.path.getsize(os.path.join(out, rel)),
                                                     "near_duplicate" if i in sources else ""))
            if i in sources:
                expected[str(i + 1)] = {"defect": "near_duplicate_" + ("reencoded" if i % 2 else "brightness"),
                                        "codes": [NEAR], "must_not": [], "full_mode_only": True, "image": rel,
                                        "first_line": sources[i] + 1}
    with open(os.path.join(out, "images.tsv"), "w") as f:
        f.write("path\tformat\twidth\theight\tbytes\tdefect\n" + "\n".join(tsv) + "\n")
    doc = {"generator": "Benchmarks/generate_dataset.py --tiny", "seed": args.seed, "images": n,
           "manifest": "train.manifest", "map": "s3://%s=%s" % (BUCKET, os.path.abspath(out)),
           "pixel_codes": PIXEL_CODES, "train_line_count": n, "lines": expected,
           "note": "96x72 JPEGs, each its own picture but the planted near-duplicates (lines, 1-based): a "
                   "re-encoded or brightened copy of the picture on first_line."}
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(doc, f, indent=1, sort_keys=True)
    print("wrote %s: %d tiny images, %d planted near-duplicates" % (out, n, len(expected)), file=sys.stderr)


def parse_size_mix(text):
    if text in SIZE_MIXES:
        return SIZE_MIXES[text]
    mix = []
    for part in text.split(","):
        size, _, weight = part.partition(":")
        w, h = size.lower().split("x")
        mix.append((int(w), int(h), float(weight or 1)))
    return mix


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("output", help="folder to write (created; keep it outside the repository)")
    p.add_argument("--images", type=int, default=2000, help="photos mode: number of manifest lines/images")
    p.add_argument("--sizes", default="photo",
                   help="size mix: photo, small, large, or WxH:weight,... (default photo)")
    p.add_argument("--defect-rate", type=float, default=0.05, help="share of lines given a defect (default 0.05)")
    p.add_argument("--jpeg-share", type=float, default=0.7, help="share of JPEGs (default 0.7)")
    p.add_argument("--quality-rate", type=float, default=0.05,
                   help="photos mode: extra training lines with pixel defects and hard negatives, as a share of "
                        "--images (default 0.05; 0: none)")
    p.add_argument("--test-share", type=float, default=0.15,
                   help="photos mode: test.manifest lines, as a share of --images (default 0.15; 0: no test manifest)")
    p.add_argument("--test-defect-rate", type=float, default=0.1,
                   help="photos mode: share of test lines copied from training images (default 0.1)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    p.add_argument("--many", type=int, metavar="N", help="many-small-files mode: N distinct files")
    p.add_argument("--lines", default="100000,250000", help="many mode: manifest sizes (default 100000,250000)")
    p.add_argument("--tiny", type=int, metavar="N",
                   help="tiny-images mode: N distinct 96x72 JPEGs and a classification manifest, with planted "
                        "near-duplicates (--tiny-duplicate-rate), for the near-duplicate index at scale")
    p.add_argument("--tiny-duplicate-rate", type=float, default=0.01, help="tiny mode: share of near-duplicates")
    args = p.parse_args()
    args.lines = [int(x) for x in args.lines.split(",") if x]
    if os.path.abspath(args.output).startswith(os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))):
        sys.exit("refusing to write inside the repository: choose a folder outside it (e.g. /work/bench-data/...)")
    if args.tiny:
        generate_tiny(args)
    elif args.many:
        generate_many(args)
    else:
        generate_photos(args)


if __name__ == "__main__":
    main()
