"""Pixel-level drawing for the synthetic datasets: stripes, blobs, shapes, noise, as numpy arrays.

Every function takes an explicit `numpy.random.Generator` (or none at all),
so one seed gives the same pixels on every run. This module only paints
float32 arrays in [0, 1]; it does not know about classes, files or formats
(that is `grader.data.synthetic`).
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image

FloatImage = np.ndarray
"""An H×W×3 float32 array of RGB values in [0, 1]."""


def coordinate_grid(height: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Row and column coordinates (float32, H×W) of every pixel centre."""
    rows = np.arange(height, dtype=np.float32)[:, None] + 0.5
    cols = np.arange(width, dtype=np.float32)[None, :] + 0.5
    return np.broadcast_to(rows, (height, width)), np.broadcast_to(cols, (height, width))


def oriented_stripes(
    rows: np.ndarray, cols: np.ndarray, *, angle_deg: float, wavelength: float, phase: float
) -> np.ndarray:
    """A sine grating in [-1, 1] whose stripes run at `angle_deg` from horizontal."""
    theta = math.radians(angle_deg)
    # The grating varies along the stripes' normal, so stripes at 0° run horizontally.
    across = -rows * math.cos(theta) + cols * math.sin(theta)
    return np.sin(2 * math.pi * across / wavelength + phase).astype(np.float32)


def ellipse_mask(
    rows: np.ndarray,
    cols: np.ndarray,
    *,
    centre: tuple[float, float],
    radii: tuple[float, float],
    angle_deg: float = 0.0,
    softness: float = 1.5,
) -> np.ndarray:
    """Coverage in [0, 1] of a rotated ellipse with a soft edge `softness` pixels wide."""
    theta = math.radians(angle_deg)
    dr, dc = rows - centre[0], cols - centre[1]
    along = dc * math.cos(theta) - dr * math.sin(theta)
    across = dc * math.sin(theta) + dr * math.cos(theta)
    radius_a, radius_b = radii
    distance = np.sqrt((along / radius_a) ** 2 + (across / radius_b) ** 2)
    edge_px = (1.0 - distance) * min(radius_a, radius_b)
    return np.clip(edge_px / softness + 0.5, 0.0, 1.0).astype(np.float32)


def polygon_mask(
    rows: np.ndarray, cols: np.ndarray, vertices: list[tuple[float, float]]
) -> np.ndarray:
    """Coverage (0 or 1) of a convex polygon given as (row, col) vertices in either winding."""
    inside_left = np.ones(rows.shape, dtype=bool)
    inside_right = np.ones(rows.shape, dtype=bool)
    for (r0, c0), (r1, c1) in zip(vertices, vertices[1:] + vertices[:1], strict=True):
        cross = (c1 - c0) * (rows - r0) - (r1 - r0) * (cols - c0)
        inside_left &= cross >= 0
        inside_right &= cross <= 0
    return (inside_left | inside_right).astype(np.float32)


def smooth_noise(
    rng: np.random.Generator, height: int, width: int, *, cells: int = 4
) -> np.ndarray:
    """Low-frequency noise in [0, 1]: a `cells`×`cells` random grid upsampled bilinearly."""
    coarse = rng.random((cells, cells), dtype=np.float32)
    image = Image.fromarray(coarse).resize((width, height), Image.Resampling.BILINEAR)
    return np.asarray(image, dtype=np.float32)


def paint(canvas: FloatImage, mask: np.ndarray, colour: np.ndarray | FloatImage) -> None:
    """Blend `colour` (an RGB triple or an image) into `canvas` where `mask` covers it."""
    coverage = mask[..., None]
    canvas *= 1.0 - coverage
    canvas += coverage * colour


def finish(
    rng: np.random.Generator,
    canvas: FloatImage,
    *,
    brightness: tuple[float, float],
    noise_sigma: tuple[float, float],
) -> np.ndarray:
    """Random brightness and Gaussian pixel noise, then clip and quantise to uint8 H×W×3."""
    canvas = canvas * rng.uniform(*brightness)
    canvas = canvas + rng.normal(0.0, rng.uniform(*noise_sigma), canvas.shape).astype(np.float32)
    return np.round(np.clip(canvas, 0.0, 1.0) * 255.0).astype(np.uint8)


def random_colour(rng: np.random.Generator, *, low: float = 0.1, high: float = 0.9) -> np.ndarray:
    """An RGB triple (float32) with each channel drawn uniformly in [low, high]."""
    return rng.uniform(low, high, 3).astype(np.float32)
