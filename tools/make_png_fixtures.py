#!/usr/bin/python3
"""Writes the PNG test fixtures in tests/Nonlinear.Tests/Data/Png with PIL (an independent encoder), and
expected.json with the grayscale intensity in [0, 1] that PngImage must decode for each pixel:
luma = 0.299 R + 0.587 G + 0.114 B (exact, before PIL's rounding), times alpha. usage: make_png_fixtures.py"""
import json, os, random
from PIL import Image

out = os.path.join(os.path.dirname(__file__), "..", "tests", "Nonlinear.Tests", "Data", "Png")
os.makedirs(out, exist_ok=True)
rng = random.Random(7)
W, H = 13, 7
expected = {}

def save(name, img, gray, **kw):
    img.save(os.path.join(out, name), **kw)
    expected[name] = {"width": img.width, "height": img.height, "gray": [round(g, 6) for g in gray]}

rgb = [(rng.randrange(256), rng.randrange(256), rng.randrange(256)) for _ in range(W * H)]
alpha = [rng.randrange(256) for _ in range(W * H)]
luma = lambda p: (0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2]) / 255

im = Image.new("L", (W, H)); im.putdata([int(round(luma(p) * 255)) for p in rgb])
save("gray8.png", im, [int(round(luma(p) * 255)) / 255 for p in rgb])
im = Image.new("RGB", (W, H)); im.putdata(rgb)
save("rgb8.png", im, [luma(p) for p in rgb])
im = Image.new("RGBA", (W, H)); im.putdata([p + (a,) for p, a in zip(rgb, alpha)])
save("rgba8.png", im, [luma(p) * a / 255 for p, a in zip(rgb, alpha)])
im = Image.new("LA", (W, H)); im.putdata([(p[0], a) for p, a in zip(rgb, alpha)])
save("gray-alpha8.png", im, [p[0] / 255 * a / 255 for p, a in zip(rgb, alpha)])
bits = [rng.randrange(2) for _ in range(W * H)]
im = Image.new("1", (W, H)); im.putdata([b * 255 for b in bits])
save("bilevel1.png", im, [float(b) for b in bits])
v16 = [rng.randrange(65536) for _ in range(W * H)]
im = Image.new("I;16", (W, H)); im.putdata(v16)
save("gray16.png", im, [v / 65535 for v in v16])
pal = [(rng.randrange(256), rng.randrange(256), rng.randrange(256)) for _ in range(5)]
idx = [rng.randrange(5) for _ in range(W * H)]
im = Image.new("P", (W, H)); im.putpalette([c for p in pal for c in p]); im.putdata(idx)
save("palette.png", im, [luma(pal[i]) for i in idx])
trns = bytes([255, 128, 0, 255, 64])
im.info["transparency"] = trns
save("palette-alpha.png", im, [luma(pal[i]) * trns[i] / 255 for i in idx], transparency=trns)
with open(os.path.join(out, "expected.json"), "w") as f:
    json.dump(expected, f, indent=1)
print("wrote", len(expected), "fixtures to", os.path.normpath(out))
