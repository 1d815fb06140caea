#!/usr/bin/env python3
"""Recreate Fixtures/example/: a small object-detection dataset with deliberate faults.

The README's main command checks it:

    preflight check Fixtures/example/train.manifest --test Fixtures/example/test.manifest \\
        --map s3://example-bucket=Fixtures/example

Run this script by hand after changing it (`python3 Fixtures/example/make_example.py`). It
deletes and rewrites images/, train.manifest, test.manifest and README.md, checks its own
output, and prints one line. The output is deterministic: fixed seeds, fixed dates, no
timestamps in the files. Needs Python 3 with Pillow; djpeg (libjpeg-turbo-progs) is used
for an extra check when it is on PATH.

The dataset: pictures of circles, squares and triangles (class ids 0, 1, 2) on textured
backgrounds, labelled in the SageMaker Ground Truth bounding-box format (attribute
`bounding-box`). Every box of a valid line is the exact pixel extent of the drawn shape
(its outline included, its soft shadow excluded). TRAIN and TEST below list the lines in
manifest order; FAULTS describes the deliberate faults and drives README.md.
"""

import datetime
import hashlib
import io
import json
import os
import random
import shutil
import subprocess
import sys
import warnings

from PIL import Image, ImageDraw, ImageFilter, ImageOps

HERE = os.path.dirname(os.path.abspath(__file__))
IMAGES = os.path.join(HERE, "images")
BUCKET = "example-bucket"
PREFIX = "s3://%s/images/" % BUCKET
CLASSES = {0: "circle", 1: "square", 2: "triangle"}
ID = {name: i for i, name in CLASSES.items()}
JOB = "labeling-job/shapes-detection"
MAX_TOTAL_BYTES = 400 * 1024

# One line: (image name, stored size, encoding, shapes, fault key or None).
# shapes: a list of class names placed at random (seeded by the line), or a list of
# (class name, (left, top, width, height)) placed exactly (the fault lines need that).
TRAIN = [
    ("train-01.jpg", (640, 480), "JPEG", ["circle", "square", "triangle"], None),
    ("train-02.jpg", (320, 240), "JPEG", ["circle"], None),
    ("train-03.png", (160, 120), "PNG", ["square"], None),
    ("train-04.jpg", (480, 360), "JPEG", ["triangle", "circle"], None),
    ("train-05.jpg", (480, 360), "JPEG", [("square", (60, 96, 132, 132)), ("circle", (410, 140, 100, 100))],
     "box-off-frame"),
    ("train-06.jpg", (256, 256), "JPEG", ["triangle"], None),
    ("train-07.jpg", (320, 240), "JPEG", ["square", "triangle"], None),
    ("train-08.jpg", (640, 480), "JPEG", [("circle", (24, 20, 150, 150)), ("square", (380, 60, 170, 170)),
                                         ("triangle", (200, 276, 200, 174))], "size-mismatch"),
    ("train-09.png", (128, 128), "PNG", ["circle"], None),
    ("train-10.jpg", (400, 300), "JPEG", ["square", "triangle"], None),
    ("train-11.jpg", (200, 150), "PNG", ["triangle", "circle"], "png-named-jpg"),
    ("train-12.jpg", (96, 96), "JPEG", ["square"], None),
    ("train-13.jpg", (320, 240), "JPEG", ["circle"], "missing-image"),
    ("train-14.jpg", (320, 240), "JPEG", ["circle", "triangle"], None),
    ("train-15.png", (192, 144), "PNG", ["square", "circle"], None),
    ("train-16.jpg", (320, 240), "JPEG", ["triangle"], "invalid-json"),
    ("train-17.jpg", (640, 480), "JPEG", ["square", "square", "circle"], None),
    ("train-18.jpg", (240, 320), "JPEG", ["triangle", "square"], None),
    ("train-19.jpg", (400, 300), "JPEG", ["circle", "square"], "truncated-jpeg"),
    ("train-20.jpg", (160, 160), "JPEG", ["triangle"], None),
    ("train-21.jpg", (320, 240), "JPEG", ["circle", "circle"], None),
    ("train-22.png", (256, 192), "PNG", ["triangle", "square"], None),
]
TEST = [
    ("test-01.jpg", (320, 240), "JPEG", ["circle", "square"], None),
    ("test-02.jpg", (400, 300), "JPEG", ["triangle"], None),
    ("test-03.jpg", (320, 240), "JPEG", ["square", "triangle"], "train-test-overlap"),
    ("test-04.png", (160, 120), "PNG", ["circle"], None),
    ("test-05.jpg", (480, 360), "JPEG", ["square", "triangle", "circle"], "missing-confidence"),
    ("test-06.jpg", (256, 256), "JPEG", ["square", "triangle"], None),
    ("test-07.jpg", (320, 240), "JPEG", ["triangle", "circle"], None),
]
OVERLAP = ("test-03.jpg", "train-07.jpg")  # the test image is a byte copy of this training image

# fault key: (what is wrong, what should be reported). Codes in backticks.
FAULTS = {
    "box-off-frame": (
        "The image is 480x360. The circle is cut by the right edge of the picture, and its box "
        "(second annotation: left 410, width 100) runs to x = 510, past the right edge.",
        "`ERROR_INVALID_BOUNDING_BOX` on that annotation; the service drops that box and keeps the line "
        "with its square."),
    "size-mismatch": (
        "`image_size` says 640x480 and the boxes were drawn on a 640x480 picture, but the file was "
        "later resized to 320x240. The circle box still fits the real frame; the square box (left 380) "
        "and the triangle box (bottom 450) do not.",
        "`PREFLIGHT_IMAGE_SIZE_MISMATCH` (every box fits the real image at scale 0.5). The guide does not say "
        "that the service compares `image_size` with the file; checked against the real 320x240 frame, the "
        "square and triangle boxes get `ERROR_INVALID_BOUNDING_BOX` and are dropped, the circle box stays."),
    "missing-image": (
        "`source-ref` names images/train-13.jpg, which does not exist.",
        "`ERROR_INVALID_IMAGE`; the line is invalid."),
    "invalid-json": (
        "The line lacks its final closing brace (the image, train-16.jpg, exists and is fine).",
        "`ERROR_INVALID_JSON_LINE`; the line is invalid."),
    "png-named-jpg": (
        "train-11.jpg holds a valid 200x150 PNG under a .jpg name; the line is otherwise valid.",
        "`PREFLIGHT_FORMAT_EXTENSION_MISMATCH` (a warning: the content is a valid PNG, which the service "
        "accepts, so the line is expected to stay valid)."),
    "truncated-jpeg": (
        "train-19.jpg is a baseline JPEG cut off inside its entropy-coded data: the header (400x300, "
        "matching `image_size`) is intact, only a full decode finds the missing end (no EOI).",
        "`ERROR_INVALID_IMAGE`; the line is invalid."),
    "train-test-overlap": (
        "test-03.jpg is a byte-for-byte copy of train-07.jpg (training line 7), under another name, with "
        "the same boxes; the line is otherwise valid.",
        "`PREFLIGHT_TRAIN_TEST_OVERLAP` (an error: the same image in both sets makes the test score meaningless, though the service trains all the same)."),
    "missing-confidence": (
        "Three annotations, but `objects` in the metadata holds only two confidences.",
        "`ERROR_MISSING_BOUNDING_BOX_CONFIDENCE` (metadata error; the guide does not say whether the "
        "line stays usable)."),
}
# Faults that certainly make a whole line invalid for the service (for the 20% rule).
LINE_INVALID = {"missing-image", "invalid-json", "truncated-jpeg"}

BACKGROUNDS = [  # (dark, light) colours of the texture
    ((110, 80, 50), (190, 150, 100)),   # wood
    ((95, 95, 92), (170, 170, 165)),    # concrete
    ((55, 85, 55), (125, 155, 115)),    # green cloth
    ((50, 65, 100), (120, 135, 170)),   # denim
    ((150, 128, 90), (215, 195, 155)),  # sand
]
SHAPE_COLOURS = [(205, 45, 40), (40, 90, 200), (235, 190, 35), (40, 160, 70), (150, 60, 170),
                 (240, 120, 30), (30, 170, 180), (235, 235, 225)]


class CheckFailed(Exception):
    pass


def check(cond, what):
    if not cond:
        raise CheckFailed(what)


# --------------------------------------------------------------------------- pictures

def texture(w, h, rnd, dark, light):
    """Seeded blotchy texture: a coarse and a fine random grid, resized and blended, colourised."""
    def grid(gw, gh, resample):
        g = Image.new("L", (gw, gh))
        g.putdata([rnd.randrange(256) for _ in range(gw * gh)])
        return g.resize((w, h), resample)
    t = Image.blend(grid(max(3, w // 40 + 2), max(3, h // 40 + 2), Image.Resampling.BICUBIC),
                    grid(max(4, w // 10), max(4, h // 10), Image.Resampling.BILINEAR), 0.3)
    return ImageOps.colorize(t, dark, light)


def shape_mask(size, kind, geom, point_down=False):
    """L mask of one shape; its getbbox() is the geometry (left, top, width, height), clipped to size."""
    left, top, w, h = geom
    right, bottom = left + w - 1, top + h - 1
    mask = Image.new("L", size)
    d = ImageDraw.Draw(mask)
    if kind == "circle":
        d.ellipse((left, top, right, bottom), fill=255)
    elif kind == "square":
        d.rectangle((left, top, right, bottom), fill=255)
    elif point_down:
        d.polygon([(left, top), (right, top), (left + w // 2, bottom), (left + (w - 1) // 2, bottom)], fill=255)
    else:
        d.polygon([(left, bottom), (right, bottom), (left + (w - 1) // 2, top), (left + w // 2, top)], fill=255)
    return mask


def place(rnd, size, kinds):
    """Random non-overlapping geometries for kinds, kept 3 px inside the picture."""
    w, h = size
    m = min(w, h)
    placed = []
    for kind in kinds:
        for _ in range(1000):
            s = rnd.randrange(max(20, m * 22 // 100), m * 42 // 100 + 1)
            gw, gh = s, (s * 87 // 100 if kind == "triangle" else s)
            left, top = rnd.randrange(3, w - gw - 2), rnd.randrange(3, h - gh - 2)
            if all(left + gw + 8 <= l or l + pw + 8 <= left or top + gh + 8 <= t or t + ph + 8 <= top
                   for _, (l, t, pw, ph) in placed):
                placed.append((kind, (left, top, gw, gh)))
                break
        else:
            raise CheckFailed("no room for a %s in %dx%d" % (kind, w, h))
    return placed


def picture(size, shapes, seed):
    """(RGB image, [(kind, geometry, drawn bbox)]): textured background, shapes with soft shadows."""
    rnd = random.Random(seed)
    w, h = size
    dark, light = BACKGROUNDS[rnd.randrange(len(BACKGROUNDS))]
    img = texture(w, h, rnd, dark, light)
    colours = rnd.sample(SHAPE_COLOURS, len(shapes))
    drawn = []
    for (kind, geom), colour in zip(shapes, colours):
        mask = shape_mask(size, kind, geom, point_down=kind == "triangle" and rnd.random() < 0.3)
        shadow = Image.new("L", size)
        shadow.paste(mask, (4, 4))
        shadow = shadow.filter(ImageFilter.GaussianBlur(3)).point(lambda v: v * 2 // 5)
        img.paste((20, 20, 20), (0, 0), shadow)
        shade = Image.linear_gradient("L").resize((geom[2], geom[3]))
        fill = Image.new("RGB", size, colour)
        fill.paste(ImageOps.colorize(shade, colour, tuple(c * 3 // 5 for c in colour)), geom[:2])
        img.paste(tuple(c * 2 // 5 for c in colour), (0, 0), mask)            # 2 px outline
        img.paste(fill, (0, 0), mask.filter(ImageFilter.MinFilter(5)))       # shaded inside
        drawn.append((kind, geom, mask.getbbox()))
    return img, drawn


def encode(img, fmt):
    buf = io.BytesIO()
    if fmt == "JPEG":
        img.save(buf, "JPEG", quality=80, subsampling=2)
    else:
        img.save(buf, "PNG", optimize=True)
    return buf.getvalue()


def truncate_jpeg(data):
    """Cut a baseline JPEG about 55% into its entropy-coded data (never right after 0xFF)."""
    i = 2
    while True:
        check(data[i] == 0xFF, "JPEG marker at %d" % i)
        marker, n = data[i + 1], int.from_bytes(data[i + 2:i + 4], "big")
        i += 2 + n
        if marker == 0xDA:
            break
    cut = i + (len(data) - 2 - i) * 55 // 100
    while data[cut - 1] == 0xFF:
        cut += 1
    return data[:cut]


# --------------------------------------------------------------------------- manifests

def record(name, size, boxes, seed, line_no):
    """The Ground Truth JSON object of one line. boxes: [(kind, (left, top, width, height))]."""
    rnd = random.Random(seed * 7919)
    w, h = size
    stamp = datetime.datetime(2024, 5, 14, 9, 0, 0) + datetime.timedelta(seconds=97 * line_no + seed % 60,
                                                                        microseconds=seed * 4099 % 1000000)
    ids = sorted({ID[k] for k, _ in boxes})
    return {
        "source-ref": PREFIX + name,
        "bounding-box": {
            "image_size": [{"width": w, "height": h, "depth": 3}],
            "annotations": [{"class_id": ID[k], "top": t, "left": l, "width": bw, "height": bh}
                            for k, (l, t, bw, bh) in boxes],
        },
        "bounding-box-metadata": {
            "objects": [{"confidence": round(rnd.uniform(0.86, 0.99), 2)} for _ in boxes],
            "class-map": {str(i): CLASSES[i] for i in ids},
            "type": "groundtruth/object-detection",
            "human-annotated": "yes",
            "creation-date": stamp.strftime("%Y-%m-%dT%H:%M:%S.%f"),
            "job-name": JOB,
        },
    }


def build():
    """({file name: bytes}, {manifest: [line text]}, {(manifest, line): facts for the checks})."""
    files, manifests, facts = {}, {}, {}
    pictures = {}
    for manifest, lines, base_seed in (("train.manifest", TRAIN, 100), ("test.manifest", TEST, 200)):
        texts = []
        for n, (name, size, fmt, shapes, fault) in enumerate(lines, 1):
            seed = base_seed + n
            rnd = random.Random(seed)
            if fault == "train-test-overlap":
                src = OVERLAP[1]
                img, drawn, size = pictures[src]
                files[name] = files[src]
            else:
                geoms = shapes if isinstance(shapes[0], tuple) else place(rnd, size, shapes)
                img, drawn = picture(size, geoms, seed)
                pictures[name] = (img, drawn, size)
                if fault == "size-mismatch":
                    files[name] = encode(img.resize((size[0] // 2, size[1] // 2), Image.Resampling.LANCZOS), fmt)
                elif fault == "truncated-jpeg":
                    files[name] = truncate_jpeg(encode(img, fmt))
                elif fault != "missing-image":
                    files[name] = encode(img, fmt)
            # A valid line's box is the drawn extent; the off-frame and resized lines keep the
            # geometry the annotator drew (past the edge, or on the original 640x480 frame).
            boxes = [(k, g if fault in ("box-off-frame", "size-mismatch") else
                      (b[0], b[1], b[2] - b[0], b[3] - b[1])) for k, g, b in drawn]
            rec = record(name, size, boxes, seed, n)
            if fault == "missing-confidence":
                rec["bounding-box-metadata"]["objects"].pop()
            text = json.dumps(rec)
            if fault == "invalid-json":
                check(text.endswith("}}"), "record ends in two braces")
                text = text[:-1]
            texts.append(text)
            facts[(manifest, n)] = {"name": name, "fault": fault, "drawn": drawn, "size": size, "fmt": fmt}
        manifests[manifest] = texts
    return files, manifests, facts


# --------------------------------------------------------------------------- README

def readme(manifests, facts, files):
    out = [
        "# Example dataset",
        "",
        "Generated by `make_example.py` (do not edit by hand; run `python3 Fixtures/example/make_example.py`",
        "to recreate this folder). An object-detection dataset for Amazon Rekognition Custom Labels:",
        "%d pictures of circles, squares and triangles on textured backgrounds (JPEG and PNG, 96 to 640 px," % len(files),
        "%d KB in all), labelled in the SageMaker Ground Truth bounding-box format: label attribute" % (
            (sum(len(d) for d in files.values()) + 1023) // 1024),
        "`bounding-box`, class map `0` circle, `1` square, `2` triangle. `source-ref` values are",
        "`%s<name>`; with `--map s3://%s=Fixtures/example`" % (PREFIX, BUCKET),
        "they resolve to `images/<name>` here.",
        "",
        "```",
        "preflight check Fixtures/example/train.manifest --test Fixtures/example/test.manifest \\",
        "    --map s3://example-bucket=Fixtures/example",
        "```",
        "",
        "Every box on a valid line is the exact pixel extent of its drawn shape (outline included, soft",
        "shadow excluded). Most lines are valid; the lines below carry one deliberate fault each.",
        "",
        "## Deliberate faults",
        "",
        "| Manifest | Line | Image | Fault | Expected report |",
        "| --- | --- | --- | --- | --- |",
    ]
    for (m, n), f in sorted(facts.items(), key=lambda kv: (kv[0][0] != "train.manifest", kv[0][1])):
        if f["fault"]:
            what, code = FAULTS[f["fault"]]
            out.append("| `%s` | %d | `%s` | %s | %s |" % (m, n, f["name"], what, code))
    counts = {}
    for m in manifests:
        lines = [n for (mm, n) in facts if mm == m]
        bad = sorted(n for (mm, n), f in facts.items() if mm == m and f["fault"] in LINE_INVALID)
        counts[m] = (len(lines), bad)
    tl, tb = counts["train.manifest"]
    sl, sb = counts["test.manifest"]
    out += [
        "",
        "Line numbers are 1-based, as in the service's `error_json_line_indices`.",
        "",
        "## What this adds up to",
        "",
        "- Training: %d lines; %d certainly invalid for the service (lines %s: %.1f%%, under the 20%% that"
        % (tl, len(tb), ", ".join(map(str, tb)), 100.0 * len(tb) / tl),
        "  stops training). Lines %d and %d lose boxes but keep a valid one, so they stay in use (a box error"
        % tuple(n for (m, n), f in sorted(facts.items()) if m == "train.manifest"
                and f["fault"] in ("box-off-frame", "size-mismatch")),
        "  drops the box, not the line). Every label keeps at least %d training images among the valid lines." % min_label_images(facts),
        "- Test: %d lines; line %d may be invalid (%.1f%%). Every label appears on valid test lines, so the"
        % (sl, [n for (m, n), f in facts.items() if m == "test.manifest" and f["fault"] == "missing-confidence"][0],
           100.0 / sl),
        "  train/test label overlap is 100%.",
        "- No dataset-level error is expected: one bucket, three labels in both sets, no auto-split.",
        "",
        "## All lines",
        "",
        "| Manifest | Line | Image | Stored size | Format | Boxes |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for (m, n), f in sorted(facts.items(), key=lambda kv: (kv[0][0] != "train.manifest", kv[0][1])):
        stored = f.get("stored")
        out.append("| `%s` | %d | `%s` | %s | %s | %s |" % (
            m, n, f["name"], "%dx%d" % stored if stored else "(missing)", f.get("format") or "-",
            ", ".join(k for k, _, _ in f["drawn"])))
    return ("\n".join(out) + "\n").encode()


def min_label_images(facts):
    per = {name: 0 for name in CLASSES.values()}
    for (m, _), f in facts.items():
        if m == "train.manifest" and f["fault"] not in LINE_INVALID:
            for k in {k for k, _, _ in f["drawn"]}:
                per[k] += 1
    return min(per.values())


# --------------------------------------------------------------------------- checks

def sniff(data):
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    return None


def full_decode(path):
    """(ok, size, error): a complete Pillow decode with warnings as errors."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            with Image.open(path) as im:
                size = im.size
                im.load()
            return True, size, ""
        except Exception as e:  # noqa: BLE001 - any failure is the answer
            return False, None, "%s: %s" % (type(e).__name__, e)


def inside(box, w, h):
    return box["left"] >= 0 and box["top"] >= 0 and box["left"] + box["width"] <= w and box["top"] + box["height"] <= h


def verify(files, manifests, facts):
    check(sorted(os.listdir(IMAGES)) == sorted(files), "images/ holds exactly the built files")
    total = sum(len(d) for d in files.values())
    check(total < MAX_TOTAL_BYTES, "images total %d bytes, over %d" % (total, MAX_TOTAL_BYTES))
    check(set(FAULTS) == {f["fault"] for f in facts.values() if f["fault"]}, "each fault used once")
    check(sum(1 for f in facts.values() if f["fault"]) == len(FAULTS), "one fault per line")
    djpeg = shutil.which("djpeg")

    for manifest, texts in manifests.items():
        with open(os.path.join(HERE, manifest), "rb") as fh:
            raw = fh.read()
        check(raw.endswith(b"\n") and raw.decode("ascii").split("\n")[:-1] == texts, manifest + " as built")
        for n, text in enumerate(texts, 1):
            f = facts[(manifest, n)]
            fault = f["fault"]
            where = "%s line %d" % (manifest, n)
            try:
                rec = json.loads(text)
                check(fault != "invalid-json", where + " should not parse")
            except json.JSONDecodeError:
                check(fault == "invalid-json", where + " does not parse")
                rec = json.loads(text + "}")
            check(list(rec) == ["source-ref", "bounding-box", "bounding-box-metadata"], where + ": keys")
            check(rec["source-ref"] == PREFIX + f["name"], where + ": source-ref")
            bb, meta = rec["bounding-box"], rec["bounding-box-metadata"]
            check(list(bb) == ["image_size", "annotations"] and len(bb["image_size"]) == 1
                  and set(bb["image_size"][0]) == {"width", "height", "depth"}
                  and bb["image_size"][0]["depth"] == 3, where + ": image_size")
            anns = bb["annotations"]
            check(1 <= len(anns) <= 3 and all(list(a) == ["class_id", "top", "left", "width", "height"]
                                              and all(isinstance(v, int) for v in a.values()) for a in anns),
                  where + ": annotations")
            check(set(meta) == {"objects", "class-map", "type", "human-annotated", "creation-date", "job-name"}
                  and meta["type"] == "groundtruth/object-detection" and meta["human-annotated"] == "yes"
                  and meta["job-name"] == JOB, where + ": metadata")
            datetime.datetime.strptime(meta["creation-date"], "%Y-%m-%dT%H:%M:%S.%f")
            check(all(set(o) == {"confidence"} and 0 < o["confidence"] <= 1 for o in meta["objects"]),
                  where + ": confidences")
            check(len(meta["objects"]) == len(anns) - (1 if fault == "missing-confidence" else 0),
                  where + ": one confidence per box")
            check(meta["class-map"] == {str(a["class_id"]): CLASSES[a["class_id"]] for a in anns},
                  where + ": class-map")
            check([CLASSES[a["class_id"]] for a in anns] == [k for k, _, _ in f["drawn"]], where + ": labels")
            f["annotations"] = anns

            claimed = (bb["image_size"][0]["width"], bb["image_size"][0]["height"])
            path = os.path.join(IMAGES, f["name"])
            if fault == "missing-image":
                check(not os.path.exists(path), where + ": image should be missing")
                continue
            data = files[f["name"]]
            fmt = sniff(data)
            check(fmt == f["fmt"], where + ": content is " + str(fmt))
            ext_fmt = {"jpg": "JPEG", "png": "PNG"}[f["name"].rsplit(".", 1)[1]]
            check((fmt != ext_fmt) == (fault == "png-named-jpg"), where + ": extension vs content")
            ok, size, err = full_decode(path)
            with Image.open(path) as im:
                header = im.size
                check(not im.getexif(), where + ": no EXIF")
            if fault == "truncated-jpeg":
                check(not ok and header == claimed and not data.endswith(b"\xff\xd9"),
                      where + ": truncated but header intact: " + err)
                if djpeg:
                    r = subprocess.run([djpeg, "-outfile", os.devnull, path], capture_output=True)
                    check(r.returncode != 0 and b"Premature end of JPEG file" in r.stderr, where + ": djpeg")
            else:
                check(ok, where + ": decodes: " + err)
                if djpeg and fmt == "JPEG":
                    r = subprocess.run([djpeg, "-outfile", os.devnull, path], capture_output=True)
                    check(r.returncode == 0 and not r.stderr, where + ": djpeg decodes cleanly")
            f["stored"], f["format"] = header, fmt
            w, h = header
            check(96 <= min(w, h) and max(w, h) <= 640, where + ": 96..640 px")

            boxes = [(a["left"], a["top"], a["width"], a["height"]) for a in anns]
            check(all(bw >= 20 and bh >= 17 for _, _, bw, bh in boxes), where + ": boxes not tiny")
            if fault == "size-mismatch":
                check(claimed == (2 * w, 2 * h), where + ": image_size is twice the file")
                check(all(inside(a, *claimed) for a in anns), where + ": boxes fit the claimed frame")
                check(any(inside(a, w, h) for a in anns) and not all(inside(a, w, h) for a in anns),
                      where + ": some boxes on, some off the real frame")
                check(all(inside({k: v / 2 for k, v in a.items()}, w, h) for a in anns), where + ": scale 0.5 fits")
                check(all(g == (b[0], b[1], b[2] - b[0], b[3] - b[1]) for _, g, b in f["drawn"]),
                      where + ": boxes are the drawn extents on the 640x480 original")
                continue
            check(claimed == header, where + ": image_size matches the file")
            if fault == "box-off-frame":
                off = [a for a in anns if not inside(a, w, h)]
                check(len(off) == 1 and off[0]["left"] < w < off[0]["left"] + off[0]["width"]
                      and off[0]["top"] >= 0 and off[0]["top"] + off[0]["height"] <= h, where + ": one box past the right edge")
                check(any(b[2] == w for _, _, b in f["drawn"]), where + ": that shape is cut by the edge")
                continue
            check(all(inside(a, w, h) for a in anns), where + ": boxes inside the image")
            check(all((a["left"], a["top"], a["left"] + a["width"], a["top"] + a["height"]) == b
                      for a, (_, _, b) in zip(anns, f["drawn"])), where + ": boxes are the drawn extents")
            check(all(a["width"] * a["height"] < w * h // 4 for a in anns), where + ": no box covers the image")

    # Duplicates: exactly the one deliberate train/test pair.
    by_hash = {}
    for name, data in files.items():
        by_hash.setdefault(hashlib.sha256(data).hexdigest(), []).append(name)
    dups = [sorted(v) for v in by_hash.values() if len(v) > 1]
    check(dups == [sorted(OVERLAP)], "duplicate content: %r" % dups)
    check(TRAIN[int(OVERLAP[1][6:8]) - 1][0] == OVERLAP[1], "overlap source name")

    # Labels and the 20% rule.
    check(min_label_images(facts) >= 2, "every label has 2+ valid training images")
    test_labels = set()
    for (m, _), f in facts.items():
        if m == "test.manifest" and f["fault"] is None:
            test_labels |= {k for k, _, _ in f["drawn"]}
    check(test_labels == set(CLASSES.values()), "every label on valid test lines")
    for m, limit in (("train.manifest", 0.15), ("test.manifest", 0.20)):
        lines = [f for (mm, _), f in facts.items() if mm == m]
        bad = [f for f in lines if f["fault"] in LINE_INVALID | {"missing-confidence"}]
        check(len(bad) / len(lines) < limit, "%s: %d of %d lines invalid" % (m, len(bad), len(lines)))


# --------------------------------------------------------------------------- main

def main():
    files, manifests, facts = build()
    if os.path.isdir(IMAGES):
        shutil.rmtree(IMAGES)
    os.makedirs(IMAGES)
    for name, data in files.items():
        with open(os.path.join(IMAGES, name), "wb") as fh:
            fh.write(data)
    for manifest, texts in manifests.items():
        with open(os.path.join(HERE, manifest), "wb") as fh:
            fh.write(("\n".join(texts) + "\n").encode("ascii"))
    try:
        verify(files, manifests, facts)
    except CheckFailed as e:
        sys.exit("make_example.py: self-check failed: %s" % e)
    with open(os.path.join(HERE, "README.md"), "wb") as fh:
        fh.write(readme(manifests, facts, files))
    print("make_example.py: wrote %d images (%d bytes), train.manifest (%d lines), test.manifest (%d lines), "
          "README.md to Fixtures/example; %d deliberate faults; all self-checks passed"
          % (len(files), sum(len(d) for d in files.values()), len(manifests["train.manifest"]),
             len(manifests["test.manifest"]), len(FAULTS)))


if __name__ == "__main__":
    main()
