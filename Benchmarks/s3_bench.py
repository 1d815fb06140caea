#!/usr/bin/env python3
"""Preflight reading a dataset straight from S3, against copying the bucket first.

  python3 Benchmarks/s3_bench.py                      # 2,000 photos, loopback and 20 ms
  python3 Benchmarks/s3_bench.py --images 500 --latency-ms 0

What it does, in one run:

  1. A virtual environment in .build-s3bench/ (git-ignored) with moto[server], awscli,
     numpy and Pillow from PyPI, unless already there; the script then runs inside it.
  2. `swift build -c release --product preflight` (skipped with --skip-build).
  3. A dataset in --data (outside the repository): N JPEGs made from --bases distinct
     photographic pictures (generate_dataset.py's `photo`, its "photo" size mix), every file
     made unique by its own comment and, for most, a camera-like EXIF block:
       40%  no EXIF (exported or web pictures)
       45%  phone-like EXIF: tags, a 160x120 thumbnail, a maker note of 1-6 KB
       10%  camera-like EXIF: tags, a thumbnail of up to 512x384, a maker note; under 64 KB
        5%  as the camera, plus an XMP block of 16-40 KB: the headers run past 64 KiB
     and `train.manifest` (Ground Truth object detection, s3://BUCKET/images/...).
  4. A moto server on loopback (no signature checks), the bucket, the upload.
  5. Per network (loopback; then, with --latency-ms D > 0, through a proxy that holds every
     request D ms before passing it on; bandwidth is not limited):
       preflight check s3://BUCKET/train.manifest --mode header: first run (empty
         PREFLIGHT_CACHE_DIR), then the same again (cached); the same with --mode full;
       aws s3 sync s3://BUCKET ./copy, then preflight check of the copy with --map, header
         and full (each with an empty cache): what a user would otherwise run.
     Wall time, CPU of the command and of the moto server, Preflight's own account of its
     S3 requests (its last stderr line), and in the proxy what went through it.
  6. The table (Markdown) and the goals, printed and written with every measurement to
     --out (results.md, results.json). The findings of every run are compared: reading
     from S3 and reading the copy must report the same.

The servers it starts are stopped when it ends.
"""
import argparse
import asyncio
import io
import json
import os
import platform
import random
import re
import resource
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
VENV = os.path.join(REPO, ".build-s3bench")
PACKAGES = ["moto[server]", "awscli", "numpy", "pillow"]
BUCKET = "bench-s3"
NICE = ["nice", "-n", "10"]


def log(message):
    print(message, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- environment

def ensure_venv():
    """Runs this script again inside .build-s3bench, made and filled first when needed."""
    python = os.path.join(VENV, "bin", "python")
    if os.path.realpath(sys.prefix) == os.path.realpath(VENV):
        return
    ready = os.path.exists(python) and subprocess.run(
        [python, "-c", "import moto, numpy, PIL, awscli"], capture_output=True).returncode == 0
    if not ready:
        log("installing %s into %s" % (" ".join(PACKAGES), VENV))
        # The repository's own helpers: never a pip install into a system Python.
        script = '. .ci/python-venv.sh && make_venv "$1" && venv_pip "$1" "${@:2}"'
        subprocess.run(["bash", "-c", script, "bash", VENV] + PACKAGES, cwd=REPO, check=True)
    os.execv(python, [python, os.path.abspath(__file__)] + sys.argv[1:])


def build():
    log("building preflight (release)")
    subprocess.run(NICE + ["swift", "build", "-c", "release", "--product", "preflight"], cwd=REPO, check=True)
    bin_path = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=REPO,
                              capture_output=True, text=True, check=True).stdout.strip()
    return os.path.join(bin_path, "preflight")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# ---------------------------------------------------------------- dataset

def _ifd(entries, start, next_offset):
    """One TIFF IFD (little-endian) at `start`, its values longer than 4 bytes after it."""
    entries = sorted(entries)
    head = struct.pack("<H", len(entries))
    data = b""
    data_start = start + 2 + 12 * len(entries) + 4
    for tag, kind, count, value in entries:
        if len(value) <= 4:
            field = value.ljust(4, b"\0")
        else:
            field = struct.pack("<I", data_start + len(data))
            data += value + (b"\0" if len(value) % 2 else b"")
        head += struct.pack("<HHI", tag, kind, count) + field
    return head + struct.pack("<I", next_offset) + data


def _ascii(tag, text):
    raw = text.encode() + b"\0"
    return (tag, 2, len(raw), raw)


def _short(tag, v):
    return (tag, 3, 1, struct.pack("<H", v))


def _long(tag, v):
    return (tag, 4, 1, struct.pack("<I", v))


def _rational(tag, n, d):
    return (tag, 5, 1, struct.pack("<II", n, d))


def exif_segment(rng, width, height, thumbnail, maker_note_bytes, camera):
    """An APP1 Exif segment as cameras write it: IFD0, the Exif IFD (with a maker note), and
    IFD1 pointing at a JPEG thumbnail."""
    make, model = ("Canon", "Canon EOS 90D") if camera else ("samsung", "SM-G991B")
    when = "2024:%02d:%02d %02d:%02d:%02d" % (rng.randint(1, 12), rng.randint(1, 28), rng.randint(0, 23),
                                             rng.randint(0, 59), rng.randint(0, 59))
    ifd0 = lambda exif_at: [_ascii(0x010F, make), _ascii(0x0110, model), _short(0x0112, 1),
                            _rational(0x011A, 72, 1), _rational(0x011B, 72, 1), _short(0x0128, 2),
                            _ascii(0x0131, "Firmware 1.0.%d" % rng.randint(0, 9)), _ascii(0x0132, when),
                            _long(0x8769, exif_at)]
    note = bytes(rng.getrandbits(8) for _ in range(maker_note_bytes))
    exif = [_rational(0x829A, 1, rng.choice([60, 125, 250, 500])), _rational(0x829D, rng.choice([18, 28, 40]), 10),
            _short(0x8827, rng.choice([100, 200, 400, 800])), _ascii(0x9003, when), _ascii(0x9004, when),
            _rational(0x920A, rng.choice([26, 35, 50, 85]), 1), (0x927C, 7, len(note), note),
            _long(0xA002, width), _long(0xA003, height)]
    ifd1 = lambda at: [_short(0x0103, 6), _long(0x0201, at), _long(0x0202, len(thumbnail))]
    exif_at = 8 + len(_ifd(ifd0(0), 8, 0))
    ifd1_at = exif_at + len(_ifd(exif, exif_at, 0))
    thumb_at = ifd1_at + len(_ifd(ifd1(0), ifd1_at, 0))
    tiff = (b"II*\0" + struct.pack("<I", 8) + _ifd(ifd0(exif_at), 8, ifd1_at) + _ifd(exif, exif_at, 0)
            + _ifd(ifd1(thumb_at), ifd1_at, 0) + thumbnail)
    payload = b"Exif\0\0" + tiff
    assert len(payload) + 2 <= 0xFFFF, len(payload)
    return b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload


def xmp_segment(rng, size):
    text = ('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
            '<rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:CreatorTool="Editor">')
    text += "<!-- %s -->" % "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789 ") for _ in range(size))
    text += "</rdf:Description></rdf:RDF></x:xmpmeta>"
    payload = b"http://ns.adobe.com/xap/1.0/\0" + text.encode()
    return b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload


def com_segment(text):
    payload = text.encode()
    return b"\xff\xfe" + struct.pack(">H", len(payload) + 2) + payload


def _make_base(job):
    import numpy as np
    from generate_dataset import photo
    k, w, h, seed = job
    im, boxes = photo(w, h, np.random.default_rng([seed, 5, k]))
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=90)
    thumbs = {}
    for tw, th, limit in ((160, 120, 12000), (512, 384, 56000)):
        small = im.resize((tw, th) if w >= h else (th, tw))
        for quality in (90, 80, 70, 60, 50, 40, 30):
            t = io.BytesIO()
            small.save(t, "JPEG", quality=quality)
            if len(t.getvalue()) <= limit:
                break
        thumbs[tw] = t.getvalue()
    return k, w, h, buf.getvalue(), boxes, thumbs


def generate(folder, images, bases, seed):
    """Writes the dataset unless `folder` already holds this one."""
    stamp = os.path.join(folder, "dataset.json")
    want = {"images": images, "bases": bases, "seed": seed, "version": 1}
    if os.path.exists(stamp):
        with open(stamp) as f:
            if json.load(f).get("made") == want:
                log("dataset in %s is already there" % folder)
                return
    import multiprocessing
    import numpy as np
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from generate_dataset import SIZE_MIXES, _pick_size, manifest_line
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    rng = np.random.default_rng([seed, 6])
    sizes = [_pick_size(rng, SIZE_MIXES["photo"]) for _ in range(bases)]
    log("making %d base pictures" % bases)
    with multiprocessing.Pool(os.cpu_count() or 1) as pool:
        made = sorted(pool.imap_unordered(_make_base, [(k, w, h, seed) for k, (w, h) in enumerate(sizes)]))
    r = random.Random(seed)
    lines, kinds, total, headers = [], {}, 0, []
    for i in range(images):
        k, w, h, data, boxes, thumbs = made[i % bases]
        slot = i % 20
        segments = []
        if slot < 8:
            kind = "no EXIF"
        elif slot < 17:
            kind = "phone EXIF"
            segments.append(exif_segment(r, w, h, thumbs[160], r.randint(1000, 6000), camera=False))
        else:
            kind = "camera EXIF" if slot < 19 else "camera EXIF + XMP"
            room = 65533 - 8 - 600 - len(thumbs[512])
            segments.append(exif_segment(r, w, h, thumbs[512], r.randint(min(2000, room), min(8000, room)), camera=True))
            if slot == 19:
                segments.append(xmp_segment(r, r.randint(16000, 40000)))
        segments.append(com_segment("preflight s3 benchmark file %d" % i))
        # After SOI, before Pillow's JFIF APP0: where a camera puts its APP1.
        blob = data[:2] + b"".join(segments) + data[2:]
        rel = "images/%03d/photo-%06d.jpg" % (i // 500, i)
        path = os.path.join(folder, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(blob)
        kinds[kind] = kinds.get(kind, 0) + 1
        total += len(blob)
        headers.append(_jpeg_header_length(blob))
        lines.append(manifest_line("s3://%s/%s" % (BUCKET, rel), w, h, boxes, job="bench/s3", day=i))
    with open(os.path.join(folder, "train.manifest"), "w") as f:
        f.write("\n".join(lines) + "\n")
    headers.sort()
    summary = {"made": want, "files": images, "bytes": total, "kinds": kinds,
               "megapixels": sum(made[i % bases][1] * made[i % bases][2] for i in range(images)) / 1e6,
               "header_bytes_median": headers[len(headers) // 2], "header_bytes_max": headers[-1],
               "headers_over_64KiB": sum(1 for n in headers if n > 65536)}
    with open(stamp, "w") as f:
        json.dump(summary, f, indent=1)
    log("wrote %s: %d files, %.1f MB, %s" % (folder, images, total / 1e6, kinds))


def _jpeg_header_length(data):
    """Bytes up to the end of the first SOS header: what a header read needs."""
    i = 2
    while i + 4 <= len(data):
        marker = data[i + 1]
        length = struct.unpack(">H", data[i + 2:i + 4])[0]
        if marker == 0xDA:
            return i + 2 + length
        i += 2 + length
    return len(data)


# ---------------------------------------------------------------- servers

class Moto:
    def __init__(self, log_path):
        self.port = free_port()
        self.log = open(log_path, "w")
        self.process = subprocess.Popen([os.path.join(VENV, "bin", "moto_server"), "-H", "127.0.0.1",
                                         "-p", str(self.port)], stdout=self.log, stderr=subprocess.STDOUT)
        self.endpoint = "http://127.0.0.1:%d" % self.port
        for _ in range(120):
            try:
                urllib.request.urlopen(self.endpoint + "/moto-api/", timeout=1)
                return
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.5)
        self.stop()
        sys.exit("the moto server did not start; see %s" % log_path)

    def cpu_seconds(self):
        with open("/proc/%d/stat" % self.process.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


REQUEST_LINE = re.compile(rb"(GET|HEAD|PUT|POST|DELETE) (\S+) HTTP/1\.[01]\r\n((?:[^\r\n]*\r\n)*?)\r\n")


class LatencyProxy:
    """A TCP proxy on loopback that holds every piece of a request `delay` seconds before
    passing it on: each request then waits one round trip more, as it would for a nearby S3
    region, while the bytes of the answers flow at loopback speed (nothing limits bandwidth). It counts the requests it passes, by kind, and the bytes
    of the answers (HTTP headers included)."""

    def __init__(self, upstream_port, delay):
        self.upstream_port = upstream_port
        self.delay = delay
        self.port = free_port()
        self.endpoint = "http://127.0.0.1:%d" % self.port
        self.reset()
        self.loop = asyncio.new_event_loop()
        started = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(started,), daemon=True)
        self.thread.start()
        started.wait()

    def reset(self):
        self.counts = {"GET whole": 0, "GET range": 0, "HEAD": 0, "LIST": 0, "other": 0, "connections": 0}
        self.bytes_down = 0

    def _run(self, started):
        asyncio.set_event_loop(self.loop)
        self.server = self.loop.run_until_complete(asyncio.start_server(self._client, "127.0.0.1", self.port))
        started.set()
        self.loop.run_forever()

    def _count(self, head):
        for method, target, headers in REQUEST_LINE.findall(head):
            if method == b"GET" and (b"list-type=2" in target or target.rstrip(b"/").count(b"/") <= 1 and b"?" in target):
                self.counts["LIST"] += 1
            elif method == b"GET":
                self.counts["GET range" if re.search(rb"(?i)^range:", headers, re.M) else "GET whole"] += 1
            elif method == b"HEAD":
                self.counts["HEAD"] += 1
            else:
                self.counts["other"] += 1

    async def _client(self, reader, writer):
        # New connections are not delayed: the moto server closes every connection after one
        # answer, where S3 keeps them open, so each request pays the delay once, as on a
        # connection kept alive.
        self.counts["connections"] += 1
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        except OSError:
            writer.close()
            return
        queue = asyncio.Queue()

        async def receive():
            pending = b""
            while True:
                data = await reader.read(65536)
                queue.put_nowait((time.monotonic() + self.delay, data))
                if not data:
                    return
                pending = (pending + data)[-65536:]
                if b"\r\n\r\n" in pending:
                    self._count(pending)
                    pending = pending[pending.rfind(b"\r\n\r\n") + 4:]

        async def forward():
            # A delay line: each piece leaves `delay` after it came, in order.
            while True:
                due, data = await queue.get()
                wait = due - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                if not data:
                    up_writer.write_eof() if up_writer.can_write_eof() else None
                    return
                up_writer.write(data)
                await up_writer.drain()

        async def answer():
            while True:
                data = await up_reader.read(262144)
                if not data:
                    break
                self.bytes_down += len(data)
                writer.write(data)
                await writer.drain()
            writer.close()

        tasks = [asyncio.ensure_future(t) for t in (receive(), forward(), answer())]
        try:
            await asyncio.gather(*tasks)
        except (ConnectionError, OSError):
            pass
        finally:
            for t in tasks:
                t.cancel()
            up_writer.close()
            writer.close()

    def stop(self):
        async def shutdown():
            self.server.close()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            self.loop.stop()
        asyncio.run_coroutine_threadsafe(shutdown(), self.loop)
        self.thread.join(5)


# ---------------------------------------------------------------- measuring

USAGE = re.compile(r"S3: (\d+) requests? (?:\(([^)]*)\))?, (\d+) bytes received")


def run_timed(name, command, env, moto, proxy=None, report=None):
    if proxy:
        proxy.reset()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_before = moto.cpu_seconds()
    start = time.monotonic()
    run = subprocess.run(NICE + command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = {"name": name, "command": " ".join(command), "wall": wall, "exit": run.returncode,
              "cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
              "server_cpu": moto.cpu_seconds() - server_before}
    match = None
    for match in USAGE.finditer(run.stderr):
        pass
    if match:
        kinds = {}
        for part in (match.group(2) or "").split(", "):
            if part:
                n, kind = part.split(" ", 1)
                kinds[kind] = int(n)
        result["s3"] = {"requests": int(match.group(1)), "kinds": kinds, "bytes": int(match.group(3))}
    if proxy:
        result["proxy"] = {"counts": dict(proxy.counts), "bytes_down": proxy.bytes_down}
    if run.returncode not in (0, 1):
        log(run.stderr[-3000:])
        sys.exit("%s failed with exit code %d" % (name, run.returncode))
    if report:
        result["findings"] = findings(report)
    log("  %-42s %7.2f s wall %6.2f s cpu (server %5.2f s)  %s" % (
        name, wall, result["cpu"], result["server_cpu"],
        "%d requests %s, %d bytes" % (result["s3"]["requests"], result["s3"]["kinds"], result["s3"]["bytes"])
        if "s3" in result else ""))
    return result


SUMMARY_KEYS = ("verdict", "errors", "warnings", "infos", "images_named", "images_examined", "images_unreadable")


def findings(report):
    """What a JSON report concluded: its verdict and counts, and its findings' (line, code)
    pairs, wherever they sit in it."""
    with open(report) as f:
        doc = json.load(f)
    out = set()

    def walk(node):
        if isinstance(node, dict):
            if "code" in node and "line" in node:
                out.add((str(node.get("line")), node["code"]))
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    walk(doc.get("findings", []))
    summary = doc.get("summary", {})
    return {"summary": {k: summary.get(k) for k in SUMMARY_KEYS}, "findings": sorted(out),
            "images_from_cache": summary.get("images_from_cache")}


def same_findings(a, b):
    return a["summary"] == b["summary"] and a["findings"] == b["findings"]


def measure(network, endpoint, preflight, args, moto, proxy, work):
    env = dict(os.environ, AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_REGION="us-east-1",
               AWS_DEFAULT_REGION="us-east-1", AWS_ENDPOINT_URL_S3=endpoint, AWS_ENDPOINT_URL=endpoint,
               AWS_CONFIG_FILE=os.path.join(work, "aws-config"), NO_COLOR="1")
    env.pop("AWS_PROFILE", None)
    results = []
    for mode in ("header", "full"):
        cache = tempfile.mkdtemp(prefix="cache-", dir=work)
        for run_name in ("first run", "re-run (cached)"):
            report = os.path.join(work, "report-%s-%s-%s.json" % (network, mode, run_name.split()[0]))
            command = [preflight, "check", "s3://%s/train.manifest" % BUCKET, "--mode", mode,
                       "--s3-requests", str(args.s3_requests), "--format", "json", "--output", report]
            r = run_timed("S3 %s, %s" % (mode, run_name), command, dict(env, PREFLIGHT_CACHE_DIR=cache), moto, proxy,
                          report)
            r.update(network=network, tool="preflight check s3://", mode=mode, run=run_name)
            results.append(r)
    copy = os.path.join(work, "copy")
    shutil.rmtree(copy, ignore_errors=True)
    sync = run_timed("aws s3 sync", [os.path.join(VENV, "bin", "aws"), "s3", "sync", "s3://%s" % BUCKET, copy,
                                     "--endpoint-url", endpoint, "--no-progress", "--only-show-errors"],
                     env, moto, proxy)
    sync["bytes"] = sum(os.path.getsize(os.path.join(d, n)) for d, _, names in os.walk(copy) for n in names)
    sync.update(network=network, tool="aws s3 sync", mode="-", run="-")
    results.append(sync)
    for mode in ("header", "full"):
        cache = tempfile.mkdtemp(prefix="cache-", dir=work)
        report = os.path.join(work, "report-%s-%s-local.json" % (network, mode))
        command = [preflight, "check", os.path.join(copy, "train.manifest"), "--map",
                   "s3://%s=%s" % (BUCKET, copy), "--mode", mode, "--format", "json", "--output", report]
        r = run_timed("copy %s, first run" % mode, command, dict(env, PREFLIGHT_CACHE_DIR=cache), moto, None, report)
        r.update(network=network, tool="preflight check of the copy", mode=mode, run="first run")
        r["sync_plus_check"] = sync["wall"] + r["wall"]
        results.append(r)
    return results


def table(results, images, manifest_bytes, dataset_bytes):
    rows = ["| network | what ran | mode | run | seconds | images/s | CPU s (server CPU s) | requests | bytes received | KiB per image (less the manifest) |",
            "|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        if "s3" in r:
            kinds = ", ".join("%d %s" % (n, k) for k, n in r["s3"]["kinds"].items())
            requests = "%d (%s)" % (r["s3"]["requests"], kinds)
            received = "{:,}".format(r["s3"]["bytes"])
            per_image = "%.1f" % ((r["s3"]["bytes"] - manifest_bytes) / images / 1024)
        elif r["tool"] == "aws s3 sync":
            requests = "%d through the proxy" % sum(v for k, v in r["proxy"]["counts"].items() if k != "connections") \
                if "proxy" in r else "-"
            received = "{:,} (the copy)".format(r["bytes"])
            per_image = "%.1f" % (r["bytes"] / images / 1024)
        else:
            requests, received, per_image = "-", "-", "-"
        seconds = "%.2f" % r["wall"]
        if "sync_plus_check" in r:
            seconds += " (%.2f with the sync)" % r["sync_plus_check"]
        rate = images / (r.get("sync_plus_check") or r["wall"])
        rows.append("| %s | %s | %s | %s | %s | %s | %.1f (%.1f) | %s | %s | %s |" % (
            r["network"], r["tool"], r["mode"], r["run"], seconds, "{:,.0f}".format(rate), r["cpu"],
            r["server_cpu"], requests, received, per_image))
    return "\n".join(rows)


def goals(results, images, manifest_bytes):
    lines = []
    for network in dict.fromkeys(r["network"] for r in results):
        rs = {(r["tool"], r["mode"], r["run"]): r for r in results if r["network"] == network}
        header = rs[("preflight check s3://", "header", "first run")]
        full = rs[("preflight check s3://", "full", "first run")]
        local_header = rs[("preflight check of the copy", "header", "first run")]
        local_full = rs[("preflight check of the copy", "full", "first run")]
        per_image = (header["s3"]["bytes"] - manifest_bytes) / images
        lines.append("%s: header mode %.1f KiB per image (goal at most 64 KiB): %s" % (
            network, per_image / 1024, "met" if per_image <= 65536 else "missed"))
        ratio = local_header["sync_plus_check"] / header["wall"]
        lines.append("%s: header mode %.2f s against sync + header check %.2f s: %.1fx (goal at least 10x): %s" % (
            network, header["wall"], local_header["sync_plus_check"], ratio, "met" if ratio >= 10 else "missed"))
        ratio_full = local_full["sync_plus_check"] / full["wall"]
        lines.append("%s: full mode %.2f s against sync + full check %.2f s: %.1fx" % (
            network, full["wall"], local_full["sync_plus_check"], ratio_full))
        for mode in ("header", "full"):
            again = rs[("preflight check s3://", mode, "re-run (cached)")]
            lists = again["s3"]["kinds"].get("LIST", 0)
            gets = again["s3"]["kinds"].get("GET", 0)
            heads = again["s3"]["kinds"].get("HEAD", 0)
            per_1000 = lists / images * 1000
            allowed = -(-images // 1000)  # one page per 1,000 images, and no fewer than one
            image_gets = gets - 1  # the manifest
            lines.append("%s: %s re-run: %d LIST (%.2f per 1,000 images; goal at most 1, so at most %d): %s; "
                         "%d GET besides the manifest's, %d HEAD, image bytes %s (goal 0): %s; %d bytes received "
                         "in all, the manifest and the listings" % (
                             network, mode, lists, per_1000, allowed, "met" if lists <= allowed else "missed",
                             image_gets, heads, "0" if image_gets == 0 else "> 0",
                             "met" if image_gets == 0 else "missed", again["s3"]["bytes"]))
        for r in results:
            if r["network"] == network and "proxy" in r:
                lines.append("%s: the proxy saw, %s %s %s: %s, %d bytes down (HTTP headers included)" % (
                    network, r["tool"], r["mode"], r["run"],
                    ", ".join("%d %s" % (n, k) for k, n in r["proxy"]["counts"].items() if n), r["proxy"]["bytes_down"]))
        same = all(same_findings(rs[("preflight check s3://", mode, run)]["findings"],
                                 rs[("preflight check of the copy", mode, "first run")]["findings"])
                   for mode in ("header", "full") for run in ("first run", "re-run (cached)"))
        lines.append("%s: verdicts, counts and findings from S3 (first runs and re-runs) and from the copy %s: %s, "
                     "%d findings; images from the cache on the re-runs: %s" % (
                         network, "agree" if same else "DIFFER", header["findings"]["summary"],
                         len(header["findings"]["findings"]),
                         [rs[("preflight check s3://", m, "re-run (cached)")]["findings"]["images_from_cache"]
                          for m in ("header", "full")]))
    return lines


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--images", type=int, default=2000, help="number of images (default 2000)")
    p.add_argument("--bases", type=int, default=48, help="distinct pictures the images are made from (default 48)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--data", default="/work/bench-data/s3", help="dataset folder, outside the repository")
    p.add_argument("--out", default="/work/bench-data/s3-results", help="results and scratch folder")
    p.add_argument("--latency-ms", type=float, default=20, help="proxy delay per request; 0: loopback only (default 20)")
    p.add_argument("--s3-requests", type=int, default=32, help="preflight --s3-requests, and aws s3 sync's "
                   "max_concurrent_requests (default 32)")
    p.add_argument("--skip-build", action="store_true", help="use the release binary already built")
    p.add_argument("--preflight", help="use this preflight binary instead of building one")
    args = p.parse_args()
    for folder in (args.data, args.out):
        if os.path.abspath(folder).startswith(REPO + os.sep):
            sys.exit("refusing to write inside the repository: %s" % folder)
    ensure_venv()
    if args.preflight:
        preflight = os.path.abspath(args.preflight)
    else:
        preflight = os.path.join(REPO, ".build", "release", "preflight") if args.skip_build else build()
    generate(args.data, args.images, args.bases, args.seed)
    with open(os.path.join(args.data, "dataset.json")) as f:
        dataset = json.load(f)
    os.makedirs(args.out, exist_ok=True)
    work = tempfile.mkdtemp(prefix="run-", dir=args.out)
    with open(os.path.join(work, "aws-config"), "w") as f:
        f.write("[default]\nregion = us-east-1\ns3 =\n    max_concurrent_requests = %d\n" % args.s3_requests)

    moto = Moto(os.path.join(work, "moto.log"))
    proxy = None
    try:
        import botocore.config
        import botocore.session
        from concurrent.futures import ThreadPoolExecutor
        s3 = botocore.session.get_session().create_client(
            "s3", endpoint_url=moto.endpoint, region_name="us-east-1", aws_access_key_id="bench",
            aws_secret_access_key="bench", config=botocore.config.Config(max_pool_connections=8))
        s3.create_bucket(Bucket=BUCKET)
        keys = ["train.manifest"] + sorted(
            os.path.relpath(os.path.join(d, n), args.data) for d, _, names in os.walk(os.path.join(args.data, "images"))
            for n in names)

        def put(key):
            with open(os.path.join(args.data, key), "rb") as f:
                s3.put_object(Bucket=BUCKET, Key=key, Body=f.read())
        log("uploading %d objects to the moto server" % len(keys))
        start = time.monotonic()
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(put, keys))
        log("  %.1f s" % (time.monotonic() - start))
        manifest_bytes = os.path.getsize(os.path.join(args.data, "train.manifest"))

        results = []
        log("loopback, straight to the moto server")
        results += measure("loopback", moto.endpoint, preflight, args, moto, None, work)
        if args.latency_ms > 0:
            proxy = LatencyProxy(moto.port, args.latency_ms / 1000)
            name = "+%g ms" % args.latency_ms
            log("through the proxy, %s a request" % name)
            results += measure(name, proxy.endpoint, preflight, args, moto, proxy, work)
    finally:
        if proxy:
            proxy.stop()
        moto.stop()

    machine = {"cores": os.cpu_count(), "kernel": platform.release(), "python": platform.python_version(),
               "load_end": open("/proc/loadavg").read().split()[:3],
               "preflight": subprocess.run([preflight, "--version"], capture_output=True, text=True).stdout.strip(),
               "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                                        text=True).stdout.strip(),
               "moto": __import__("moto").__version__,
               "aws": subprocess.run([os.path.join(VENV, "bin", "aws"), "--version"], capture_output=True,
                                     text=True).stdout.strip()}
    text = table(results, args.images, manifest_bytes, dataset["bytes"])
    verdicts = goals(results, args.images, manifest_bytes)
    summary = ("%d JPEGs, %.1f MB (%.1f MP), %s; headers (to the end of SOS): median %d bytes, largest %d, "
               "%d over 64 KiB; manifest %d bytes" % (
                   args.images, dataset["bytes"] / 1e6, dataset["megapixels"], dataset["kinds"],
                   dataset["header_bytes_median"], dataset["header_bytes_max"], dataset["headers_over_64KiB"],
                   manifest_bytes))
    print(summary + "\n\n" + text + "\n\n" + "\n".join("- " + v for v in verdicts))
    with open(os.path.join(args.out, "results.md"), "w") as f:
        f.write(summary + "\n\n" + text + "\n\n" + "\n".join("- " + v for v in verdicts) + "\n")
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump({"machine": machine, "dataset": dataset, "args": vars(args), "results": results,
                   "goals": verdicts}, f, indent=1)
    log("machine: %s" % machine)


if __name__ == "__main__":
    main()
