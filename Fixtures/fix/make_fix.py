#!/usr/bin/env python3
"""Writes Fixtures/fix/resized.manifest: lines whose boxes `preflight manifest fix` must move,
on images already in Fixtures/images (no image is made here). See README.md beside it.

    python3 Fixtures/fix/make_fix.py
"""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
BUCKET = "s3://fix-bucket/"
CLASS_MAP = {"0": "circle", "1": "square", "2": "triangle"}

# The shapes of jpeg-640x480.jpg (Fixtures/images/README.md), as (class_id, left, top, width, height).
SHAPES = [(0, 64, 48, 192, 192), (1, 352, 96, 160, 160), (2, 192, 288, 224, 160)]


def displayed_rotate90(box, stored_height):
    """A box on the stored pixels, as it lies on the picture EXIF orientation 6 displays
    (the stored grid turned 90 degrees clockwise: stored (x, y) shows at (H - y, x))."""
    cid, left, top, width, height = box
    return (cid, stored_height - (top + height), left, height, width)


def line(key, size, boxes, date):
    width, height = size
    return {
        "source-ref": BUCKET + key,
        "bounding-box": {
            "image_size": [{"width": width, "height": height, "depth": 3}],
            "annotations": [{"class_id": c, "top": t, "left": l, "width": w, "height": h} for c, l, t, w, h in boxes],
        },
        "bounding-box-metadata": {
            "objects": [{"confidence": 0.9} for _ in boxes],
            "class-map": {k: v for k, v in CLASS_MAP.items() if int(k) in {b[0] for b in boxes}},
            "type": "groundtruth/object-detection",
            "human-annotated": "yes",
            "creation-date": "2024-06-03T10:%02d:00.000" % date,
            "job-name": "labeling-job/shapes-detection",
        },
    }


LINES = [
    # 1. image_size and file agree.
    line("jpeg-640x480.jpg", (640, 480), SHAPES, 1),
    # 2. Labelled at 640 x 480, file now 320 x 240: every box scales by 0.5.
    line("jpeg-640x480-half.jpg", (640, 480), SHAPES, 2),
    # 3. Labelled at 1280 x 720, file now 2560 x 1440: every box scales by 2.
    line("png-2560x1440.png", (1280, 720), [(0, 100, 100, 200, 100), (1, 1000, 600, 280, 120)], 3),
    # 4. image_size says 320 x 240 but the boxes were drawn on the 640 x 480 file: only image_size is stale.
    line("jpeg-640x480.jpg", (320, 240), SHAPES, 4),
    # 5. image_size 192 x 96 on a 96 x 72 file: the sides changed by different factors (0.5, 0.75).
    line("jpeg-baseline.jpg", (192, 96), [(0, 20, 10, 150, 60)], 5),
    # 6. Labelled at 640 x 480, file 320 x 240, but one box runs past both frames.
    line("jpeg-640x480-half.jpg", (640, 480), [(0, 64, 48, 192, 192), (1, 600, 96, 100, 160)], 6),
    # 7. EXIF orientation 6, boxes drawn on the displayed 480 x 640 picture.
    line("jpeg-exif-orientation-6-640x480.jpg", (480, 640), [displayed_rotate90(b, 480) for b in SHAPES], 7),
    # 8. A key that leaves the mapped folder: its image is never read.
    line("../images/jpeg-640x480.jpg", (640, 480), SHAPES, 8),
]

with open(os.path.join(HERE, "resized.manifest"), "w") as out:
    for entry in LINES:
        out.write(json.dumps(entry, separators=(", ", ": ")) + "\n")
