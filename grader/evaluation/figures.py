"""Count the figures an executed notebook shows (p1.visualize needs at least two), and how big they are.

A figure is one display_data / execute_result output carrying a PNG, SVG or JPEG image; an output
with several image formats counts once. Images pasted into markdown cells are not figures the code
made. Student code can display anything, so an image only counts as a real figure when it is at
least MIN_FIGURE_PIXELS on each side (two 1×1 PNGs are not two plots), decodes in full (a 25-byte
PNG header claiming 4000×4000 px is not an image), and has something drawn on it: a PNG or JPEG of
more than one colour, an SVG with at least MIN_SVG_SHAPES drawable elements (shapes, paths, text;
an empty figure's SVG has its background only). Images too small, blank, undecodable or of a size
that cannot be read are reported so a person can look (issue #19).

The size comes from the image's own header first (PNG IHDR, JPEG frame header, the SVG root
tag); only images of a plausible size are decoded, with Pillow (at most MAX_DECODED_PIXELS) or
ElementTree (no DOCTYPE or entities, at most MAX_SVG_CHARS). This module only measures; it never
renders an image, and it does not judge what a figure shows.
"""

from __future__ import annotations

import base64
import binascii
import io
import re
import struct
import xml.etree.ElementTree as ElementTree
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from PIL import Image, UnidentifiedImageError

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
#: Largest image decoded to look at what it shows (a 300-dpi A4 page is ~8.7 M pixels).
MAX_DECODED_PIXELS = 40_000_000
MAX_IMAGE_CHARS = 48 * 1024 * 1024  # base64 characters of one image decoded
MAX_SVG_CHARS = 8 * 1024 * 1024
#: Drawable SVG elements an image needs to show something (matplotlib draws a background
#: rectangle even for an empty figure).
MIN_SVG_SHAPES = 2
SVG_SHAPES = frozenset(
    ("path", "line", "polyline", "polygon", "rect", "circle", "ellipse", "text", "image", "use")
)


@dataclass(frozen=True)
class FigureSurvey:
    """The images in a notebook's code outputs, sorted by whether they can count as figures."""

    real: int  # decoded images of at least MIN_FIGURE_PIXELS on each side, something drawn
    too_small: tuple[str, ...]  # e.g. "cell 3: 1×1 px image/png"
    unmeasured: tuple[str, ...]  # e.g. "cell 4: image/svg+xml of unknown size"
    blank: tuple[str, ...] = ()  # e.g. "cell 5: 640×480 px image/png of one colour"

    @property
    def doubtful(self) -> int:
        return len(self.too_small) + len(self.unmeasured) + len(self.blank)


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


def _decoded(value: Any) -> bytes | None:
    """A whole base64 payload (whitespace ignored, capped), or None when it is not base64."""
    text = _WHITESPACE.sub("", text_of(value, max_chars=MAX_IMAGE_CHARS))
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


def raster_problem(mime: str, value: Any, size: tuple[int, int]) -> str | None:
    """Why a PNG/JPEG of this header size is not a drawn figure (words that follow its
    description, "… image/png of one colour"), or None."""
    if size[0] * size[1] > MAX_DECODED_PIXELS:
        return f"too large to decode ({size[0]}×{size[1]} px)"
    data = _decoded(value)
    if data is None:
        return "that is not valid base64"
    formats = ("PNG",) if mime == "image/png" else ("JPEG",)
    try:
        with Image.open(io.BytesIO(data), formats=formats) as image:
            if image.size != size:
                return f"whose data is {image.size[0]}×{image.size[1]} px, not its header's size"
            image.load()
            colours = image.convert("RGB").getcolors(maxcolors=1)
    except (OSError, UnidentifiedImageError, ValueError, SyntaxError, Image.DecompressionBombError):
        return "that does not decode"
    if colours is not None:  # at most one colour in the whole image
        return "of one colour"
    return None


def svg_problem(value: Any) -> str | None:
    """Why an SVG is not a drawn figure, in words, or None."""
    text = text_of(value, max_chars=MAX_SVG_CHARS + 1)
    if len(text) > MAX_SVG_CHARS:
        return "that is too large to read"
    if "<!DOCTYPE" in text.upper() or "<!ENTITY" in text.upper():
        return "that declares a DOCTYPE or entities"
    try:
        root = ElementTree.fromstring(text)
    except (ElementTree.ParseError, ValueError, RecursionError):
        return "that is not well-formed XML"
    shapes = sum(1 for element in root.iter() if element.tag.rpartition("}")[2] in SVG_SHAPES)
    if shapes < MIN_SVG_SHAPES:
        return f"with nothing drawn ({shapes} drawable element(s))"
    return None


def survey_figures(notebook: dict[str, Any]) -> FigureSurvey:
    """Every image output of the code cells, sorted into real figures and doubtful images."""
    real = 0
    too_small: list[str] = []
    unmeasured: list[str] = []
    blank: list[str] = []
    for index, cell_type, cell in iter_cells(notebook):
        if cell_type != "code":
            continue
        for output in iter_outputs(cell):
            data = output_data(output)
            found = _image_size(data)
            if found is None:
                continue
            mime, size = found
            where = f"cell {index + 1}"
            if size is None:
                unmeasured.append(f"{where}: {mime} of unknown size")
                continue
            if min(size) < MIN_FIGURE_PIXELS:
                too_small.append(f"{where}: {size[0]}×{size[1]} px {mime}")
                continue
            problem = (
                svg_problem(data.get(mime))
                if mime == "image/svg+xml"
                else raster_problem(mime, data.get(mime), size)
            )
            if problem is None:
                real += 1
                continue
            said = f"{where}: {size[0]}×{size[1]} px {mime} {problem}"
            blank_image = problem.startswith(("of one colour", "with nothing drawn"))
            (blank if blank_image else unmeasured).append(said)
    return FigureSurvey(real, tuple(too_small), tuple(unmeasured), tuple(blank))


def count_figures(notebook: dict[str, Any]) -> int:
    """Number of image outputs in the notebook's code cells, whatever their size."""
    survey = survey_figures(notebook)
    return survey.real + survey.doubtful
