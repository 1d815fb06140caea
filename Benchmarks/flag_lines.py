#!/usr/bin/env python3
"""Writes a copy of a bounding-box manifest in which some lines are flagged, for timing reports.

Every Nth line (--stale-every) declares an image_size twice the real one
(PREFLIGHT_IMAGE_SIZE_MISMATCH), and every Mth line (--off-every) gets its first box moved past
the right edge (ERROR_INVALID_BOUNDING_BOX). The other lines are copied unchanged.

    python3 Benchmarks/flag_lines.py IN.manifest OUT.manifest [--stale-every 20] [--off-every 50]
"""
import argparse
import json

parser = argparse.ArgumentParser()
parser.add_argument("source")
parser.add_argument("target")
parser.add_argument("--stale-every", type=int, default=20)
parser.add_argument("--off-every", type=int, default=50)
args = parser.parse_args()

with open(args.source, encoding="utf-8") as source, open(args.target, "w", encoding="utf-8") as target:
    for number, text in enumerate(source, start=1):
        if number % args.stale_every and number % args.off_every:
            target.write(text)
            continue
        line = json.loads(text)
        attribute = line["bounding-box"]
        if number % args.stale_every == 0:
            for size in attribute["image_size"]:
                size["width"] *= 2
                size["height"] *= 2
                for box in attribute["annotations"]:
                    for side in ("left", "top", "width", "height"):
                        box[side] *= 2
        if number % args.off_every == 0 and attribute["annotations"]:
            box = attribute["annotations"][0]
            box["left"] = attribute["image_size"][0]["width"] - box["width"] // 2
        target.write(json.dumps(line) + "\n")
