"""Count the figures an executed notebook shows (p1.visualize needs at least two), and how big they are.

A figure is one display_data / execute_result output carrying a PNG, SVG or JPEG image; an output
with several image formats counts once. Images pasted into markdown cells are not figures the code
made. Student code can display anything, so an image only counts as a real figure when its size,
read from the image's own header, is at least MIN_FIGURE_PIXELS on each side (two 1×1 PNGs are not
two plots); images too small or of a size that cannot be read are reported so a person can look.

Reading a size decodes at most a few KiB of base64 and parses only the PNG IHDR chunk, JPEG
segment headers or the SVG root tag's attributes. This module only measures; it never renders an
image, and it does not judge what a figure shows.
"""

from __future__ import annotations

import base64
import binascii
import re
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from grader.evaluation.notebook_cells import iter_cells, iter_outputs, output_data, text_of

IMAGE_TYPES = ("image/png", "image/svg+xml", "image/jpeg")
#: A real figure is at least this many pixels wide and high (matplotlib's default is 640×480).
MIN_FIGURE_PIXELS = 50
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: Base64 characters decoded to look for a JPEG frame header (EXIF blocks come first).
JPEG_PREFIX_CHARS = 87_384  # 64 KiB of bytes
SVG_PREFIX_CHARS = 4_000
_SVG_TAG = re.compile(r"<svg\b[^>]*>", re.IGNORECASE | re.DOTALL)
_SVG_SIZE = re.compile(r'\b(width|height)\s*=\s*["\']\s*([0-9.]+)\s*(px|pt)?\s*["\']')
_WHITESPACE = re.compile(r"\s+")
_JPEG_FRAMES = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


@dataclass(frozen=True)
class FigureSurvey:
    """The images in a notebook's code outputs, sorted by whether they can count as figures."""

    real: int  # images of at least MIN_FIGURE_PIXELS on each side
    too_small: tuple[str, ...]  # e.g. "cell 3: 1×1 px image/png"
    unmeasured: tuple[str, ...]  # e.g. "cell 4: image/svg+xml of unknown size"

    @property
    def doubtful(self) -> int:
        return len(self.too_small) + len(self.unmeasured)


def _base64_prefix(value: Any, chars: int) -> bytes | None:
    """The first bytes of a base64 payload (whitespace ignored), or None if it is not base64."""
    text = _WHITESPACE.sub("", text_of(value, max_chars=chars + chars // 8 + 64))[:chars]
    text = text[: len(text) - len(text) % 4]
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


def png_size(value: Any) -> tuple[int, int] | None:
    """(width, height) from a base64 PNG's IHDR chunk, or None when it is not a PNG."""
    head = _base64_prefix(value, 32)  # 24 bytes: signature, IHDR length and type, size
    if head is None or len(head) < 24 or not head.startswith(PNG_SIGNATURE):
        return None
    if head[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def jpeg_size(value: Any) -> tuple[int, int] | None:
    """(width, height) from a base64 JPEG's first frame header, within the first 64 KiB."""
    data = _base64_prefix(value, JPEG_PREFIX_CHARS)
    if data is None or not data.startswith(b"\xff\xd8"):
        return None
    position = 2
    while position + 9 <= len(data):
        if data[position] != 0xFF:
            return None
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        if marker in _JPEG_FRAMES:
            height, width = struct.unpack(">HH", data[position + 5 : position + 9])
            return width, height
        if length < 2:
            return None
        position += 2 + length
    return None


def svg_size(value: Any) -> tuple[int, int] | None:
    """(width, height) from the root <svg> tag's width and height attributes (px or pt)."""
    tag = _SVG_TAG.search(text_of(value, max_chars=SVG_PREFIX_CHARS))
    if tag is None:
        return None
    sizes = {name: float(number) for name, number, _ in _SVG_SIZE.findall(tag.group(0))}
    if "width" not in sizes or "height" not in sizes:
        return None
    return int(sizes["width"]), int(sizes["height"])


MEASURES = {"image/png": png_size, "image/jpeg": jpeg_size, "image/svg+xml": svg_size}


def _image_size(data: Mapping[str, Any]) -> tuple[str, tuple[int, int] | None] | None:
    """(mime, size or None) of the output's image, preferring a format whose size is readable."""
    present = [mime for mime in IMAGE_TYPES if text_of(data.get(mime), max_chars=16)]
    if not present:
        return None
    for mime in present:
        size = MEASURES[mime](data.get(mime))
        if size is not None:
            return mime, size
    return present[0], None


def survey_figures(notebook: dict[str, Any]) -> FigureSurvey:
    """Every image output of the code cells, sorted into real figures and doubtful images."""
    real = 0
    too_small: list[str] = []
    unmeasured: list[str] = []
    for index, cell_type, cell in iter_cells(notebook):
        if cell_type != "code":
            continue
        for output in iter_outputs(cell):
            found = _image_size(output_data(output))
            if found is None:
                continue
            mime, size = found
            if size is None:
                unmeasured.append(f"cell {index + 1}: {mime} of unknown size")
            elif min(size) < MIN_FIGURE_PIXELS:
                too_small.append(f"cell {index + 1}: {size[0]}×{size[1]} px {mime}")
            else:
                real += 1
    return FigureSurvey(real, tuple(too_small), tuple(unmeasured))


def count_figures(notebook: dict[str, Any]) -> int:
    """Number of image outputs in the notebook's code cells, whatever their size."""
    survey = survey_figures(notebook)
    return survey.real + survey.doubtful
