"""Quartiles and Tukey fences exactly as Cardinal computes them (statrs 0.16 on f64).

statrs' ``quantile`` is the "median-unbiased" estimator (Hyndman & Fan type 8): with ``n`` sorted values
and ``h = (n + 1/3)·tau + 1/3``, the quantile is ``x[h] + (h - floor h)·(x[h+1] - x[h])`` (1-based), the
minimum when ``floor h < 1`` and the maximum when ``floor h >= n``; an empty set gives NaN (so nothing is
flagged). Fences use a fused multiply-add (Rust's ``mul_add``: one rounding), reproduced here with exact
rational arithmetic so every fence is the same double Cardinal gets.
"""

from __future__ import annotations

import math
import struct
import sys
from dataclasses import dataclass
from fractions import Fraction
from typing import Iterable

_THIRD = 1.0 / 3.0


def _ulps_eq_one(tau: float) -> bool:
    # approx's ulps_eq!(tau, 1.0): within f64::EPSILON, or at most 4 units in the last place apart
    if abs(tau - 1.0) <= sys.float_info.epsilon:
        return True
    return tau > 0 and abs(_ordinal(tau) - _ordinal(1.0)) <= 4


def _ordinal(x: float) -> int:
    return struct.unpack("<q", struct.pack("<d", x))[0]


def quantile(values: Iterable[float], tau: float) -> float:
    data = sorted(values)
    n = len(data)
    if not 0.0 <= tau <= 1.0 or n == 0:
        return math.nan
    h = (n + _THIRD) * tau + _THIRD
    hf = int(h)
    if hf <= 0 or tau == 0.0:
        return data[0]
    if hf >= n or _ulps_eq_one(tau):
        return data[-1]
    a = data[hf - 1]
    b = data[hf]
    return a + (h - hf) * (b - a)


def fma(x: float, y: float, z: float) -> float:
    """``x·y + z`` rounded once (Rust's ``f64::mul_add``)."""
    if not (math.isfinite(x) and math.isfinite(y) and math.isfinite(z)):
        return x * y + z
    return float(Fraction(x) * Fraction(y) + Fraction(z))


@dataclass(frozen=True)
class Quartiles:
    """Q1 and Q3 of a comparison set, and how many values it has."""

    q1: float
    q3: float
    count: int

    @classmethod
    def of(cls, values: Iterable[float]) -> Quartiles:
        data = sorted(values)
        return cls(quantile(data, 0.25), quantile(data, 0.75), len(data))

    @property
    def lower_fence(self) -> float:
        """Q1 - 1.5·IQR."""
        return fma(self.q3 - self.q1, -1.5, self.q1)

    @property
    def upper_fence(self) -> float:
        """Q3 + 1.5·IQR."""
        return fma(self.q3 - self.q1, 1.5, self.q3)

    def evidence(self) -> dict[str, float | int]:
        return {"q1": self.q1, "q3": self.q3, "compared_with": self.count}


def round4(value: float) -> float:
    """Cardinal's Meta rounding: ``(v * 10000).round() / 10000`` (Rust rounds half away from zero)."""
    if not math.isfinite(value):
        return value
    scaled = value * 10_000.0
    rounded = math.floor(abs(scaled) + 0.5)
    # floor(x + 0.5) can overshoot when x + 0.5 rounds up in binary; Rust's round() never does
    if rounded - abs(scaled) > 0.5:
        rounded -= 1
    return math.copysign(rounded, scaled) / 10_000.0
