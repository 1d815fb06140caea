#!/usr/bin/env python3
"""The comparison for Preflight's benchmark: what a careful user would write with Pillow.

For each line of a Ground Truth manifest: parse the JSON, map `source-ref` to a local file,
open the image with Pillow, `verify()` it, open it again and `load()` every pixel. Runs on
N worker processes. `--header-only` opens each image and reads its size only.

  python3 Benchmarks/pillow_check.py MANIFEST --map s3://bench-bucket=/data --jobs 2 [--header-only]
      [--report FILE]

Prints the throughput (images/s, lines/s) on standard error, and with --report writes one
JSON object: {"files": {path: "ok" | "error: ..."}, "lines": N, "seconds": S}.
Like most such scripts it knows nothing of libjpeg's corrupt-data warnings: Pillow lets
libjpeg-turbo carry on past damaged entropy data without a word.
"""
import argparse
import json
import multiprocessing
import os
import sys
import time

from PIL import Image

Image.MAX_IMAGE_PIXELS = 100_000_000  # as Preflight's default decoding limit


def check_full(path):
    try:
        with Image.open(path) as im:
            im.verify()
        with Image.open(path) as im:
            im.load()
            return path, "ok", im.size
    except Exception as error:  # noqa: BLE001 - every failure is a finding
        return path, "error: %s: %s" % (type(error).__name__, error), None


def check_header(path):
    try:
        with Image.open(path) as im:
            return path, "ok", im.size
    except Exception as error:  # noqa: BLE001
        return path, "error: %s: %s" % (type(error).__name__, error), None


def resolve(uri, maps):
    for prefix, directory in maps:
        if uri == prefix or uri.startswith(prefix + "/"):
            return directory + uri[len(prefix):]
    return None


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("manifest", nargs="?")
    p.add_argument("--files", help="check the files listed in this file (one path a line) instead of a manifest")
    p.add_argument("--map", action="append", default=[], metavar="s3://BUCKET[/PREFIX]=DIR")
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--header-only", action="store_true")
    p.add_argument("--report", help="write per-file outcomes as JSON to this file")
    args = p.parse_args()
    maps = sorted(((m.split("=", 1)[0].rstrip("/"), m.split("=", 1)[1].rstrip("/")) for m in args.map),
                  key=lambda m: -len(m[0]))

    if not args.manifest and not args.files:
        p.error("give a manifest or --files")
    start = time.perf_counter()
    paths, seen, lines, bad_lines = [], set(), 0, 0
    if args.files:
        with open(args.files) as f:
            paths = [x.rstrip("\n") for x in f if x.strip()]
    with open(args.manifest or os.devnull, encoding="utf-8") as f:
        for text in f:
            lines += 1
            try:
                line = json.loads(text)
                uri = line["source-ref"]
            except (ValueError, KeyError, TypeError):
                bad_lines += 1
                continue
            path = resolve(uri, maps)
            if path is not None and path not in seen:  # each distinct image once, as Preflight does
                seen.add(path)
                paths.append(path)

    check = check_header if args.header_only else check_full
    outcomes = {}
    with multiprocessing.Pool(args.jobs) as pool:
        for path, status, _size in pool.imap_unordered(check, paths, chunksize=64 if args.header_only else 4):
            outcomes[path] = status
    seconds = time.perf_counter() - start
    errors = sum(1 for s in outcomes.values() if s != "ok")
    print("pillow_check (%s, %d processes): %d lines (%d unparseable), %d images, %d with errors, %.2f s, "
          "%.1f images/s, %.1f lines/s" % ("header-only" if args.header_only else "verify+load", args.jobs, lines,
                                           bad_lines, len(paths), errors, seconds, len(paths) / seconds,
                                           lines / seconds), file=sys.stderr)
    if args.report:
        with open(args.report, "w") as f:
            json.dump({"files": outcomes, "lines": lines, "images": len(paths), "seconds": seconds}, f)


if __name__ == "__main__":
    main()
