#!/usr/bin/env python3
"""Preflight's benchmark: one command, one table.

  python3 Benchmarks/run.py --photos /work/bench-data/photos --many /work/bench-data/many

Builds Preflight in release mode (`swift build -c release --scratch-path /work/bench-build`,
run from the repository root so it never touches .build), then times, on the same files:

  photos folder (generate_dataset.py, photos mode):
    preflight check --mode full   first run, then an identical second run ("cached")
    preflight check --mode header first run, then an identical second run
    pillow_check.py verify()+load(), and --header-only
    jpeginfo -c (JPEGs) + pngcheck (PNGs), by content
    djpeg to /dev/null, full size and -scale 1/8
    per format, one process each: preflight probe --mode full against pillow_check.py --files
      (PNG also with --png-decode libpng, every row decoded by libpng)
  many folder (generate_dataset.py --many):
    preflight check --mode header on the 100,000-line manifest, twice
    pillow_check.py --header-only on the same manifest
    preflight check --mode header on the 250,000-line manifest (memory), also with
      --ignore PREFLIGHT_DUPLICATE_IMAGE
    preflight check with no --map (manifest reading only) on both manifests, one thread
      (the per-core rate) and --jobs threads: MB/s
  and Preflight's JPEG decode methods through its C shim (jpeg_methods.c) on a sample.
  pixel checks (near-duplicates, blurry, dark, bright, low information), full mode:
    the photos folder's test.manifest is passed with --test when present; precision and recall
      of each of the six codes against expected.json ("lines" and "test_lines"), the share of
      clean lines given any of them, hard negatives flagged; and the cost: the first full run
      against one with all six codes ignored (the pixel measures then are not computed)
    --real-photos (default: photographs bundled with scikit-image and scikit-learn, when
      installed): a classification manifest over them in OUT/real-photos, and the codes each gets
    --tiny (generate_dataset.py --tiny): full mode with and without the six codes

The first Preflight run of each kind gets an empty PREFLIGHT_CACHE_DIR; the second,
identical run reuses it ("cached").
Every tool gets --jobs/-P of the same number of processes (default 2), runs under `nice`,
and is timed with /usr/bin/time (wall, user+system CPU, peak RSS of the largest process).
Files are read once before timing so every run sees a warm page cache: "cold" means
Preflight's first run, not a cold disk. Prints the table, compares findings (every file
jpeginfo/pngcheck flag must be flagged by Preflight full mode; expected.json against
Preflight's findings), and writes results.json and results.md into --out.
"""
import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
BUILD = "/work/bench-build"
BUCKET = "bench-bucket"
NICE = ["nice", "-n", "10"]
APT_TOOLS = {"jpeginfo": "jpeginfo", "pngcheck": "pngcheck", "djpeg": "libjpeg-turbo-progs", "/usr/bin/time": "time"}


def log(message):
    print(message, file=sys.stderr, flush=True)


def ensure_tools():
    missing = sorted({pkg for tool, pkg in APT_TOOLS.items() if shutil.which(tool) is None})
    if missing:
        log("installing " + " ".join(missing))
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq"] + missing, check=True,
                       env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
    try:
        import PIL  # noqa: F401
    except ImportError:
        subprocess.run([sys.executable, "-m", "pip", "install", "pillow", "numpy"], check=True)


def build(attempts=8, pause=30):
    """Release build in its own scratch path. The engine may be edited while this runs
    (SwiftPM then stops with "modified during the build"): wait and try again."""
    for attempt in range(1, attempts + 1):
        log("building preflight (release, attempt %d)" % attempt)
        run = subprocess.run(NICE + ["swift", "build", "-c", "release", "--scratch-path", BUILD],
                             cwd=REPO, capture_output=True, text=True)
        if run.returncode == 0:
            return os.path.join(BUILD, "release", "preflight")
        log("\n".join(l for l in (run.stdout + run.stderr).splitlines() if "error" in l)[-2000:])
        time.sleep(pause)
    sys.exit("the release build failed %d times; rerun later or use --skip-build" % attempts)


def binary_info(preflight):
    import hashlib
    with open(preflight, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()[:16]
    newest = max(os.path.getmtime(os.path.join(d, n)) for d, _, names in os.walk(os.path.join(REPO, "Sources"))
                 for n in names)
    version = subprocess.run([preflight, "--version"], capture_output=True, text=True).stdout.strip()
    return {"path": preflight, "sha256_16": digest, "version": version,
            "built": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(os.path.getmtime(preflight))),
            "newest_source": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(newest))}


def loadavg():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


WARM = []  # the files to read again before each measurement


def timed(name, command, out_dir, stdout=None, cwd=None, env=None):
    """Runs command under nice and /usr/bin/time; returns wall, cpu, rss_mb, exit code.
    The files in WARM are read first (untimed): this VM pages out idle page cache within
    minutes, so without it a run would read from disk or not depending on what ran before."""
    warm(WARM)
    tfile = os.path.join(out_dir, "time-%s.txt" % re.sub(r"[^A-Za-z0-9]+", "-", name))
    full = ["/usr/bin/time", "-f", "%e %U %S %M", "-o", tfile] + NICE + command
    load = loadavg()
    with open(stdout or os.devnull, "w") as out:
        code = subprocess.run(full, stdout=out, stderr=subprocess.PIPE, cwd=cwd,
                              env=dict(os.environ, **(env or {}))).returncode
    with open(tfile) as f:
        last = [l for l in f.read().splitlines() if l.strip()][-1]
    wall, user, system, rss = last.split()
    result = {"name": name, "wall": float(wall), "cpu": float(user) + float(system), "user": float(user),
              "sys": float(system), "rss_mb": int(rss) / 1024, "exit": code, "load_before": load,
              "command": " ".join(command)}
    log("  %-44s %7.2f s wall %7.2f s cpu %7.1f MB  (load %.1f)" % (name, result["wall"], result["cpu"],
                                                                    result["rss_mb"], load))
    return result


def read_tsv(folder):
    rows = []
    with open(os.path.join(folder, "images.tsv")) as f:
        header = f.readline().rstrip("\n").split("\t")
        for line in f:
            rows.append(dict(zip(header, line.rstrip("\n").split("\t"))))
    return rows


def sniff(path):
    with open(path, "rb") as f:
        head = f.read(8)
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    return "other"


def warm(paths):
    """Reads every file once so that all tools see the same, warm page cache."""
    for p in paths:
        with open(p, "rb") as f:
            while f.read(1 << 22):
                pass


def write_list(path, items):
    with open(path, "w") as f:
        f.write("\n".join(items) + ("\n" if items else ""))


def parse_jpeginfo(folder):
    flagged = {}
    for name in os.listdir(folder):
        if not name.startswith("j."):
            continue
        with open(os.path.join(folder, name), errors="replace") as f:
            for line in f:
                m = re.match(r"(\S+)\s.*?\s(OK|WARNING|ERROR)\b\s*(.*)$", line.rstrip())
                if m and m.group(2) != "OK":
                    flagged[m.group(1)] = "jpeginfo %s %s" % (m.group(2), m.group(3).strip())
                elif not m and line.strip():
                    path = line.split()[0]
                    if os.path.exists(path):
                        flagged.setdefault(path, "jpeginfo: " + line.strip())
    return flagged


def parse_pngcheck(folder):
    flagged, messages = {}, {}
    for name in os.listdir(folder):
        if not name.startswith("p."):
            continue
        with open(os.path.join(folder, name), errors="replace") as f:
            for line in f:
                line = line.rstrip()
                if line.startswith("ERROR: "):
                    path = line[len("ERROR: "):].strip()
                    flagged[path] = "pngcheck: " + "; ".join(messages.get(path, [])) or "pngcheck ERROR"
                elif line and not line.startswith("OK: ") and not line.startswith("Errors were") \
                        and not line.startswith("No errors"):
                    parts = line.split(None, 1)
                    if len(parts) == 2:
                        messages.setdefault(parts[0], []).append(parts[1].strip())
    return flagged


def preflight_findings(report_path, dataset="training"):
    """The report, its findings' codes by line of one manifest ("training" or "testing"), and
    by image (both manifests)."""
    with open(report_path) as f:
        report = json.load(f)
    by_line, by_image = {}, {}
    for finding in report.get("findings", []):
        if finding.get("line") is not None and finding.get("dataset", "training") == dataset:
            by_line.setdefault(finding["line"], []).append(finding["code"])
        if finding.get("image"):
            by_image.setdefault(finding["image"], []).append(finding["code"])
    return report, by_line, by_image


def compare_expected(expected, by_line, mode, key="lines", name=""):
    """Expected codes missing per defective line, and codes on lines that expect none (or that
    a line must not get). key: "lines" (train.manifest) or "test_lines" (test.manifest)."""
    missed, unexpected = [], []
    entries = expected.get(key) or {}
    for line, entry in sorted(entries.items(), key=lambda kv: int(kv[0])):
        if mode == "header" and entry.get("full_mode_only"):
            continue
        got = by_line.get(int(line), [])
        for code in entry.get("codes", []):
            if code not in got:
                missed.append("%sline %s (%s): %s not reported (got %s)" % (
                    name, line, entry.get("defect"), code, got or "nothing"))
    for line, codes in sorted(by_line.items()):
        entry = entries.get(str(line))
        extra = [c for c in codes if not entry or c not in entry.get("codes", [])]
        if extra:
            unexpected.append("%sline %d: %s" % (name, line, ", ".join(sorted(set(extra)))))
    return missed, unexpected


PIXEL_CODES = ["PREFLIGHT_NEAR_DUPLICATE_IMAGE", "PREFLIGHT_TRAIN_TEST_NEAR_DUPLICATE", "PREFLIGHT_BLURRY_IMAGE",
               "PREFLIGHT_DARK_IMAGE", "PREFLIGHT_BRIGHT_IMAGE", "PREFLIGHT_LOW_INFORMATION_IMAGE"]


def pixel_scores(expected, by_manifest, line_counts):
    """Precision and recall of each pixel code against expected.json, over both manifests.
    by_manifest: {"lines": by_line of train.manifest, "test_lines": by_line of test.manifest};
    line_counts: lines in each. A line expects a code when its entry lists it; every other
    report of the code is a false positive. Clean lines are lines with no entry at all."""
    codes = expected.get("pixel_codes") or PIXEL_CODES
    scores = {}
    for code in codes:
        tp, fp, fn = [], [], []
        for key, name in (("lines", "train"), ("test_lines", "test")):
            entries = expected.get(key) or {}
            by_line = by_manifest.get(key) or {}
            for line in range(1, line_counts.get(key, 0) + 1):
                want = code in (entries.get(str(line)) or {}).get("codes", [])
                got = code in by_line.get(line, [])
                label = "%s:%d (%s)" % (name, line, (entries.get(str(line)) or {}).get("defect", "clean"))
                if want and got:
                    tp.append(label)
                elif got:
                    fp.append(label)
                elif want:
                    fn.append(label)
        scores[code] = {"true_positives": len(tp), "false_positives": fp, "false_negatives": fn,
                        "precision": len(tp) / (len(tp) + len(fp)) if tp or fp else None,
                        "recall": len(tp) / (len(tp) + len(fn)) if tp or fn else None}
    clean = flagged = 0
    flagged_lines, hard_negatives = [], []
    for key, name in (("lines", "train"), ("test_lines", "test")):
        entries = expected.get(key) or {}
        by_line = by_manifest.get(key) or {}
        for line in range(1, line_counts.get(key, 0) + 1):
            entry = entries.get(str(line))
            got = sorted(set(c for c in by_line.get(line, []) if c in codes))
            if entry is None:
                clean += 1
                if got:
                    flagged += 1
                    flagged_lines.append("%s:%d %s" % (name, line, ", ".join(got)))
            else:
                wrong = [c for c in entry.get("must_not", []) if c in by_line.get(line, [])]
                if wrong:
                    hard_negatives.append("%s:%d (%s): %s" % (name, line, entry.get("defect"), ", ".join(wrong)))
    return {"codes": scores, "clean_lines": clean, "clean_lines_flagged": flagged,
            "clean_false_flag_rate": flagged / clean if clean else None, "clean_lines_flagged_list": flagged_lines,
            "hard_negatives_flagged": hard_negatives}


def find_real_photos(explicit=None):
    """Real photographs bundled with PyPI packages (scikit-image's skimage/data, scikit-learn's
    sklearn/datasets/images) in this Python's environment, or the JPEG/PNG files in `explicit`."""
    found = []
    if explicit:
        for name in sorted(os.listdir(explicit)):
            if name.lower().endswith((".jpg", ".jpeg", ".png")):
                found.append((os.path.join(explicit, name), "given folder"))
        return found
    import importlib.util
    # Photographs whose licence the package states (CC0 or public domain; CC BY 2.0 for
    # scikit-learn's two). Drawings, text and scanned pages are left out.
    places = [("skimage", "data", ["astronaut.png", "camera.png", "coffee.png", "chelsea.png", "rocket.jpg",
                                   "coins.png", "brick.png", "grass.png", "gravel.png", "hubble_deep_field.jpg",
                                   "retina.jpg", "ihc.png"]),
              ("sklearn", os.path.join("datasets", "images"), ["china.jpg", "flower.jpg"])]
    for package, sub, names in places:
        spec = importlib.util.find_spec(package)
        if not spec or not spec.submodule_search_locations:
            continue
        folder = os.path.join(list(spec.submodule_search_locations)[0], sub)
        for name in names:
            path = os.path.join(folder, name)
            if os.path.isfile(path) and name.lower().endswith((".jpg", ".jpeg", ".png")):
                found.append((path, package))
    return found


def classification_line(source_ref, label):
    return json.dumps({"source-ref": source_ref, "label": 1, "label-metadata": {
        "class-name": label, "confidence": 1, "type": "groundtruth/image-classification", "human-annotated": "yes",
        "creation-date": "2024-06-01T10:00:00.000000", "job-name": "labeling-job/bench/real-photos"}})


def fmt(value, digits=1):
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    return ("{:,.%df}" % digits).format(value)


def machine_info(preflight):
    info = {"nproc": os.cpu_count(), "kernel": platform.release()}
    with open("/proc/cpuinfo") as f:
        models = [l.split(":", 1)[1].strip() for l in f if l.startswith("model name")]
    info["cpu"] = models[0] if models else "unknown"
    with open("/proc/meminfo") as f:
        info["memory_gb"] = round(int(f.readline().split()[1]) / 1024 / 1024, 1)
    info["swift"] = subprocess.run(["swift", "--version"], capture_output=True, text=True).stdout.splitlines()[0] \
        if shutil.which("swift") else "unknown"
    info["python"] = platform.python_version()
    import PIL
    from PIL import features
    info["pillow"] = PIL.__version__
    info["pillow_libjpeg_turbo"] = features.version("libjpeg_turbo")
    info["pillow_zlib"] = features.version("zlib")

    def dpkg(pkg):
        run = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", pkg], capture_output=True, text=True)
        return run.stdout or "not installed"
    for pkg in ("libjpeg62-turbo", "libpng16-16", "zlib1g", "jpeginfo", "pngcheck", "libjpeg-turbo-progs"):
        info["deb_" + pkg] = dpkg(pkg)
    return info


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--photos", help="a folder made by generate_dataset.py (photos mode)")
    p.add_argument("--many", help="a folder made by generate_dataset.py --many")
    p.add_argument("--jobs", type=int, default=2, help="processes/threads for every tool (default 2)")
    p.add_argument("--out", default="/work/bench-data/results", help="where to write results (outside the repo)")
    p.add_argument("--skip-build", action="store_true", help="use the binary already in /work/bench-build")
    p.add_argument("--methods-sample", type=int, default=300,
                   help="JPEGs for the decode-method comparison (0: skip; default 300)")
    p.add_argument("--real-photos", default="auto", metavar="DIR",
                   help="real photographs to count the pixel checks' false flags on: a folder of JPEG/PNG files, "
                        "'auto' (default: those bundled with scikit-image and scikit-learn, when installed) or 'none'")
    p.add_argument("--tiny", help="a folder made by generate_dataset.py --tiny: full mode with and without the "
                                  "pixel checks (the near-duplicate index at that many images)")
    args = p.parse_args()
    if not args.photos and not args.many and not args.tiny and args.real_photos in ("auto", "none"):
        p.error("give --photos, --many, --tiny and/or --real-photos DIR")
    os.makedirs(args.out, exist_ok=True)
    jobs = str(args.jobs)
    ensure_tools()
    preflight = os.path.join(BUILD, "release", "preflight") if args.skip_build else build()
    started = time.time()
    info = machine_info(preflight)
    info["preflight_binary"] = binary_info(preflight)
    results = {"machine": info, "jobs": args.jobs, "rows": [], "findings": {}, "goals": {}}
    rows = results["rows"]
    pillow = os.path.join(REPO, "Benchmarks", "pillow_check.py")

    def fresh_cache(name):
        """An empty Preflight result cache (PREFLIGHT_CACHE_DIR) for a first ("cold") run."""
        path = os.path.join(args.out, "cache-" + name)
        shutil.rmtree(path, ignore_errors=True)
        os.makedirs(path)
        return {"PREFLIGHT_CACHE_DIR": path}

    def row(tool, mode, images, megapixels, measurement, baseline=None, extra=None):
        r = dict(measurement, tool=tool, mode=mode, images=images, megapixels=megapixels)
        r["images_per_s"] = images / r["wall"] if r["wall"] > 0 else None
        r["cpu_ms_per_mp"] = r["cpu"] * 1000 / megapixels if megapixels else None
        r["baseline"] = baseline
        r.update(extra or {})
        rows.append(r)
        return r

    # ------------------------------------------------------------ photos
    if args.photos:
        folder = os.path.abspath(args.photos)
        manifest = os.path.join(folder, "train.manifest")
        with open(os.path.join(folder, "expected.json")) as f:
            expected = json.load(f)
        files = [r for r in read_tsv(folder)]
        paths = [os.path.join(folder, r["path"]) for r in files]
        mp = {os.path.join(folder, r["path"]): int(r["width"]) * int(r["height"]) / 1e6 for r in files}
        total_mp = sum(mp.values())
        log("photos: %d files, %.2f GB, %.2f gigapixels" % (
            len(paths), sum(os.path.getsize(x) for x in paths) / 1e9, total_mp / 1e3))
        WARM[:] = paths
        by_format = {"jpeg": [], "png": [], "other": []}
        for x in paths:
            by_format[sniff(x)].append(x)
        lists = tempfile.mkdtemp(prefix="bench-lists-", dir=args.out)
        write_list(os.path.join(lists, "jpeg.list"), by_format["jpeg"])
        write_list(os.path.join(lists, "png.list"), by_format["png"])
        jpeg_mp = sum(mp[x] for x in by_format["jpeg"])
        mapping = "s3://%s=%s" % (BUCKET, folder)
        test_manifest = os.path.join(folder, expected.get("test_manifest") or "test.manifest")
        test_args = ["--test", test_manifest] if os.path.exists(test_manifest) else []
        results["photos"] = {"folder": folder, "files": len(paths), "gigapixels": total_mp / 1e3,
                             "bytes": sum(os.path.getsize(x) for x in paths), "jpeg": len(by_format["jpeg"]),
                             "png": len(by_format["png"]), "manifest_lines": sum(1 for _ in open(manifest))}

        log("photos: timing")
        pf = {}
        for mode in ("full", "header"):
            cache = fresh_cache("photos-" + mode)
            for run_name in ("first run", "second run"):
                report = os.path.join(args.out, "preflight-%s-%s.json" % (mode, run_name.split()[0]))
                m = timed("preflight %s %s" % (mode, run_name),
                          [preflight, "check", manifest] + test_args + ["--map", mapping, "--mode", mode, "--jobs",
                                                                         jobs, "--format", "json", "--output", report],
                          args.out, env=cache)
                rep = json.load(open(report))
                pf[(mode, run_name)] = (m, report, rep["summary"]["images_examined"])
        # The cost of the pixel checks: the same first full run with all six codes ignored (then
        # the pixel measures are not computed at all).
        report = os.path.join(args.out, "preflight-full-nopixel.json")
        ignore = [a for code in PIXEL_CODES for a in ("--ignore", code)]
        if os.path.exists(report):
            os.remove(report)
        m = timed("preflight full first run, pixel checks ignored",
                  [preflight, "check", manifest] + test_args + ["--map", mapping, "--mode", "full", "--jobs", jobs]
                  + ignore + ["--format", "json", "--output", report], args.out, env=fresh_cache("photos-nopixel"))
        nopixel = (m, json.load(open(report))["summary"]["images_examined"]) if os.path.exists(report) else None
        pillow_full_report = os.path.join(args.out, "pillow-full.json")
        pil_full = timed("pillow verify+load", [sys.executable, pillow, manifest, "--map", mapping, "--jobs", jobs,
                                                "--report", pillow_full_report], args.out)
        pil_full_images = json.load(open(pillow_full_report))["images"]
        pillow_header_report = os.path.join(args.out, "pillow-header.json")
        pil_head = timed("pillow header-only", [sys.executable, pillow, manifest, "--map", mapping, "--jobs", jobs,
                                                "--header-only", "--report", pillow_header_report], args.out)
        out_jp = tempfile.mkdtemp(prefix="jpeginfo-pngcheck-", dir=args.out)
        script = ("xargs -a {j} -P{n} -n 20 sh -c 'jpeginfo -c \"$@\" > \"$0/j.$$\" 2>&1' {o}; "
                  "xargs -a {p} -P{n} -n 20 sh -c 'pngcheck \"$@\" > \"$0/p.$$\" 2>&1' {o}; true").format(
            j=os.path.join(lists, "jpeg.list"), p=os.path.join(lists, "png.list"), n=jobs, o=out_jp)
        jp = timed("jpeginfo -c + pngcheck", ["sh", "-c", script], args.out)
        dj = timed("djpeg", ["sh", "-c", "xargs -a %s -P%s -n1 djpeg -outfile /dev/null 2>/dev/null; true" % (
            os.path.join(lists, "jpeg.list"), jobs)], args.out)
        dj8 = timed("djpeg -scale 1/8", ["sh", "-c",
                                         "xargs -a %s -P%s -n1 djpeg -scale 1/8 -outfile /dev/null 2>/dev/null; true" % (
                                             os.path.join(lists, "jpeg.list"), jobs)], args.out)

        base_full = row("Pillow script", "verify()+load()", pil_full_images, total_mp, pil_full)
        for run_name in ("first run", "second run"):
            m, report, images = pf[("full", run_name)]
            row("Preflight", "full, %s%s" % (run_name, " (\"cached\")" if run_name == "second run" else ""),
                images, total_mp, m, base_full)
        if nopixel:
            row("Preflight", "full, first run, six pixel codes ignored", nopixel[1], total_mp, nopixel[0], base_full)
        row("jpeginfo -c + pngcheck", "full check", len(by_format["jpeg"]) + len(by_format["png"]), total_mp, jp,
            base_full)
        row("djpeg", "full decode (JPEGs only)", len(by_format["jpeg"]), jpeg_mp, dj, None)
        row("djpeg -scale 1/8", "1/8 decode (JPEGs only)", len(by_format["jpeg"]), jpeg_mp, dj8, None)
        base_head = row("Pillow script", "header-only", pil_full_images, total_mp, pil_head)
        for run_name in ("first run", "second run"):
            m, report, images = pf[("header", run_name)]
            row("Preflight", "header, %s" % run_name, images, total_mp, m, base_head)

        # Findings.
        theirs = parse_jpeginfo(out_jp)
        theirs.update(parse_pngcheck(out_jp))
        full_report, full_by_line, full_by_image = preflight_findings(pf[("full", "first run")][1])
        _, head_by_line, _ = preflight_findings(pf[("header", "first run")][1])
        misses = {path: why for path, why in theirs.items() if not full_by_image.get(path)}
        weaker = {path: "%s; Preflight: %s" % (why, ", ".join(sorted(set(full_by_image[path]))))
                  for path, why in theirs.items()
                  if full_by_image.get(path) and "ERROR_INVALID_IMAGE" not in full_by_image[path]}
        pil_report = json.load(open(pillow_full_report))["files"]
        corrupt = [os.path.join(folder, c) for c in expected["corrupt_files"]]
        full_missed, full_unexpected = compare_expected(expected, full_by_line, "full")
        head_missed, head_unexpected = compare_expected(expected, head_by_line, "header")
        line_counts = {"lines": sum(1 for _ in open(manifest))}
        full_by_test_line, head_by_test_line = {}, {}
        if test_args:
            line_counts["test_lines"] = sum(1 for _ in open(test_manifest))
            _, full_by_test_line, _ = preflight_findings(pf[("full", "first run")][1], "testing")
            _, head_by_test_line, _ = preflight_findings(pf[("header", "first run")][1], "testing")
            missed, unexpected = compare_expected(expected, full_by_test_line, "full", "test_lines", "test ")
            full_missed += missed
            full_unexpected += unexpected
            missed, unexpected = compare_expected(expected, head_by_test_line, "header", "test_lines", "test ")
            head_missed += missed
            head_unexpected += unexpected
        pixels = pixel_scores(expected, {"lines": full_by_line, "test_lines": full_by_test_line}, line_counts)
        m_full = pf[("full", "first run")][0]
        pixels["cost"] = {
            "with_checks": {"wall": m_full["wall"], "cpu": m_full["cpu"], "rss_mb": m_full["rss_mb"]},
            "without_checks": {"wall": nopixel[0]["wall"], "cpu": nopixel[0]["cpu"], "rss_mb": nopixel[0]["rss_mb"]}
            if nopixel else None}
        if pixels["cost"]["without_checks"]:
            w = pixels["cost"]["without_checks"]
            pixels["cost"]["ratio_wall"] = m_full["wall"] / max(w["wall"], 0.01)
            pixels["cost"]["ratio_cpu"] = m_full["cpu"] / max(w["cpu"], 0.01)
        results["pixel_checks"] = pixels
        results["findings"] = {
            "jpeginfo_pngcheck_flagged": len(theirs),
            "jpeginfo_pngcheck_flagged_files": theirs,
            "missed_by_preflight_full": misses,
            "flagged_by_them_only_warned_by_preflight": weaker,
            "injected_corrupt_files": len(corrupt),
            "injected_corrupt_found_by_jpeginfo_pngcheck": sum(1 for c in corrupt if c in theirs),
            "injected_corrupt_found_by_preflight_full": sum(1 for c in corrupt if "ERROR_INVALID_IMAGE" in full_by_image.get(c, [])),
            "injected_corrupt_found_by_pillow": sum(1 for c in corrupt if pil_report.get(c, "ok") != "ok"),
            "injected_corrupt_missed_by_pillow": [c for c in corrupt if pil_report.get(c, "ok") == "ok"],
            "expected_missed_full": full_missed, "unexpected_full": full_unexpected,
            "expected_missed_header": head_missed, "unexpected_header": head_unexpected,
            "defective_lines": sum(1 for e in list(expected["lines"].values())
                                   + list((expected.get("test_lines") or {}).values()) if e.get("codes")),
        }
        for mode in ("full", "header"):
            a = [(x["code"], x.get("line"), x.get("image")) for x in
                 json.load(open(pf[(mode, "first run")][1]))["findings"]]
            b = [(x["code"], x.get("line"), x.get("image")) for x in
                 json.load(open(pf[(mode, "second run")][1]))["findings"]]
            results["findings"]["second_run_same_findings_" + mode] = sorted(map(str, a)) == sorted(map(str, b))

        # Where the time goes, per format: one process each, Preflight's probe against the
        # Pillow script on the same files.
        for fmt_name, key in (("JPEG", "jpeg"), ("PNG", "png")):
            listed = by_format[key]
            fmp = sum(mp[x] for x in listed)
            pil = timed("pillow %s only, 1 process" % fmt_name,
                        [sys.executable, pillow, "--files", os.path.join(lists, key + ".list"), "--jobs", "1"], args.out)
            base = row("Pillow script, 1 process", "verify()+load(), %s only" % fmt_name, len(listed), fmp, pil)
            pr = timed("preflight probe %s only" % fmt_name, [preflight, "probe", "--mode", "full"] + listed, args.out)
            row("preflight probe, 1 process", "full, %s only" % fmt_name, len(listed), fmp, pr, base)
            if key == "png":
                # The same files with libpng decoding every row, the method the default replaces.
                lp = timed("preflight probe PNG only, libpng rows",
                           [preflight, "probe", "--mode", "full", "--png-decode", "libpng"] + listed, args.out)
                row("preflight probe, 1 process", "full, PNG only, --png-decode libpng", len(listed), fmp, lp, base)

        if args.methods_sample:
            exe = os.path.join(BUILD, "jpeg_methods")
            subprocess.run(["cc", "-O2", "-o", exe, os.path.join(REPO, "Benchmarks", "jpeg_methods.c"),
                            os.path.join(REPO, "Sources", "CJPEGShim", "pf_jpeg.c"),
                            os.path.join(REPO, "Sources", "CPixelAverager", "pf_averager.c"),
                            "-I", os.path.join(REPO, "Sources", "CJPEGShim", "include"),
                            "-I", os.path.join(REPO, "Sources", "CPixelAverager", "include"), "-ljpeg"], check=True)
            step = max(1, len(by_format["jpeg"]) // args.methods_sample)
            sample = by_format["jpeg"][::step][:args.methods_sample]
            log("decode methods on %d JPEGs (one thread)" % len(sample))
            out = subprocess.run(NICE + [exe] + sample, capture_output=True, text=True, check=True).stdout
            lines = [l.split("\t") for l in out.strip().splitlines()]
            results["jpeg_methods"] = [dict(zip(lines[0], l)) for l in lines[1:]]
            probe_mp = sum(mp[x] for x in sample)
            probe = timed("preflight probe --mode full (sample)", [preflight, "probe", "--mode", "full"] + sample,
                          args.out)
            results["jpeg_methods_probe"] = {"files": len(sample), "megapixels": probe_mp, "cpu": probe["cpu"],
                                             "ms_per_mp": probe["cpu"] * 1000 / probe_mp}

    # ------------------------------------------------------------ many small files
    if args.many:
        folder = os.path.abspath(args.many)
        mapping = "s3://%s=%s" % (BUCKET, folder)
        manifests = sorted((int(re.search(r"lines-(\d+)", n).group(1)), os.path.join(folder, n))
                           for n in os.listdir(folder) if re.match(r"lines-\d+\.manifest$", n))
        files = read_tsv(folder)
        log("many: %d files" % len(files))
        WARM[:] = [os.path.join(folder, r["path"]) for r in files]
        small_mp = 640 * 480 / 1e6
        results["many"] = {"folder": folder, "files": len(files),
                           "manifests": {str(n): os.path.getsize(path) for n, path in manifests}}
        first = manifests[0][1]
        pil_head_many = timed("pillow header-only (many)", [sys.executable, pillow, first, "--map", mapping,
                                                           "--jobs", jobs, "--header-only"], args.out)
        base = row("Pillow script", "header-only, %d lines" % manifests[0][0], manifests[0][0], None, pil_head_many)
        base["lines"] = manifests[0][0]
        for n, path in manifests:
            runs = ("first run", "second run") if path == first else ("first run",)
            cache = fresh_cache("many-%d" % n)
            for run_name in runs:
                report = os.path.join(args.out, "preflight-many-%d-%s.json" % (n, run_name.split()[0]))
                m = timed("preflight header %d lines %s" % (n, run_name),
                          [preflight, "check", path, "--map", mapping, "--mode", "header", "--jobs", jobs,
                           "--format", "json", "--output", report], args.out, env=cache)
                images = json.load(open(report))["summary"]["images_examined"]
                r = row("Preflight", "header, %d lines, %s" % (n, run_name), images, images * small_mp, m,
                        base if path == first else None)
                r["lines"] = n
        n, path = manifests[-1]
        report = os.path.join(args.out, "preflight-many-%d-nodup.json" % n)
        m = timed("preflight header %d lines, duplicates ignored" % n,
                  [preflight, "check", path, "--map", mapping, "--mode", "header", "--jobs", jobs,
                   "--ignore", "PREFLIGHT_DUPLICATE_IMAGE", "--format", "json", "--output", report], args.out,
                  env=fresh_cache("many-%d-nodup" % n))
        images = json.load(open(report))["summary"]["images_examined"]
        r = row("Preflight", "header, %d lines, --ignore PREFLIGHT_DUPLICATE_IMAGE" % n, images, images * small_mp, m)
        r["lines"] = n
        WARM[:] = []
        # Per core is one thread's rate: on this VM a second thread adds about 1.3 to 1.5 times
        # the throughput, not 2, so two threads' CPU-seconds understate what one core does.
        # The threaded run gives the wall time.
        for n, path in manifests:
            for threads in ("1", jobs):
                report = os.path.join(args.out, "preflight-parse-%d-j%s.json" % (n, threads))
                m = timed("preflight manifest only %d lines, %s thread(s)" % (n, threads),
                          [preflight, "check", path, "--mode", "header", "--jobs", threads, "--format", "json",
                           "--output", report], args.out, env=fresh_cache("parse-%d" % n))
                size_mb = os.path.getsize(path) / 1e6
                r = row("Preflight", "manifest only (no --map), %d lines, --jobs %s" % (n, threads), 0, None, m)
                r["lines"] = n
                r["threads"] = int(threads)
                r["manifest_mb"] = size_mb
                r["mb_per_s"] = size_mb / m["wall"]
                r["mb_per_cpu_s"] = size_mb / m["cpu"]

    # ------------------------------------------------------------ real third-party photos
    real = [] if args.real_photos == "none" else find_real_photos(None if args.real_photos == "auto" else args.real_photos)
    if real:
        folder = os.path.join(args.out, "real-photos")
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(os.path.join(folder, "images"))
        lines = []
        for k, (path, origin) in enumerate(real):
            name = "%02d-%s" % (k, os.path.basename(path))
            shutil.copyfile(path, os.path.join(folder, "images", name))
            lines.append(classification_line("s3://real-photos/images/" + name, origin))
        manifest = os.path.join(folder, "train.manifest")
        write_list(manifest, lines)
        report = os.path.join(folder, "preflight-full.json")
        log("real photos: %d files" % len(real))
        m = timed("preflight full, real photos", [preflight, "check", manifest, "--map", "s3://real-photos=" + folder,
                                                  "--mode", "full", "--jobs", jobs, "--format", "json", "--output",
                                                  report], args.out, env=fresh_cache("real-photos"))
        _, by_line, _ = preflight_findings(report) if os.path.exists(report) else (None, {}, None)
        per_file = {os.path.basename(path): sorted(set(c for c in by_line.get(k + 1, []) if c in PIXEL_CODES))
                    for k, (path, _) in enumerate(real)}
        results["real_photos"] = {"files": {os.path.basename(p): o for p, o in real}, "pixel_codes": per_file,
                                  "counts": {c: sum(1 for v in per_file.values() if c in v) for c in PIXEL_CODES},
                                  "flagged": sum(1 for v in per_file.values() if v), "wall": m["wall"]}

    # ------------------------------------------------------------ tiny images: the near-duplicate index
    if args.tiny:
        folder = os.path.abspath(args.tiny)
        manifest = os.path.join(folder, "train.manifest")
        mapping = "s3://%s=%s" % (BUCKET, folder)
        with open(os.path.join(folder, "expected.json")) as f:
            tiny_expected = json.load(f)
        WARM[:] = [os.path.join(folder, r["path"]) for r in read_tsv(folder)]
        lines = tiny_expected.get("train_line_count") or sum(1 for _ in open(manifest))
        tiny = {"folder": folder, "lines": lines}
        ignore = [a for code in PIXEL_CODES for a in ("--ignore", code)]
        for label, extra in (("with pixel checks", []), ("pixel checks ignored", ignore)):
            report = os.path.join(args.out, "preflight-tiny-%s.json" % label.split()[0])
            if os.path.exists(report):
                os.remove(report)
            m = timed("preflight full tiny, %s" % label, [preflight, "check", manifest, "--map", mapping, "--mode",
                                                         "full", "--jobs", jobs] + extra +
                      ["--format", "json", "--output", report], args.out, env=fresh_cache("tiny-" + label.split()[0]))
            images = json.load(open(report))["summary"]["images_examined"] if os.path.exists(report) else 0
            r = row("Preflight", "full, %d tiny images, %s" % (lines, label), images, images * 96 * 72 / 1e6, m)
            r["lines"] = lines
            tiny[label] = {"wall": m["wall"], "cpu": m["cpu"], "rss_mb": m["rss_mb"], "report": os.path.exists(report)}
            if label == "with pixel checks" and os.path.exists(report):
                _, by_line, _ = preflight_findings(report)
                tiny["scores"] = pixel_scores(tiny_expected, {"lines": by_line}, {"lines": lines})
        WARM[:] = []
        results["tiny"] = tiny

    results["seconds_total"] = time.time() - started

    # ------------------------------------------------------------ table
    header = ["tool", "mode", "images", "seconds", "images/s", "CPU s", "CPU ms/MP", "peak RSS MB",
              "ratio to Pillow (wall)", "ratio to Pillow (CPU)"]
    table = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for r in rows:
        ratio = cpu_ratio = None
        if r.get("baseline"):
            b = r["baseline"]
            ratio = "%.2fx" % ((r["images"] / max(r["wall"], 0.01)) / (b["images"] / max(b["wall"], 0.01)))
            cpu_ratio = "%.2fx" % ((r["images"] / max(r["cpu"], 0.01)) / (b["images"] / max(b["cpu"], 0.01)))
            r["ratio_wall"], r["ratio_cpu"] = ratio, cpu_ratio
        speed = fmt(r["images_per_s"]) if r["images"] else "%s MB/s (%s MB per CPU-s)" % (
            fmt(r.get("mb_per_s")), fmt(r.get("mb_per_cpu_s")))
        if r.get("lines") and r["images"]:
            speed += " (%s lines/s)" % fmt(r["lines"] / r["wall"], 0)
        table.append("| " + " | ".join([r["tool"], r["mode"], fmt(r["images"], 0), fmt(r["wall"], 2), speed,
                                        fmt(r["cpu"], 1), fmt(r["cpu_ms_per_mp"], 2), fmt(r["rss_mb"], 0),
                                        ratio or "-", cpu_ratio or "-"]) + " |")
    for r in rows:
        r.pop("baseline", None)
    text = "\n".join(table)
    print(text)
    with open(os.path.join(args.out, "results.md"), "w") as f:
        f.write(text + "\n")
    if "jpeg_methods" in results:
        print("\nJPEG decode methods (Preflight's C shim, one thread):")
        for m in results["jpeg_methods"]:
            print("  %-26s %5s files %9s MP %8s ms CPU  %6s ms/MP  %s flagged" % (
                m["method"], m["files"], m["megapixels"], m["cpu_ms"], m["ms_per_mp"], m["flagged"]))
        pr = results["jpeg_methods_probe"]
        print("  preflight probe --mode full, same files: %.2f ms/MP CPU (whole process)" % pr["ms_per_mp"])
    if results["findings"]:
        f = results["findings"]
        print("\nFindings: jpeginfo -c + pngcheck flag %d files; Preflight full mode misses %d of them." % (
            f["jpeginfo_pngcheck_flagged"], len(f["missed_by_preflight_full"])))
        for path, why in f["missed_by_preflight_full"].items():
            print("  MISSED %s: %s" % (path, why))
        for path, why in f["flagged_by_them_only_warned_by_preflight"].items():
            print("  flagged by them, only a warning from Preflight: %s: %s" % (os.path.basename(path), why))
        print("Injected corrupt files: %d; found by jpeginfo/pngcheck %d, Preflight full %d, Pillow %d" % (
            f["injected_corrupt_files"], f["injected_corrupt_found_by_jpeginfo_pngcheck"],
            f["injected_corrupt_found_by_preflight_full"], f["injected_corrupt_found_by_pillow"]))
        for mode in ("full", "header"):
            missed, unexpected = f["expected_missed_" + mode], f["unexpected_" + mode]
            print("expected.json vs Preflight %s mode: %d of %d defective lines' codes missed, %d lines with unexpected codes" % (
                mode, len(missed), f["defective_lines"], len(unexpected)))
            for x in missed[:20] + unexpected[:20]:
                print("  " + x)
            print("second run (cache) reports the same findings as the first, %s mode: %s" % (
                mode, f["second_run_same_findings_" + mode]))
    def print_scores(scores, title):
        print("\n%s:" % title)
        for code, sc in scores["codes"].items():
            print("  %-38s TP %4d  FP %4d  FN %4d  precision %s  recall %s" % (
                code, sc["true_positives"], len(sc["false_positives"]), len(sc["false_negatives"]),
                "-" if sc["precision"] is None else "%.3f" % sc["precision"],
                "-" if sc["recall"] is None else "%.3f" % sc["recall"]))
            for label in sc["false_positives"][:10]:
                print("      false positive %s" % label)
            for label in sc["false_negatives"][:10]:
                print("      false negative %s" % label)
        print("  clean lines given a pixel code: %d of %d (%s)" % (
            scores["clean_lines_flagged"], scores["clean_lines"],
            "-" if scores["clean_false_flag_rate"] is None else "%.2f%%" % (100 * scores["clean_false_flag_rate"])))
        for x in scores["clean_lines_flagged_list"][:10]:
            print("      %s" % x)
        print("  hard negatives flagged (mirrored, dim, ...): %d" % len(scores["hard_negatives_flagged"]))
        for x in scores["hard_negatives_flagged"][:10]:
            print("      %s" % x)

    if "pixel_checks" in results:
        print_scores(results["pixel_checks"], "Pixel checks against expected.json (full mode, first run)")
        cost = results["pixel_checks"]["cost"]
        if cost.get("without_checks"):
            a, b = cost["with_checks"], cost["without_checks"]
            print("  cost: with the checks %.2f s wall, %.1f s CPU; six codes ignored %.2f s wall, %.1f s CPU: "
                  "%.2fx wall, %.2fx CPU" % (a["wall"], a["cpu"], b["wall"], b["cpu"], cost["ratio_wall"],
                                             cost["ratio_cpu"]))
        else:
            print("  cost: the run with the six codes ignored gave no report (are the codes known to this binary?)")
    if "real_photos" in results:
        rp = results["real_photos"]
        print("\nReal photos (%d files): %d given a pixel code" % (len(rp["files"]), rp["flagged"]))
        for name, codes in rp["pixel_codes"].items():
            print("  %-28s %-14s %s" % (name, rp["files"][name], ", ".join(codes) or "-"))
    if "tiny" in results:
        t = results["tiny"]
        a, b = t.get("with pixel checks"), t.get("pixel checks ignored")
        if a and b:
            print("\nTiny images (%d lines): with the pixel checks %.2f s wall, %.1f s CPU, %.0f MB; ignored %.2f s "
                  "wall, %.1f s CPU, %.0f MB" % (t["lines"], a["wall"], a["cpu"], a["rss_mb"], b["wall"], b["cpu"],
                                                 b["rss_mb"]))
        if t.get("scores"):
            print_scores(t["scores"], "Tiny images: pixel checks against expected.json")

    # ------------------------------------------------------------ goals (from the tracker issue)
    def find(tool, mode_start):
        return next((r for r in rows if r["tool"] == tool and r["mode"].startswith(mode_start)), None)

    goals = []
    full1, full2 = find("Preflight", "full, first"), find("Preflight", "full, second")
    if full1 and full1.get("ratio_wall"):
        w, c = float(full1["ratio_wall"][:-1]), float(full1["ratio_cpu"][:-1])
        misses = len(results["findings"].get("missed_by_preflight_full", {}))
        goals.append(("full mode >= 1.5x Pillow (same cores), every jpeginfo/pngcheck finding",
                      "%s: %.2fx wall, %.2fx CPU; %d files missed" % (
                          "met" if min(w, c) >= 1.5 and misses == 0 else "MISSED", w, c, misses)))
    if full1 and full2:
        x = full1["wall"] / max(full2["wall"], 0.01)
        goals.append(("second run >= 50x faster than the first, full mode", "%s: %.0fx (wall %.2f s -> %.2f s)" % (
            "met" if x >= 50 else "MISSED", x, full1["wall"], full2["wall"])))
    many1 = next((r for r in rows if r["tool"] == "Preflight" and r["mode"].startswith("header, ")
                  and r["mode"].endswith("lines, first run") and r.get("lines") == 100000), None)
    many2 = next((r for r in rows if r["tool"] == "Preflight" and r["mode"].startswith("header, ")
                  and r["mode"].endswith("lines, second run")), None)
    if many1 and many2:
        x = many1["wall"] / max(many2["wall"], 0.01)
        goals.append(("second run >= 50x faster than the first, header mode, many files",
                      "%s: %.1fx (wall %.2f s -> %.2f s)" % ("met" if x >= 50 else "MISSED", x, many1["wall"], many2["wall"])))
    head = next((r for r in rows if r["tool"] == "Preflight" and r["mode"].startswith("header, ")
                 and "lines, first run" in r["mode"]), None)
    if head and head.get("ratio_wall"):
        w, c = float(head["ratio_wall"][:-1]), float(head["ratio_cpu"][:-1])
        goals.append(("header mode >= 10x Pillow header-only, %d lines/files" % head["lines"],
                      "%s: %.2fx wall, %.2fx CPU" % ("met" if min(w, c) >= 10 else "MISSED", w, c)))
    parse = [r for r in rows if r["mode"].startswith("manifest only") and r.get("threads") == 1]
    if parse:
        worst = min(r["mb_per_s"] for r in parse)
        goals.append(("manifest reading >= 100 MB/s per core", "%s: %.0f MB/s on one thread (lowest of %s)" % (
            "met" if worst >= 100 else "MISSED", worst, ", ".join("%.0f" % r["mb_per_s"] for r in parse))))
    big = [r for r in rows if r["tool"] == "Preflight" and "250000 lines" in r["mode"]]
    if big:
        peak = max(r["rss_mb"] for r in big)
        goals.append(("peak memory <= 150 MB at 250,000 lines", "%s: %s" % (
            "met" if peak <= 150 else "MISSED", "; ".join("%.0f MB (%s)" % (r["rss_mb"], r["mode"]) for r in big))))
    results["goals"] = dict(goals)
    print("\nGoals:")
    for goal, verdict in goals:
        print("  %-80s %s" % (goal, verdict))
    print("\nbenchmark time: %.0f s; results in %s" % (results["seconds_total"], args.out))
    with open(os.path.join(args.out, "results.json"), "w") as fh:
        json.dump(results, fh, indent=1, default=str)


if __name__ == "__main__":
    main()
