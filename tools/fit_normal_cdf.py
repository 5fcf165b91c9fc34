#!/usr/bin/python3
"""Fits the piecewise polynomials that Nonlinear's exact GELU uses for the Mills ratio
M(t) = Phi(-t) / phi(t) on t in [0, 16): eight intervals [2k, 2k+2], each a polynomial in
s = t - (2k + 1) in [-1, 1] (Chebyshev fit, converted to monomials).

Why: Phi(x) = phi(x) * M(|x|) for x <= 0 (and 1 - that for x > 0) has no cancellation, unlike the
textbook 0.5 * (1 + erf(x / sqrt 2)), which loses every digit for x < -5 in float32.
Reference: Python's math.erfc (float64). Prints C# arrays (coefficient k of every interval,
highest power first) and the worst error of a float32 Horner evaluation. Needs numpy.
usage: /usr/bin/python3 tools/fit_normal_cdf.py
"""
import math
import numpy as np
from numpy.polynomial import chebyshev as C

DEG = 11

def mills(t):
    return 0.5 * math.erfc(t / math.sqrt(2)) / (math.exp(-t * t / 2) / math.sqrt(2 * math.pi))

coeffs = []
worst = 0.0
for k in range(8):
    lo, hi = 2.0 * k, 2.0 * k + 2
    n = 4000
    s = np.cos(np.pi * (np.arange(n) + 0.5) / n)
    y = np.array([mills(v + 2 * k + 1) for v in s])
    mono = C.cheb2poly(C.chebfit(s, y, DEG))[::-1]  # highest power first
    f32 = [np.float32(c) for c in mono]
    coeffs.append(f32)
    for t in np.linspace(lo, hi, 20001, dtype=np.float32)[:-1]:
        sv = np.float32(t - np.float32(2 * k + 1))
        acc = f32[0]
        for c in f32[1:]:
            acc = np.float32(acc * sv + c)
        exact = mills(float(t))
        worst = max(worst, abs(float(acc) - exact) / exact * 2 ** 24)

print(f"// worst float32 Horner error of M over [0, 16): {worst:.2f} ulp-of-2^-24 (relative)")
print("private static readonly float[][] MillsCoefficients =")
print("[")
for d in range(DEG + 1):
    row = ", ".join(f"{float(coeffs[k][d]):.9e}f" for k in range(8))
    print(f"    [{row}],")
print("];")
