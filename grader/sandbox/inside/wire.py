"""The frame format on the input and collect pipes, and the file-name rule, for both sides.

A stream is a sequence of frames: a 4-byte big-endian length, a compact JSON header
({"kind": "file" | "dir" | "symlink" | "hardlink" | "other" | "skipped" | "end",
"name", "size", ...}), then `size` bytes of content for a "file". An "end" frame
closes a complete stream.

Must not: import anything outside the standard library, or accept a header it did
not type-check (the host parses what the sandbox sends with these functions).
"""

from __future__ import annotations

import json
import os
import struct

TYPE_CHECKING = False
if TYPE_CHECKING:  # `typing` costs milliseconds at every start: annotations only
    from typing import Any

FRAME_LENGTH = struct.Struct(">I")
MAX_HEADER_BYTES = 8192
CHUNK_BYTES = 1 << 20


def encode_header(header: dict[str, Any]) -> bytes:
    """One frame header: 4-byte big-endian length, then compact JSON."""
    raw = json.dumps(header, separators=(",", ":")).encode()
    if len(raw) > MAX_HEADER_BYTES:
        raise ValueError("frame header too long")
    return FRAME_LENGTH.pack(len(raw)) + raw


def decode_header(raw: bytes) -> dict[str, Any]:
    """Parse and type-check a frame header; ValueError if it is not one we write."""
    header = json.loads(raw.decode())
    if not isinstance(header, dict) or not isinstance(header.get("kind"), str):
        raise ValueError("frame header is not an object with a kind")
    size = header.get("size", 0)
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise ValueError("frame header has a bad size")
    if header["kind"] != "end" and not isinstance(header.get("name"), str):
        raise ValueError("frame header has no name")
    return header


def unsafe_name(name: str) -> str | None:
    """Why a /work-relative file name is unsafe to create on the other side, or None."""
    if not name or len(name) > 1024:
        return "empty or too long"
    if name.startswith("/"):
        return "absolute"
    if any(ord(char) < 32 or ord(char) == 127 for char in name):
        return "has control characters"
    try:
        name.encode("utf-8", errors="strict")
    except UnicodeEncodeError:
        return "is not valid UTF-8"
    for part in name.split("/"):
        if part in ("", ".", ".."):
            return "has an empty, '.' or '..' part"
        if len(part.encode()) > 255:
            return "has a part longer than 255 bytes"
    return None


def write_all(fd: int, data: bytes | memoryview) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def read_exactly(fd: int, size: int) -> bytes:
    parts: list[bytes] = []
    while size:
        chunk = os.read(fd, min(size, CHUNK_BYTES))
        if not chunk:
            raise ValueError("input stream ended early")
        parts.append(chunk)
        size -= len(chunk)
    return b"".join(parts)
