#!/usr/bin/env python3
"""Conformance of `preflight probe` against $CORPUS_DIR/EXPECTED.tsv.

Runs `preflight probe --mode full` (and `--mode header`) over every file listed in
EXPECTED.tsv, in batches of BATCH paths per invocation, each batch under a timeout.
A batch that exits non-zero, dies by a signal, times out, or prints fewer JSON lines
than it was given files is recorded as a crash; its files are then re-run one by one
(same timeout) so the crash can be pinned on a file, and files that still yield no
JSON are counted as failures (wrong on every field).

Per file it compares format, width/height and integrity. Integrity rule:
  * exact match of ok/corrupt counts as agreement;
  * preflight `unsupported` against expected `corrupt` counts as agreement ("unsupported
    match", reported separately) when the expected reason in EXPECTED.tsv's detail column
    is an unsupported encoding (djpeg "Unsupported JPEG process" / "Unsupported JPEG data
    precision" / "DNL not supported"), i.e. a valid-but-unsupported JPEG;
  * anything else is a disagreement.
Dimensions agree when both sides give the same width and height, or both give none.

Optional JUDGEMENTS.tsv (path, class, note) is merged into the disagreement table.

Usage:
  python3 conformance.py                 # full + header mode, prints summary and tables
  python3 conformance.py --md FILE       # also write the tables as Markdown to FILE
  python3 conformance.py --json FILE     # also dump per-file results as JSON
  python3 conformance.py --valgrind      # memcheck run instead (corrupt files + 50 ok ones)
"""

import argparse
import concurrent.futures as cf
import csv
import json
import os
import re
import signal
import subprocess
import sys
import time

ROOT = os.environ.get("CORPUS_DIR", os.path.join(os.getcwd(), "corpora"))
PREFLIGHT = os.environ.get("PREFLIGHT", os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../.build/debug/preflight"))
BATCH = 100
TIMEOUT = 300            # seconds per batch (per file on re-runs)
VG_BATCH = 10
VG_TIMEOUT = 1800
UNSUPPORTED_REASON = re.compile(
    r"Unsupported JPEG process|Unsupported JPEG data precision|DNL not supported")


def load_expected():
    with open(os.path.join(ROOT, "EXPECTED.tsv"), newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    for r in rows:
        r["w"] = int(r["width"]) if r["width"] else None
        r["h"] = int(r["height"]) if r["height"] else None
    return rows


def load_judgements():
    p = os.path.join(ROOT, "JUDGEMENTS.tsv")
    out = {}
    if os.path.exists(p):
        with open(p, newline="") as fh:
            for line in fh:
                if line.startswith("#") or not line.strip():
                    continue
                parts = line.rstrip("\n").split("\t")
                if len(parts) >= 3:
                    out[parts[0]] = (parts[1], parts[2])
    return out


def describe_rc(rc):
    if rc is None:
        return "timeout"
    if rc < 0:
        try:
            return "signal %s" % signal.Signals(-rc).name
        except ValueError:
            return "signal %d" % -rc
    return "exit %d" % rc


def run_probe(mode, paths, timeout=TIMEOUT, prefix=()):
    """Returns (records by path, rc or None on timeout, stderr tail, line count)."""
    cmd = list(prefix) + [PREFLIGHT, "probe", "--mode", mode, "--"] + list(paths)
    try:
        p = subprocess.run(cmd, cwd=ROOT, capture_output=True, timeout=timeout)
        rc, out, err = p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired as e:
        rc, out, err = None, e.stdout or b"", e.stderr or b""
    recs = {}
    n = 0
    for line in out.decode("utf-8", "replace").splitlines():
        line = line.strip()
        if not line:
            continue
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        n += 1
        recs[obj.get("path")] = obj
    return recs, rc, err.decode("utf-8", "replace")[-2000:], n


def probe_all(mode, paths):
    """Runs every batch; returns (records, crashes list)."""
    records, crashes = {}, []
    batches = [paths[i:i + BATCH] for i in range(0, len(paths), BATCH)]
    for bi, batch in enumerate(batches):
        recs, rc, err, n = run_probe(mode, batch)
        if rc == 0 and n == len(batch) and all(p in recs for p in batch):
            records.update(recs)
            continue
        crashes.append({"mode": mode, "batch": bi, "files": len(batch), "lines": n,
                        "status": describe_rc(rc), "stderr": err.strip()[-300:], "file": None})
        # Pin it on individual files.
        for p in batch:
            r1, rc1, err1, n1 = run_probe(mode, [p])
            if rc1 != 0 or p not in r1:
                crashes.append({"mode": mode, "batch": bi, "files": 1, "lines": n1,
                                "status": describe_rc(rc1), "stderr": err1.strip()[-300:],
                                "file": p})
            if p in r1:
                records[p] = r1[p]
    return records, crashes


def problem_text(rec):
    if not rec:
        return ""
    return " | ".join("%s: %s" % (p.get("code"), p.get("message")) for p in rec.get("problems") or [])


def compare(expected, full, header):
    results = []
    for e in expected:
        path = e["path"]
        f = full.get(path)
        h = header.get(path)
        res = {"path": path, "exp_format": e["format"], "exp_w": e["w"], "exp_h": e["h"],
               "exp_integrity": e["integrity"], "pillow": e["pillow"], "checker": e["checker"],
               "detail": e["detail"], "crashed": f is None}
        if f is None:
            res.update(format_ok=False, dims_ok=False, integ_ok=False, unsupported_match=False,
                       got_format=None, got_w=None, got_h=None, got_integrity="CRASH", problems="")
        else:
            got_fmt = f.get("format")
            res.update(got_format=got_fmt, got_w=f.get("width"), got_h=f.get("height"),
                       got_integrity=f.get("integrity"), problems=problem_text(f))
            res["format_ok"] = got_fmt == e["format"]
            res["dims_ok"] = (f.get("width"), f.get("height")) == (e["w"], e["h"])
            unsup = (f.get("integrity") == "unsupported" and e["integrity"] == "corrupt"
                     and bool(UNSUPPORTED_REASON.search(e["detail"])))
            res["unsupported_match"] = unsup
            res["integ_ok"] = f.get("integrity") == e["integrity"] or unsup
        res["all_ok"] = res["format_ok"] and res["dims_ok"] and res["integ_ok"]
        if h is None:
            res.update(h_crashed=True, h_format_ok=False, h_dims_ok=False,
                       h_format=None, h_w=None, h_h=None, h_integrity=None)
        else:
            res.update(h_crashed=False, h_format=h.get("format"), h_w=h.get("width"),
                       h_h=h.get("height"), h_integrity=h.get("integrity"))
            res["h_format_ok"] = h.get("format") == e["format"]
            res["h_dims_ok"] = (h.get("width"), h.get("height")) == (e["w"], e["h"])
        results.append(res)
    return results


def dims(w, h):
    return "-" if w is None and h is None else "%sx%s" % (w, h)


def pct(a, n):
    return "%d/%d (%.1f%%)" % (a, n, 100.0 * a / n if n else 0)


def md_escape(s):
    return (s or "").replace("|", "\\|").replace("\n", " ")


def binary_id():
    import hashlib
    h = hashlib.sha256(open(PREFLIGHT, "rb").read()).hexdigest()[:16]
    st = os.stat(PREFLIGHT)
    return "sha256 %s..., mtime %s" % (h, time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(st.st_mtime)))


def report(results, crashes, times, judgements, md_path=None, bin_id=""):
    n = len(results)
    lines = []
    out = lines.append
    out("# Preflight probe conformance vs EXPECTED.tsv")
    out("")
    out("Binary: %s (%s)" % (PREFLIGHT, bin_id))
    out("")
    out("Command: `%s probe --mode full -- <%d paths>` per batch, cwd %s, timeout %ds"
        % (PREFLIGHT, BATCH, ROOT, TIMEOUT))
    out("")
    out("## Full mode")
    out("- total files: %d" % n)
    out("- format agreement: %s" % pct(sum(r["format_ok"] for r in results), n))
    out("- dimension agreement: %s" % pct(sum(r["dims_ok"] for r in results), n))
    out("- integrity agreement: %s (of which %d are `unsupported` vs expected corrupt for an "
        "unsupported encoding)" % (pct(sum(r["integ_ok"] for r in results), n),
                                   sum(r["unsupported_match"] for r in results)))
    out("- all three right: %s" % pct(sum(r["all_ok"] for r in results), n))
    fc = [c for c in crashes if c["mode"] == "full"]
    out("- crashes (full): %d batch failures, %d files without output"
        % (len([c for c in fc if c["file"] is None]), sum(r["crashed"] for r in results)))
    out("- run time (full): %.1f s" % times["full"])
    out("")
    out("## Header mode")
    out("- format agreement: %s" % pct(sum(r["h_format_ok"] for r in results), n))
    out("- dimension agreement: %s" % pct(sum(r["h_dims_ok"] for r in results), n))
    hc = [c for c in crashes if c["mode"] == "header"]
    out("- crashes (header): %d batch failures, %d files without output"
        % (len([c for c in hc if c["file"] is None]), sum(r["h_crashed"] for r in results)))
    out("- run time (header): %.1f s" % times["header"])
    out("")
    if crashes:
        out("## Crashes")
        out("| mode | batch | file | status | json lines/files | stderr |")
        out("|---|---|---|---|---|---|")
        for c in crashes:
            out("| %s | %d | %s | %s | %d/%d | %s |" % (c["mode"], c["batch"], c["file"] or "(whole batch)",
                                                   c["status"], c["lines"], c["files"],
                                                   md_escape(c["stderr"][-200:])))
        out("")
    unsup = [r for r in results if r["unsupported_match"]]
    out("## `unsupported` counted as matching expected `corrupt` (%d)" % len(unsup))
    out("| file | Preflight problem | tools |")
    out("|---|---|---|")
    for r in unsup:
        out("| %s | %s | %s |" % (md_escape(r["path"]), md_escape(r["problems"]),
                                  md_escape(r["detail"].replace("", ""))))
    out("")
    bad = [r for r in results if not r["all_ok"]]
    out("## Disagreements, full mode (%d files)" % len(bad))
    out("Class: (a) Preflight wrong, (b) expectation wrong/debatable, (c) genuinely ambiguous.")
    out("")
    out("| # | file | field(s) | expected | got | Preflight problem | tools (EXPECTED.tsv) | class | judgement |")
    out("|---|---|---|---|---|---|---|---|---|")
    for i, r in enumerate(bad, 1):
        fields = [k for k, ok in (("format", r["format_ok"]), ("dims", r["dims_ok"]),
                                  ("integrity", r["integ_ok"])) if not ok]
        exp = "%s %s %s" % (r["exp_format"], dims(r["exp_w"], r["exp_h"]), r["exp_integrity"])
        got = "%s %s %s" % (r["got_format"], dims(r["got_w"], r["got_h"]), r["got_integrity"])
        cls, note = judgements.get(r["path"], ("?", ""))
        tools = "pillow:%s %s — %s" % (r["pillow"], r["checker"], r["detail"].replace("", ""))
        out("| %d | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            i, md_escape(r["path"]), ",".join(fields), exp, got, md_escape(r["problems"]),
            md_escape(tools[:400]), cls, md_escape(note)))
    out("")
    hbad = [r for r in results if not (r["h_format_ok"] and r["h_dims_ok"])]
    out("## Header-mode format/dimension disagreements (%d files)" % len(hbad))
    out("| file | expected | got (header) | got (full) |")
    out("|---|---|---|---|")
    for r in hbad:
        out("| %s | %s %s | %s %s | %s %s |" % (md_escape(r["path"]), r["exp_format"], dims(r["exp_w"], r["exp_h"]),
                                             r["h_format"], dims(r["h_w"], r["h_h"]),
                                             r["got_format"], dims(r["got_w"], r["got_h"])))
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    if md_path:
        with open(md_path, "w") as fh:
            fh.write(text)


# ---------------------------------------------------------------- valgrind
#
# Valgrind 3.19 cannot read the DWARF 5 debug info the Swift toolchain writes ("unhandled
# dwarf2 abbrev form code 0x25 ... Possibly corrupted debuginfo file ... Giving up"), so
# memcheck is run on a copy of the binary with its debug sections removed
# (objcopy --strip-debug; symbols kept, so stacks still name functions). The binary under
# The Swift runtime always leaves ~13 "possibly lost" blocks
# (metadata caches), so every run exits 99; the log is therefore parsed and only invalid
# accesses, uninitialised-value errors and definitely/indirectly lost blocks, plus any
# possibly-lost block not allocated by the Swift runtime's metadata machinery, count.

VG_ERR = re.compile(r"^==\d+== (Invalid (?:read|write|free)[^\n]*|Conditional jump[^\n]*|"
                    r"Use of uninitialised[^\n]*|Syscall param[^\n]*|Mismatched free[^\n]*|"
                    r"Source and destination overlap[^\n]*|Process terminating[^\n]*)", re.M)
VG_LEAK = re.compile(r"^==\d+==\s+(definitely|indirectly|possibly) lost: ([\d,]+) bytes in ([\d,]+) blocks", re.M)
VG_SUMMARY = re.compile(r"ERROR SUMMARY: (\d+) errors", re.M)
VG_RECORD = re.compile(r"^==\d+== ([\d,]+ (?:\([\d,]+ direct, [\d,]+ indirect\) )?bytes in [\d,]+ blocks "
                       r"are (definitely|indirectly|possibly) lost in loss record[^\n]*)\n((?:==\d+==    [^\n]*\n)*)", re.M)
RUNTIME_ALLOC = re.compile(r"MetadataAllocator|swift_allocateGenericValueMetadata|swift_getGenericMetadata|"
                           r"swift_getWitnessTable|swift_allocateGenericClassMetadata|ConcurrentReadableArray|"
                           r"swift_getTupleTypeMetadata|swift_getFunctionTypeMetadata|swift_getExistentialTypeMetadata|"
                           r"swift_getSingletonMetadata|swift_conformsToProtocol|_dl_|dispatch")


def vg_binary():
    d = "/tmp/conformance-vg"
    os.makedirs(d, exist_ok=True)
    dst = os.path.join(d, "preflight")
    subprocess.run(["objcopy", "--strip-debug", PREFLIGHT, dst], check=True)
    return dst


def vg_one(binary, paths, logdir, tag):
    log = os.path.join(logdir, "%s.log" % tag)
    cmd = ["valgrind", "--error-exitcode=99", "--leak-check=full", "--log-file=" + log,
           binary, "probe", "--mode", "full", "--"] + list(paths)
    try:
        p = subprocess.run(cmd, cwd=ROOT, capture_output=True, timeout=VG_TIMEOUT)
        rc, out = p.returncode, p.stdout
    except subprocess.TimeoutExpired as e:
        rc, out = None, e.stdout or b""
    n = sum(1 for l in out.decode("utf-8", "replace").splitlines() if l.strip().startswith("{"))
    text = open(log, errors="replace").read() if os.path.exists(log) else ""
    errs = VG_ERR.findall(text)
    leaks = {k: int(b.replace(",", "")) for k, b, _ in VG_LEAK.findall(text)}
    foreign = []
    for head, kind, stack in VG_RECORD.findall(text):
        if kind != "possibly" or not RUNTIME_ALLOC.search(stack):
            frames = [l.split("==    ", 1)[1].strip() for l in stack.splitlines()][:8]
            foreign.append({"kind": kind, "head": head, "stack": frames})
    m = VG_SUMMARY.search(text)
    return {"tag": tag, "paths": paths, "rc": rc, "status": describe_rc(rc), "lines": n,
            "errors": errs, "leaks": leaks, "foreign_leaks": foreign,
            "error_summary": int(m.group(1)) if m else None, "log": log}


def vg_flagged(r):
    return (r["rc"] not in (0, 99) or r["errors"] or r["foreign_leaks"]
            or r["lines"] != len(r["paths"]) or r["error_summary"] is None)


def valgrind_run(expected, jobs):
    corrupt = [e["path"] for e in expected if e["integrity"] == "corrupt"]
    ok = [e["path"] for e in expected if e["integrity"] == "ok"]
    step = max(1, len(ok) // 50)
    ok50 = ok[::step][:50]
    paths = corrupt + ok50
    logdir = os.path.join(ROOT, "valgrind-logs")
    os.makedirs(logdir, exist_ok=True)
    binary = vg_binary()
    print("binary: %s (%s)" % (PREFLIGHT, binary_id()))
    batches = [paths[i:i + VG_BATCH] for i in range(0, len(paths), VG_BATCH)]
    print("valgrind: %d files (%d corrupt + %d ok, every %dth ok file) in %d batches of <=%d, %d jobs"
          % (len(paths), len(corrupt), len(ok50), step, len(batches), VG_BATCH, jobs))
    print("command: valgrind --error-exitcode=99 --leak-check=full --log-file=LOG %s probe --mode full -- <batch>"
          % binary)
    print("(%s = objcopy --strip-debug of %s)" % (binary, PREFLIGHT))
    t0 = time.time()
    results = []
    with cf.ThreadPoolExecutor(jobs) as ex:
        futs = [ex.submit(vg_one, binary, b, logdir, "batch%03d" % i) for i, b in enumerate(batches)]
        for f in cf.as_completed(futs):
            results.append(f.result())
    results.sort(key=lambda r: r["tag"])
    flagged = [r for r in results if vg_flagged(r)]
    singles = []
    if flagged:
        with cf.ThreadPoolExecutor(jobs) as ex:
            futs = [ex.submit(vg_one, binary, [p], logdir, "%s_f%02d" % (r["tag"], j))
                    for r in flagged for j, p in enumerate(r["paths"])]
            for f in cf.as_completed(futs):
                singles.append(f.result())
    singles.sort(key=lambda r: r["tag"])
    print("valgrind run time: %.1f s" % (time.time() - t0))
    for r in results:
        print("%s  %-8s json %d/%d  errors %-3s leaks %s  memory-errors %d  non-runtime leak records %d%s" % (
            r["tag"], r["status"], r["lines"], len(r["paths"]), r["error_summary"], r["leaks"],
            len(r["errors"]), len(r["foreign_leaks"]), "  FLAGGED" if vg_flagged(r) else ""))
    if singles:
        print("\nper-file re-runs of flagged batches:")
        for r in singles:
            if vg_flagged(r):
                print("%s  %s  %s  errors=%s  leaks=%s  log=%s" % (r["tag"], r["paths"][0], r["status"],
                                                                r["error_summary"], r["leaks"], r["log"]))
                for e in sorted(set(r["errors"])):
                    print("    error: " + e)
                for fl in r["foreign_leaks"]:
                    print("    leak: %s\n      %s" % (fl["head"], "\n      ".join(fl["stack"])))
    else:
        print("\nno batch flagged: no invalid reads/writes, no uninitialised-value errors, "
              "no definitely/indirectly lost blocks, no non-runtime possibly-lost blocks")
    with open(os.path.join(logdir, "summary.json"), "w") as fh:
        json.dump({"binary": binary, "batches": results, "singles": singles}, fh, indent=1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--md")
    ap.add_argument("--json")
    ap.add_argument("--valgrind", action="store_true")
    ap.add_argument("--jobs", type=int, default=2)
    a = ap.parse_args()
    if not os.access(PREFLIGHT, os.X_OK):
        sys.exit("missing %s" % PREFLIGHT)
    expected = load_expected()
    if a.valgrind:
        valgrind_run(expected, a.jobs)
        return 0
    paths = [e["path"] for e in expected]
    bin_id = binary_id()
    times = {}
    t0 = time.time()
    full, crashes = probe_all("full", paths)
    times["full"] = time.time() - t0
    t0 = time.time()
    header, hcrashes = probe_all("header", paths)
    times["header"] = time.time() - t0
    results = compare(expected, full, header)
    if a.json:
        with open(a.json, "w") as fh:
            json.dump({"results": results, "crashes": crashes + hcrashes, "times": times,
                       "full": full, "header": header}, fh, indent=1)
    if binary_id() != bin_id:
        print("WARNING: %s changed during the run (%s -> %s); re-run" % (PREFLIGHT, bin_id, binary_id()))
    report(results, crashes + hcrashes, times, load_judgements(), a.md, bin_id)
    return 0


if __name__ == "__main__":
    sys.exit(main())
