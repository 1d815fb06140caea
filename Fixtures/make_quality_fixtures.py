#!/usr/bin/env python3
"""Recreate every file in Fixtures/images/quality/ (the fixtures of the pixel-based
data-quality checks: near-duplicates, blur, dark, washed-out and nearly uniform images).

The tests never run this script: they read the committed files. Run it by hand after
changing it, from the repository root (`python3 Fixtures/make_quality_fixtures.py`); it
deletes and rewrites the whole of Fixtures/images/quality/, checks its own results with a
reference measure (below), and prints one line per file and a summary.
The output is deterministic: fixed seeds, no timestamps, no tIME/tEXt chunks.

Needs Python 3 with Pillow and numpy.

Every photograph is synthesised: a two-colour gradient, fractal noise at the picture's
scale, a few flat shapes, texture at fixed pixel scales and luminance grain (the way
Benchmarks/generate_dataset.py makes photographic-looking pictures). A scene has a style
(gradient colours and angle, the shapes' kinds, colours and sizes) and a layout (noise
fields and where the shapes are): "a different photo of a similar scene" keeps the style
and draws a new layout. All pictures are 480x360, JPEG quality 85, unless named otherwise.

Each quality defect (blur, dark, dim, washed out, uniform) is made from a scene of its
own, and so is the sharp control, so no two files outside the scene-a family are
near-duplicates of each other: any set of them can share one manifest.

Fixtures (name: what it is / what it must trigger):

Near-duplicates of scene-a.jpg (each must be PREFLIGHT_NEAR_DUPLICATE_IMAGE after scene-a)
  scene-a.jpg             base photograph A
  scene-a-half.jpg        A resized to 240x180 (area-averaged)
  scene-a-q40.jpg         A re-encoded from the decoded scene-a.jpg at quality 40
  scene-a-crop.jpg        A cropped by 4% on each side, resized back to 480x360
  scene-a-border.jpg      A shrunk inside a uniform border of 3% of each side (mid grey)
  scene-a-brighter.jpg    A with +30 levels and contrast x0.8 (v' = 0.8 * (v - 128) + 128 + 30)
  scene-a.png             A as PNG (the same pixels before JPEG encoding; not a byte copy)
Must NOT be near-duplicates of scene-a.jpg
  scene-a-mirrored.jpg    A mirrored left-right
  scene-a-similar.jpg     a different photo of a similar scene: A's style, a new layout
  scene-b.jpg, scene-c.jpg, scene-d.jpg
                          three other photographs (clean controls: trigger nothing)
Image quality (each from a scene of its own)
  sharp.jpg               clean sharp control: triggers nothing
  blur-3.jpg              Gaussian blur of radius 3 (0.6% of the long side): mild
  blur-6.jpg              Gaussian blur of radius 6 (1.25% of the long side): PREFLIGHT_BLURRY_IMAGE
  dark.jpg                pixel values x0.12: PREFLIGHT_DARK_IMAGE
  dim.jpg                 pixel values x0.5, low light but usable: must NOT be PREFLIGHT_DARK_IMAGE
  washed-out.jpg          0.25 * v + 0.75 * 255: PREFLIGHT_BRIGHT_IMAGE
  uniform.jpg             flat grey 128 with faint noise (sd 1.5): PREFLIGHT_LOW_INFORMATION_IMAGE
Also: README.md, a table of the above with the reference measures, generated from FIXTURES.

The reference measures (the self-check; Preflight computes its own): a grey picture
(ITU-R 601 luma) area-averaged to a long side of at most 256 px; pHash = the signs against
their median of the 8x8 lowest DCT-II coefficients of its 32x32 area-averaged reduction
(DC left out of the median), 64 bits, after trimming outer rows and columns that are
uniform (within 4 levels of the corner); sharpness = variance of the 4-neighbour Laplacian
of the grey picture divided by its variance (so brightness and contrast cancel out).
"""
import io
import os
import shutil
import sys

try:
    import numpy as np
    from PIL import Image, ImageChops, ImageDraw, ImageFilter
except ImportError:  # pragma: no cover
    sys.exit("make_quality_fixtures.py needs numpy and Pillow: python3 -m pip install numpy pillow")

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "images", "quality")
# The benchmark's scene generator draws the backdrop of these photographs too.
sys.path.insert(0, os.path.join(HERE, "..", "Benchmarks"))
from generate_dataset import backdrop, draw_shape  # noqa: E402
W, H = 480, 360
QUALITY = 85
MAX_TOTAL_BYTES = 800 * 1024

# The checks' names, as the README states what each file must (not) trigger.
NEAR = "PREFLIGHT_NEAR_DUPLICATE_IMAGE"
BLURRY = "PREFLIGHT_BLURRY_IMAGE"
DARK = "PREFLIGHT_DARK_IMAGE"
BRIGHT = "PREFLIGHT_BRIGHT_IMAGE"
LOW_INFO = "PREFLIGHT_LOW_INFORMATION_IMAGE"

# (file name, what it is, what it must trigger, what it must not trigger) -- the single list
# that drives building, checking and README.md. "Near-duplicate" is with scene-a.jpg listed
# earlier in the same manifest.
FIXTURES = [
    ("scene-a.jpg", "base photograph A", "nothing", "any code"),
    ("scene-a-half.jpg", "A resized to 240x180 (area-averaged)", NEAR, ""),
    ("scene-a-q40.jpg", "A decoded from scene-a.jpg and re-encoded at JPEG quality 40", NEAR, ""),
    ("scene-a-crop.jpg", "A cropped by 4% on each side, resized back to 480x360", NEAR, ""),
    ("scene-a-border.jpg", "A shrunk inside a uniform mid-grey border of 3% of each side", NEAR, ""),
    ("scene-a-brighter.jpg", "A with +30 levels and contrast x0.8", NEAR, ""),
    ("scene-a.png", "A as PNG: the same pixels before JPEG encoding (not a byte copy)", NEAR,
     "PREFLIGHT_DUPLICATE_IMAGE"),
    ("scene-a-mirrored.jpg", "A mirrored left-right", "nothing", NEAR),
    ("scene-a-similar.jpg", "a different photo of a similar scene: A's colours, gradient and shape kinds, "
     "new noise and shapes moved", "nothing", NEAR),
    ("scene-b.jpg", "photograph B (clean control)", "nothing", "any code"),
    ("scene-c.jpg", "photograph C (clean control)", "nothing", "any code"),
    ("scene-d.jpg", "photograph D (clean control)", "nothing", "any code"),
    ("sharp.jpg", "a clean, sharp photograph of its own (the blur control)", "nothing", "any code"),
    ("blur-3.jpg", "a photograph of its own, Gaussian blur radius 3 (0.6% of the long side): mild", "-",
     "any code but " + BLURRY),
    ("blur-6.jpg", "a photograph of its own, Gaussian blur radius 6 (1.25% of the long side)", BLURRY, ""),
    ("dark.jpg", "a photograph of its own, pixel values x0.12", DARK, BRIGHT),
    ("dim.jpg", "a photograph of its own, pixel values x0.5: low light but usable", "nothing", DARK),
    ("washed-out.jpg", "a photograph of its own, 0.25 * v + 0.75 * 255 (washed out, low contrast)", BRIGHT, DARK),
    ("uniform.jpg", "flat grey 128 with faint Gaussian noise (sd 1.5)", LOW_INFO, ""),
]

# Scene seeds: (style, layout). scene-a-similar keeps A's style with a new layout.
SCENES = {"a": (11, 101), "a-similar": (11, 202), "b": (12, 102), "c": (13, 103), "d": (14, 104),
          "sharp": (15, 105), "blur-3": (16, 106), "blur-6": (17, 107), "dark": (18, 108),
          "dim": (19, 109), "washed-out": (20, 110)}


# --------------------------------------------------------------------------- pictures

def _noise_layer(rng, gw, gh, w, h, sigma):
    small = (rng.normal(0, sigma, (gh, gw, 3)) + 128).clip(0, 255).astype(np.uint8)
    return Image.fromarray(small, "RGB").resize((w, h), Image.BICUBIC)


def photo(style_seed, layout_seed, w=W, h=H):
    """A photographic-looking RGB picture. The style seed picks the gradient's colours and
    angle and the shapes' kinds, colours and sizes; the layout seed picks every noise field
    and where the shapes stand."""
    style = np.random.default_rng([style_seed, 1])
    layout = np.random.default_rng([layout_seed, 2])
    im = backdrop(w, h, style, layout, colours=(30, 225), portrait_grid=False)

    draw = ImageDraw.Draw(im)
    for _ in range(int(style.integers(2, 5))):
        bw, bh = int(style.uniform(0.12, 0.35) * w), int(style.uniform(0.12, 0.35) * h)
        colour = tuple(int(v) for v in style.uniform(10, 245, 3))
        kind = int(style.integers(0, 3))
        x, y = int(layout.integers(0, w - bw)), int(layout.integers(0, h - bh))
        draw_shape(draw, kind, x, y, bw, bh, colour)

    im = ImageChops.add(im, _noise_layer(layout, w // 24, h // 24, w, h, 12), 1.0, -128)
    im = ImageChops.add(im, _noise_layer(layout, w // 5, h // 5, w, h, 6), 1.0, -128)
    grain = Image.fromarray((layout.standard_normal((h, w)).astype(np.float32) * 2.5 + 128)
                            .clip(0, 255).astype(np.uint8), "L")
    return ImageChops.add(im, Image.merge("RGB", (grain, grain, grain)), 1.0, -128)


def levels(im, scale, offset=0.0, centre=0.0):
    """v' = scale * (v - centre) + centre + offset, clipped: brightness and contrast changes."""
    a = np.asarray(im, np.float32)
    return Image.fromarray((scale * (a - centre) + centre + offset).round().clip(0, 255).astype(np.uint8), "RGB")


def jpeg(im, quality=QUALITY):
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=quality, optimize=True)
    return buf.getvalue()


def png(im):
    buf = io.BytesIO()
    im.save(buf, "PNG", optimize=True)
    return buf.getvalue()


def decoded(data):
    with Image.open(io.BytesIO(data)) as im:
        return im.convert("RGB")


def build_all():
    files = {}
    a = photo(*SCENES["a"])
    files["scene-a.jpg"] = jpeg(a)
    files["scene-a-half.jpg"] = jpeg(a.resize((W // 2, H // 2), Image.BOX))
    files["scene-a-q40.jpg"] = jpeg(decoded(files["scene-a.jpg"]), quality=40)
    dx, dy = round(W * 0.04), round(H * 0.04)
    files["scene-a-crop.jpg"] = jpeg(a.crop((dx, dy, W - dx, H - dy)).resize((W, H), Image.LANCZOS))
    bx, by = round(W * 0.03), round(H * 0.03)
    bordered = Image.new("RGB", (W, H), (128, 128, 128))
    bordered.paste(a.resize((W - 2 * bx, H - 2 * by), Image.LANCZOS), (bx, by))
    files["scene-a-border.jpg"] = jpeg(bordered)
    files["scene-a-brighter.jpg"] = jpeg(levels(a, 0.8, 30, 128))
    files["scene-a.png"] = png(a)
    files["scene-a-mirrored.jpg"] = jpeg(a.transpose(Image.FLIP_LEFT_RIGHT))
    files["scene-a-similar.jpg"] = jpeg(photo(*SCENES["a-similar"]))
    for k in ("b", "c", "d"):
        files["scene-%s.jpg" % k] = jpeg(photo(*SCENES[k]))
    files["sharp.jpg"] = jpeg(photo(*SCENES["sharp"]))
    files["blur-3.jpg"] = jpeg(photo(*SCENES["blur-3"]).filter(ImageFilter.GaussianBlur(3)))
    files["blur-6.jpg"] = jpeg(photo(*SCENES["blur-6"]).filter(ImageFilter.GaussianBlur(6)))
    files["dark.jpg"] = jpeg(levels(photo(*SCENES["dark"]), 0.12))
    files["dim.jpg"] = jpeg(levels(photo(*SCENES["dim"]), 0.5))
    files["washed-out.jpg"] = jpeg(levels(photo(*SCENES["washed-out"]), 0.25, 0.75 * 255))
    flat = np.random.default_rng([21, 3]).normal(128, 1.5, (H, W, 1)).repeat(3, axis=2)
    files["uniform.jpg"] = jpeg(Image.fromarray(flat.round().clip(0, 255).astype(np.uint8), "RGB"))
    return files


# --------------------------------------------------------------------------- reference measures

def grey_small(data):
    """ITU-R 601 luma, area-averaged to a long side of at most 256 px, as floats 0..255."""
    with Image.open(io.BytesIO(data)) as im:
        g = im.convert("RGB").convert("L")
    w, h = g.size
    s = min(1.0, 256 / max(w, h))
    if s < 1:
        g = g.resize((max(1, round(w * s)), max(1, round(h * s))), Image.BOX)
    return np.asarray(g, np.float64)


def _dct_matrix(n):
    k = np.arange(n)[:, None]
    x = np.arange(n)[None, :]
    m = np.cos(np.pi * (2 * x + 1) * k / (2 * n)) * np.sqrt(2 / n)
    m[0] /= np.sqrt(2)
    return m


DCT32 = _dct_matrix(32)


def trim_border(grey, tolerance=4.0):
    """The picture without outer rows and columns all within `tolerance` of the top-left
    corner's value (a uniform border or letterbox), at most a quarter of each side."""
    g, edge = grey, grey[0, 0]
    h, w = g.shape

    def flat(line):
        return np.abs(line - edge).max() <= tolerance
    top, bottom, left, right = 0, h, 0, w
    while top < h // 4 and flat(g[top]):
        top += 1
    while bottom > 3 * h // 4 and flat(g[bottom - 1]):
        bottom -= 1
    while left < w // 4 and flat(g[top:bottom, left]):
        left += 1
    while right > 3 * w // 4 and flat(g[top:bottom, right - 1]):
        right -= 1
    return g[top:bottom, left:right]


def phash(grey):
    grey = trim_border(grey)
    small = np.asarray(Image.fromarray(grey.astype(np.float32), "F").resize((32, 32), Image.BOX), np.float64)
    coeffs = (DCT32 @ small @ DCT32.T)[:8, :8].ravel()
    median = np.median(coeffs[1:])
    return sum(1 << i for i, c in enumerate(coeffs) if c > median)


def hamming(a, b):
    return bin(a ^ b).count("1")


def measures(data):
    g = grey_small(data)
    lap = (-4 * g[1:-1, 1:-1] + g[:-2, 1:-1] + g[2:, 1:-1] + g[1:-1, :-2] + g[1:-1, 2:])
    return {"hash": phash(g), "mean": g.mean(), "sd": g.std(),
            "p95": np.percentile(g, 95), "p05": np.percentile(g, 5),
            "sharpness": lap.var() / max(g.var(), 1e-9)}


class CheckFailed(Exception):
    pass


def check(cond, what):
    if not cond:
        raise CheckFailed(what)


def verify(files):
    names = [n for n, *_ in FIXTURES]
    check(sorted(files) == sorted(names), "built set == FIXTURES")
    for n in names:
        check(n in __doc__, "docstring lists " + n)
    total = sum(len(d) for d in files.values())
    check(total <= MAX_TOTAL_BYTES, "total %d bytes, over %d" % (total, MAX_TOTAL_BYTES))
    m = {n: measures(d) for n, d in files.items()}
    a = m["scene-a.jpg"]["hash"]
    for n in names:
        if n.startswith("scene-a") and n != "scene-a.jpg":
            d = hamming(a, m[n]["hash"])
            if n in ("scene-a-mirrored.jpg", "scene-a-similar.jpg"):
                check(d >= 20, "%s is %d bits from scene-a.jpg: too close for a must-not-match" % (n, d))
            else:
                check(d <= 12, "%s is %d bits from scene-a.jpg: too far for a near-duplicate" % (n, d))
    # Every file outside the scene-a family is far from every other file.
    others = [n for n in names if not n.startswith("scene-a")] + ["scene-a.jpg"]
    for i, x in enumerate(others):
        for y in others[i + 1:]:
            d = hamming(m[x]["hash"], m[y]["hash"])
            check(d >= 16, "%s and %s are only %d bits apart" % (x, y, d))
    clean = ["scene-a.jpg", "scene-b.jpg", "scene-c.jpg", "scene-d.jpg", "sharp.jpg", "dim.jpg"]
    least_sharp = min(m[n]["sharpness"] for n in clean)
    check(m["blur-6.jpg"]["sharpness"] < least_sharp / 10, "blur-6.jpg is not far less sharp than the controls")
    check(m["blur-3.jpg"]["sharpness"] < least_sharp / 3, "blur-3.jpg is not less sharp than the controls")
    check(m["dark.jpg"]["mean"] < 25 and m["dark.jpg"]["p95"] < 50, "dark.jpg is not dark")
    check(m["dim.jpg"]["mean"] > 40 and m["dim.jpg"]["p95"] > 90, "dim.jpg is too dark to be usable")
    check(m["washed-out.jpg"]["mean"] > 200 and m["washed-out.jpg"]["p95"] - m["washed-out.jpg"]["p05"] < 60,
          "washed-out.jpg is not washed out")
    check(m["uniform.jpg"]["sd"] < 3, "uniform.jpg is not nearly uniform")
    for n in clean:
        check(25 < m[n]["mean"] < 200 and m[n]["sd"] > 15, "%s is not a clean control" % n)
    return m


def readme(m):
    a = m["scene-a.jpg"]["hash"]
    rows = ["# Quality-check fixtures", "",
            "Generated by `../../make_quality_fixtures.py` (do not edit by hand; run "
            "`python3 Fixtures/make_quality_fixtures.py` from the repository root to recreate this folder).",
            "Synthesised photographs, 480x360 JPEG quality 85 unless stated. \"Near-duplicate\" means of "
            "`scene-a.jpg` on an earlier line of the same manifest (or in the training manifest, for "
            "PREFLIGHT_TRAIN_TEST_NEAR_DUPLICATE). Files outside the scene-a family each come from a scene "
            "of their own: no two of them are near-duplicates, so any set of them can share a manifest.",
            "",
            "Reference measures (the generator's self-check, not Preflight's): pHash bits from `scene-a.jpg` "
            "(64-bit DCT hash of a 32x32 reduction of the grey picture, long side area-averaged to 256 px); "
            "grey mean and standard deviation; sharpness = variance of the Laplacian / variance of the grey "
            "picture.", "",
            "| File | What it is | Must trigger | Must not trigger | bits from scene-a | mean | sd | sharpness |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for n, what, must, must_not in FIXTURES:
        x = m[n]
        rows.append("| `%s` | %s | %s | %s | %d | %.0f | %.1f | %.3f |" % (
            n, what, must, must_not or "-", hamming(a, x["hash"]), x["mean"], x["sd"], x["sharpness"]))
    rows += ["", "Borders: on 30 synthesised scenes, a 3% uniform border puts a plain pHash 4 to 18 bits away "
             "from the picture without it, and 0 to 6 bits once uniform outer rows and columns are trimmed; a 4% "
             "crop on each side puts it 2 to 12 bits away; mirrored copies and similar scenes stay 24 bits or more "
             "away.", "",
             "`blur-3.jpg` is mild blur, at the edge of what a photograph can show: tests should not rely on "
             "it being flagged or not; it is there to place the threshold between it and `blur-6.jpg`.", ""]
    return "\n".join(rows).encode()


def main():
    files = build_all()
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    for n, data in files.items():
        with open(os.path.join(OUT, n), "wb") as fh:
            fh.write(data)
    try:
        m = verify(files)
    except CheckFailed as e:
        sys.exit("make_quality_fixtures.py: self-check failed: %s" % e)
    with open(os.path.join(OUT, "README.md"), "wb") as fh:
        fh.write(readme(m))
    a = m["scene-a.jpg"]["hash"]
    for n, *_ in FIXTURES:
        x = m[n]
        print("  %-22s %7d bytes  %2d bits from scene-a  mean %5.1f  sd %5.1f  sharpness %.3f" % (
            n, len(files[n]), hamming(a, x["hash"]), x["mean"], x["sd"], x["sharpness"]))
    print("make_quality_fixtures.py: wrote %d fixtures (%d bytes) + README.md to %s; all self-checks passed"
          % (len(files), sum(len(d) for d in files.values()), "Fixtures/images/quality"))


if __name__ == "__main__":
    main()
