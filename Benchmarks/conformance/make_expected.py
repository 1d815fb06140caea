#!/usr/bin/env python3
"""Write $CORPUS_DIR/EXPECTED.tsv: what independent decoders say about every corpus file.

One row per file under <source>/ (this script, gather.sh, *.tsv and *.md
excluded). Columns:

  path       relative to $CORPUS_DIR
  format     png, jpeg, gif, webp, bmp, tiff, ... from Pillow's Image.open (MPO counts as
             jpeg); when Pillow cannot open the file, from its magic bytes; "empty" for a
             0-byte file; "unknown" when neither recognises it
  width      from Pillow's header parse; when Pillow refuses the file, from pngcheck -v's
  height     IHDR line (PNG) or rdjpgcom -verbose's SOF line (JPEG); empty when none can tell
  integrity  ok or corrupt (rule below)
  pillow     ok | warn | error   -- Image.open() + load() with warnings turned into a
             record (not an error); DecompressionBomb limits at Pillow's defaults
  checker    pngcheck:ok|minor|error for PNG data, djpeg:ok|warn|error for JPEG data
             (chosen by magic bytes -- PNG signature, or FF D8 -- not by Pillow), "-" otherwise
  agreement  agree when Pillow and the checker give the same verdict, split when not
             (e.g. Pillow ignores IDAT CRCs and libjpeg warnings); "-" with no checker
  detail     the messages of each tool that complained, ';'-joined

Rule for integrity: corrupt when Pillow raises on open/load, or pngcheck reports an error,
or djpeg exits non-zero (1 = fatal error, 2 = warnings such as "Corrupt JPEG data" or
"Premature end of JPEG file"); otherwise ok. pngcheck complaints that only concern an
ancillary chunk's content (a bad tIME year, a tEXt keyword, a second iCCP, a CRC error in
an ancillary chunk) or data after IEND are "minor": libpng warns about or ignores those, so
they are recorded in detail but do not make the file corrupt. Pillow warnings alone (EXIF/metadata noise,
DecompressionBombWarning) do not make a file corrupt. PngSuite files whose name starts with
"x" are deliberately corrupt and are marked corrupt whatever the tools say (a disagreement
is noted in detail). Files not recognised as any image format are marked corrupt too.

Note that "corrupt" here means "a strict decoder should refuse or flag it", which also
covers valid-but-unsupported encodings the tools reject (e.g. lossless or 12-bit JPEG in
libjpeg-turbo 2.1's 8-bit djpeg) and pngcheck's strict complaints (e.g. data after IEND);
detail says which.

Usage: python3 make_expected.py   (prints one summary line)
"""

import os
import re
import subprocess
import sys
import warnings

from PIL import Image

ROOT = os.environ.get("CORPUS_DIR", os.path.join(os.getcwd(), "corpora"))
SKIP = {"make_expected.py", "gather.sh", "EXPECTED.tsv", "SOURCES.tsv", "README.md"}
TIMEOUT = 120


def sniff(head):
    if not head:
        return "empty"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8"):  # SOI is all libjpeg checks
        return "jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[:2] == b"BM":
        return "bmp"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    if head[4:8] == b"ftyp":
        return "isobmff"
    return "unknown"


def first_line(text):
    for line in text.splitlines():
        line = line.strip()
        if line:
            return line
    return ""


def clean(text):
    return re.sub(r"\s+", " ", text).strip()[:300]


def pillow(path):
    """(status, format, size, message)"""
    fmt = size = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with Image.open(path) as im:
                fmt, size = im.format, im.size
                im.load()
        except Exception as e:  # noqa: BLE001 - any failure is the answer
            return "error", fmt, size, "pillow: %s: %s" % (type(e).__name__, e)
    if caught:
        return "warn", fmt, size, "pillow warning: %s" % caught[0].message
    return "ok", fmt, size, ""


# An ancillary chunk type: lower-case first letter, upper-case third (reserved) letter.
ANCILLARY = re.compile(r"\b[a-z][A-Za-z][A-Z][A-Za-z]\b")


def pngcheck(path):
    """(status, size, message): status ok, minor (complaint only about an ancillary chunk's
    content, or data after IEND -- libpng warns or ignores these) or error."""
    try:
        r = subprocess.run(["pngcheck", path], capture_output=True, timeout=TIMEOUT)
        v = subprocess.run(["pngcheck", "-v", path], capture_output=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return "error", None, "pngcheck: timed out"
    m = re.search(r"^\s*(\d+) x (\d+) image", v.stdout.decode("latin-1"), re.M)
    size = (int(m.group(1)), int(m.group(2))) if m else None
    if r.returncode == 0:
        return "ok", size, ""
    out = (r.stdout + r.stderr).decode("latin-1")
    msgs = [line[len(path):].lstrip(": ").strip() for line in out.splitlines() if line.startswith(path)]
    msg = clean(" | ".join(msgs) or first_line(out))
    crit_crc = re.search(r"CRC error in chunk (IHDR|PLTE|IDAT|IEND)", msg)
    if not crit_crc and (ANCILLARY.search(msg) or msg == "additional data after IEND chunk"):
        return "minor", size, "pngcheck (not counted): " + msg
    return "error", size, "pngcheck: " + msg


def rdjpgcom_size(path):
    """Frame size from libjpeg's marker scanner (rdjpgcom -verbose), for JPEGs Pillow refuses."""
    try:
        r = subprocess.run(["rdjpgcom", "-verbose", path], capture_output=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return None
    m = re.search(r"JPEG image is (\d+)w \* (\d+)h", r.stdout.decode("latin-1"))
    return (int(m.group(1)), int(m.group(2))) if m else None


def djpeg(path):
    try:
        r = subprocess.run(["djpeg", "-outfile", os.devnull, path], capture_output=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return "error", "djpeg: timed out"
    err = r.stderr.decode("latin-1")
    if r.returncode == 0 and not err.strip():
        return "ok", ""
    status = "warn" if r.returncode == 2 else ("ok" if r.returncode == 0 else "error")
    return status, "djpeg (exit %d): %s" % (r.returncode, clean(" | ".join(err.strip().splitlines()[:3])))


def files():
    for src in sorted(os.listdir(ROOT)):
        d = os.path.join(ROOT, src)
        if not os.path.isdir(d):
            continue
        for dirpath, dirnames, names in os.walk(d):
            dirnames.sort()
            for n in sorted(names):
                if n not in SKIP:
                    yield os.path.join(dirpath, n)


def row(path):
    rel = os.path.relpath(path, ROOT)
    with open(path, "rb") as fh:
        head = fh.read(16)
    magic = sniff(head)
    pstat, pfmt, psize, pmsg = pillow(path)
    details = [pmsg] if pmsg else []

    fmt = {"MPO": "jpeg", "JPEG": "jpeg"}.get(pfmt, pfmt.lower() if pfmt else magic)
    size = psize
    checker = "-"
    cstat = "ok"
    if magic == "png":
        cstat, csize, cmsg = pngcheck(path)
        checker = "pngcheck:" + cstat
        size = size or csize
        if cmsg:
            details.append(cmsg)
    elif magic == "jpeg":
        cstat, cmsg = djpeg(path)
        checker = "djpeg:" + cstat
        size = size or rdjpgcom_size(path)
        if cmsg:
            details.append(cmsg)

    corrupt = pstat == "error" or cstat in ("error", "warn") or fmt in ("unknown", "empty")
    if checker == "-":
        agree = "-"
    else:
        agree = "agree" if (pstat == "error") == (cstat in ("error", "warn")) else "split"
    if rel.startswith("pngsuite/") and os.path.basename(rel).startswith("x"):
        if not corrupt:
            details.append("PngSuite x-file: deliberately corrupt, though the tools accepted it")
        corrupt = True
    w, h = size if size else ("", "")
    return [rel, fmt, str(w), str(h), "corrupt" if corrupt else "ok", pstat, checker, agree,
            "; ".join(d.replace("\t", " ") for d in details)]


def main():
    rows = [row(p) for p in files()]
    with open(os.path.join(ROOT, "EXPECTED.tsv"), "w") as fh:
        fh.write("path\tformat\twidth\theight\tintegrity\tpillow\tchecker\tagreement\tdetail\n")
        for r in rows:
            fh.write("\t".join(r) + "\n")
    n_bad = sum(r[4] == "corrupt" for r in rows)
    print("make_expected.py: %d files, %d ok, %d corrupt -> EXPECTED.tsv" % (len(rows), len(rows) - n_bad, n_bad))


if __name__ == "__main__":
    sys.exit(main())
