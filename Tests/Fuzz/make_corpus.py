#!/usr/bin/env python3
"""Recreate Tests/Fuzz/corpus/manifest-line/: one manifest line per file, the seeds of the
manifest-line fuzz target.

The lines come from the fixtures: the example dataset's manifests, every JSON example in
docs/RULES.md (each one a rule's test), and the hostile manifests. Image targets need no
copies: Tests/Fuzz/run.sh seeds them from Fixtures/images and Fixtures/hostile/images directly.
Files are named by the SHA-1 of their content, as libFuzzer names what it finds, so
rerunning this only adds. Run it by hand: `python3 Tests/Fuzz/make_corpus.py`.
"""
import hashlib
import os
import re

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
OUT = os.path.join(ROOT, "Tests", "Fuzz", "corpus", "manifest-line")
# The fuzz target maps s3://example-bucket to a folder of real images with these names.
IMAGES = ["a.jpg", "b.png", "c.jpg", "d.gif", "e.jpg", "f.png", "big.png", "sub/deeper/g.jpg", "out.jpg", "loop.jpg"]


def lines():
    for name in ("train.manifest", "test.manifest"):
        with open(os.path.join(ROOT, "Fixtures", "example", name), "rb") as f:
            for line in f.read().split(b"\n"):
                yield line.replace(b"s3://example-bucket/images/", b"s3://example-bucket/")
    with open(os.path.join(ROOT, "docs", "RULES.md"), encoding="utf-8") as f:
        for block in re.findall(r"```json\n(.*?)\n\s*```", f.read(), re.S):
            yield block.strip().encode()
    hostile = os.path.join(ROOT, "Fixtures", "hostile", "manifests")
    for name in sorted(os.listdir(hostile)):
        if name == "binary.manifest":
            continue
        with open(os.path.join(hostile, name), "rb") as f:
            for line in f.read().split(b"\n"):
                if len(line) <= 4096:
                    yield line.rstrip(b"\r")
    # One line per image the target provides, with boxes, so the frame rules run.
    for image in IMAGES:
        yield (('{"source-ref":"s3://example-bucket/%s","bounding-box":{"image_size":[{"width":640,"height":480,'
                '"depth":3}],"annotations":[{"class_id":0,"top":10,"left":10,"width":100,"height":50},'
                '{"class_id":1,"top":470,"left":600,"width":50,"height":20}]},"bounding-box-metadata":'
                '{"objects":[{"confidence":0.9},{"confidence":1}],"class-map":{"0":"cat","1":"dog"},'
                '"type":"groundtruth/object-detection","human-annotated":"yes",'
                '"creation-date":"2023-05-04T10:11:12.000Z","job-name":"j"}}') % image).encode()


def main():
    os.makedirs(OUT, exist_ok=True)
    written = 0
    for line in lines():
        if not line.strip():
            continue
        path = os.path.join(OUT, hashlib.sha1(line).hexdigest())
        if not os.path.exists(path):
            with open(path, "wb") as f:
                f.write(line)
            written += 1
    print("wrote %d new seeds; %d in %s" % (written, len(os.listdir(OUT)), os.path.relpath(OUT, ROOT)))


if __name__ == "__main__":
    main()
