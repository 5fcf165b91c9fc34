#!/usr/bin/python3
"""Fits the piecewise polynomials that Nonlinear's exact GELU uses for the Mills ratio
M(t) = Phi(-t) / phi(t) on t in [0, 16): sixteen intervals [k, k+1], each a degree-7 polynomial in
s = t - (k + 0.5) in [-0.5, 0.5] (Chebyshev fit, converted to monomials).

Why: Phi(x) = phi(x) * M(|x|) for x <= 0 (and 1 - that for x > 0) has no cancellation, unlike the
textbook 0.5 * (1 + erf(x / sqrt 2)), which loses every digit for x < -5 in float32.
Sixteen intervals fit one 512-bit permute (one instruction per coefficient); degree 7 is the lowest
whose float32 evaluation stays near 2 ulp.
Reference: Python's math.erfc (float64). Prints the C# table (one row of 16 floats per power, highest
first: row k holds the coefficient of that power for the 16 intervals) and the worst error of a float32
Horner evaluation. Needs numpy.
usage: /usr/bin/python3 tools/fit_normal_cdf.py
"""
import math
import numpy as np
from numpy.polynomial import chebyshev as C

DEG = 7
INTERVALS = 16


def mills(t):
    return 0.5 * math.erfc(t / math.sqrt(2)) / (math.exp(-t * t / 2) / math.sqrt(2 * math.pi))


coeffs = []
worst = 0.0
for k in range(INTERVALS):
    n = 2000
    u = np.cos(np.pi * (np.arange(n) + 0.5) / n)  # u = 2s in [-1, 1]
    y = np.array([mills(v / 2 + k + 0.5) for v in u])
    in_u = C.cheb2poly(C.chebfit(u, y, DEG))
    mono = [c * 2 ** i for i, c in enumerate(in_u)][::-1]  # in s, highest power first
    f32 = [np.float32(c) for c in mono]
    coeffs.append(f32)
    for t in np.linspace(k, k + 1, 3001, dtype=np.float32)[:-1]:
        s = np.float32(t - np.float32(k + 0.5))
        acc = f32[0]
        for c in f32[1:]:
            acc = np.float32(acc * s + c)
        exact = mills(float(t))
        worst = max(worst, abs(float(acc) - exact) / exact * 2 ** 24)

print(f"// worst float32 Horner error of M over [0, 16): {worst:.2f} ulp-of-2^-24 (relative)")
print("private static ReadOnlySpan<float> MillsCoefficients =>")
print("[")
for d in range(DEG + 1):
    print("    " + ", ".join(f"{float(coeffs[k][d]):.9e}f" for k in range(INTERVALS)) + ",")
print("];")
