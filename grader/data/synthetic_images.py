"""What each synthetic class looks like: cats vs dogs, ten CIFAR-like classes, the pretraining task.

The classes are learnable by a small CNN but not by a colour histogram:
- cats vs dogs: the main cue is the orientation of a striped "coat" (cats
  near-horizontal, dogs steep or diagonal) and the shape of its spots
  (cats round, dogs elongated); colour tone (cats warm, dogs cool) is only a
  weak cue that often points the wrong way, and some coats are faint, so
  accuracy stays below 100 %.
- CIFAR-like: ten shapes and textures in random colours at random places.
- pretraining: stripe orientation × spot shape (tone random), a different task
  that exercises the same visual features, so a base trained on it transfers.

This module only draws uint8 H×W×3 arrays from a seeded generator; writing
files and formats is `grader.data.synthetic`.
"""

from __future__ import annotations

import math

import numpy as np

from grader.data.drawing import (
    coordinate_grid,
    ellipse_mask,
    finish,
    oriented_stripes,
    paint,
    polygon_mask,
    random_colour,
    smooth_noise,
)

CAT, DOG = 0, 1
WARM = np.array([0.20, 0.03, -0.20], dtype=np.float32)
"""Direction in RGB of a warm tone; its negative is a cool tone."""


def _coat_angle(rng: np.random.Generator, is_dog: bool) -> float:
    """Stripe angle from horizontal: cats within ±25°, dogs between 50° and 130°."""
    return float(rng.uniform(50.0, 130.0) if is_dog else rng.uniform(-25.0, 25.0))


def _pet_canvas(
    rng: np.random.Generator,
    height: int,
    width: int,
    *,
    tone: float,
    coat_angle: float,
    spot_shape: str | None,
    faint: bool,
    whole_coat: bool = False,
) -> np.ndarray:
    """A background, one striped body at a random place (or everywhere), and a few spots (float H×W×3)."""
    rows, cols = coordinate_grid(height, width)
    base = np.clip(0.5 + tone * WARM + rng.normal(0.0, 0.07, 3).astype(np.float32), 0.15, 0.85)
    shade = 0.75 + 0.5 * smooth_noise(rng, height, width, cells=int(rng.integers(3, 7)))
    canvas = base * shade[..., None]

    size = min(height, width)
    body = (
        np.ones((height, width), np.float32)
        if whole_coat
        else ellipse_mask(
            rows,
            cols,
            centre=(rng.uniform(0.3, 0.7) * height, rng.uniform(0.3, 0.7) * width),
            radii=(rng.uniform(0.3, 0.5) * size, rng.uniform(0.25, 0.45) * size),
            angle_deg=float(rng.uniform(0.0, 180.0)),
            softness=3.0,
        )
    )
    amplitude = rng.uniform(0.03, 0.06) if faint else rng.uniform(0.1, 0.3)
    stripes = oriented_stripes(
        rows,
        cols,
        angle_deg=coat_angle,
        wavelength=float(rng.uniform(11.0, 22.0)),
        phase=float(rng.uniform(0.0, 2 * math.pi)),
    )
    coat_colour = np.clip(base * rng.uniform(0.7, 1.3), 0.05, 0.95)
    paint(canvas, body, coat_colour * (1.0 + amplitude * stripes)[..., None])

    if spot_shape is None:
        return canvas
    spot_colour = random_colour(rng, low=0.05, high=0.95)
    for _ in range(int(rng.integers(2, 5))):
        radius = rng.uniform(5.0, 12.0)
        radii = (radius, radius) if spot_shape == "round" else (radius * 1.9, radius * 0.45)
        spot = ellipse_mask(
            rows,
            cols,
            centre=(rng.uniform(0.1, 0.9) * height, rng.uniform(0.1, 0.9) * width),
            radii=radii,
            angle_deg=float(rng.uniform(0.0, 180.0)),
        )
        paint(canvas, spot * 0.8, spot_colour)
    return canvas


def draw_pet(rng: np.random.Generator, label: int) -> np.ndarray:
    """One synthetic cat (0) or dog (1) of a random size between 120 and 200 pixels a side."""
    is_dog = label == DOG
    height, width = (int(v) for v in rng.integers(120, 201, 2))
    # Tone agrees with the class about 3 times in 4: a hint, never the answer.
    tone = float(rng.normal(-0.3 if is_dog else 0.3, 0.45))
    canvas = _pet_canvas(
        rng,
        height,
        width,
        tone=tone,
        coat_angle=_coat_angle(rng, is_dog),
        # Spots match the class (cats round, dogs elongated) 85 % of the time.
        spot_shape="elongated" if is_dog == bool(rng.random() < 0.85) else "round",
        faint=bool(rng.random() < 0.2),
    )
    return finish(rng, canvas, brightness=(0.75, 1.25), noise_sigma=(0.03, 0.09))


PRETRAINING_CLASSES = 12
"""4 stripe orientations × 3 spot kinds (round, elongated, none)."""


def draw_pretraining_patch(rng: np.random.Generator, label: int, size: int) -> np.ndarray:
    """A size×size patch for the pretraining task: label = orientation * 3 + spot kind.

    Orientations are 0°, 45°, 90° and 135° (±12°); tone is random, so the base
    learns textures and shapes rather than colour.
    """
    orientation, spot_kind = divmod(label, 3)
    angle = orientation * 45.0 + float(rng.uniform(-12.0, 12.0))
    canvas = _pet_canvas(
        rng,
        size,
        size,
        tone=float(rng.uniform(-0.6, 0.6)),
        coat_angle=angle,
        spot_shape=("round", "elongated", None)[spot_kind],
        faint=False,
        whole_coat=True,
    )
    return finish(rng, canvas, brightness=(0.8, 1.2), noise_sigma=(0.02, 0.06))


CIFAR_LABEL_NAMES = (
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
)
"""The real CIFAR-10 label names, in order; the synthetic classes borrow them."""


def _cifar_shape_mask(
    rng: np.random.Generator, label: int, rows: np.ndarray, cols: np.ndarray
) -> np.ndarray:
    """The foreground of one CIFAR-like class on a 32×32 grid."""
    centre = (float(rng.uniform(10.0, 22.0)), float(rng.uniform(10.0, 22.0)))
    radius = float(rng.uniform(6.0, 10.0))
    angle = float(rng.uniform(0.0, 180.0))
    wavelength = float(rng.uniform(5.0, 8.0))
    phase = float(rng.uniform(0.0, 2 * math.pi))
    r, c = centre
    match label:
        case 0:  # disc
            return ellipse_mask(rows, cols, centre=centre, radii=(radius, radius))
        case 1:  # square, slightly rotated
            return _rotated_square(rows, cols, centre, radius * 0.85, rng.uniform(-15.0, 15.0))
        case 2:  # triangle
            return polygon_mask(
                rows,
                cols,
                [(r - radius, c), (r + radius * 0.8, c - radius), (r + radius * 0.8, c + radius)],
            )
        case 3:  # ring
            outer = ellipse_mask(rows, cols, centre=centre, radii=(radius, radius))
            inner = ellipse_mask(rows, cols, centre=centre, radii=(radius * 0.55, radius * 0.55))
            return np.clip(outer - inner, 0.0, 1.0)
        case 4:  # plus sign
            bar = radius * 0.3
            horizontal = polygon_mask(rows, cols, _box(r, c, bar, radius))
            vertical = polygon_mask(rows, cols, _box(r, c, radius, bar))
            return np.maximum(horizontal, vertical)
        case 5:  # horizontal stripes
            return _stripes(rows, cols, float(rng.uniform(-10.0, 10.0)), wavelength, phase)
        case 6:  # vertical stripes
            return _stripes(rows, cols, float(rng.uniform(80.0, 100.0)), wavelength, phase)
        case 7:  # checkerboard
            return _checkerboard(rows, cols, wavelength, phase)
        case 8:  # diagonal stripes, either diagonal
            diagonal = 45.0 if rng.random() < 0.5 else 135.0
            return _stripes(rows, cols, diagonal + float(rng.uniform(-8.0, 8.0)), wavelength, phase)
        case _:  # two small dots side by side
            offset = radius * 0.7
            angle_rad = math.radians(angle)
            dr, dc = offset * math.sin(angle_rad), offset * math.cos(angle_rad)
            small = (radius * 0.4, radius * 0.4)
            first = ellipse_mask(rows, cols, centre=(r + dr, c + dc), radii=small)
            second = ellipse_mask(rows, cols, centre=(r - dr, c - dc), radii=small)
            return np.maximum(first, second)


def _box(r: float, c: float, half_height: float, half_width: float) -> list[tuple[float, float]]:
    return [
        (r - half_height, c - half_width),
        (r - half_height, c + half_width),
        (r + half_height, c + half_width),
        (r + half_height, c - half_width),
    ]


def _rotated_square(
    rows: np.ndarray, cols: np.ndarray, centre: tuple[float, float], half: float, angle: float
) -> np.ndarray:
    theta = math.radians(angle)
    corners = []
    for dr, dc in ((-half, -half), (-half, half), (half, half), (half, -half)):
        corners.append(
            (
                centre[0] + dr * math.cos(theta) - dc * math.sin(theta),
                centre[1] + dr * math.sin(theta) + dc * math.cos(theta),
            )
        )
    return polygon_mask(rows, cols, corners)


def _stripes(
    rows: np.ndarray, cols: np.ndarray, angle: float, wavelength: float, phase: float
) -> np.ndarray:
    grating = oriented_stripes(rows, cols, angle_deg=angle, wavelength=wavelength, phase=phase)
    return (grating > 0).astype(np.float32)


def _checkerboard(
    rows: np.ndarray, cols: np.ndarray, wavelength: float, phase: float
) -> np.ndarray:
    shift = phase / (2 * math.pi) * wavelength
    squares = np.floor((rows + shift) / (wavelength / 2)) + np.floor(
        (cols + shift) / (wavelength / 2)
    )
    return (squares % 2).astype(np.float32)


def draw_cifar_object(rng: np.random.Generator, label: int) -> np.ndarray:
    """One 32×32 image of CIFAR-like class `label` (0–9) in random colours with noise."""
    rows, cols = coordinate_grid(32, 32)
    background = random_colour(rng)
    foreground = random_colour(rng)
    while float(np.abs(foreground - background).sum()) < 0.6:  # keep the shape visible
        foreground = random_colour(rng)
    shade = 0.8 + 0.4 * smooth_noise(rng, 32, 32, cells=3)
    canvas = background * shade[..., None]
    paint(canvas, _cifar_shape_mask(rng, label, rows, cols), foreground)
    return finish(rng, canvas, brightness=(0.8, 1.2), noise_sigma=(0.03, 0.09))
