"""Files into and out of the sandbox, host side.

Job: write the request's input files as a frame stream for the driver (walking
`work_files` without following symlinks), and receive the collected-files stream
from the sandbox, accepting only regular files with safe relative names, within the
size and count caps, written under the output directory with dir fds, O_EXCL and
O_NOFOLLOW. Everything refused is described in `problems`.

Must not: follow a symlink or trust a name, size or kind that came out of the
sandbox, unpickle or otherwise interpret collected content, or write outside out_dir.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import BinaryIO

from grader.sandbox.inside.wire import (
    CHUNK_BYTES,
    FRAME_LENGTH,
    MAX_HEADER_BYTES,
    decode_header,
    encode_header,
    unsafe_name,
)

#: Frames besides file contents a stream may carry before it is cut off.
HEADER_ALLOWANCE = 64 * 2**10
MAX_PROBLEMS = 50


def _walk_regular(root: Path) -> Iterator[tuple[str, os.stat_result]]:
    """Directories and regular files under root, never following symlinks."""
    stack = [""]
    while stack:
        rel_dir = stack.pop()
        with os.scandir(root / rel_dir if rel_dir else root) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
                info = entry.stat(follow_symlinks=False)
                if stat.S_ISDIR(info.st_mode):
                    yield rel, info
                    stack.append(rel)
                elif stat.S_ISREG(info.st_mode):
                    yield rel, info


def _copy_file(out: BinaryIO, path: Path, name: str, *, follow: bool) -> None:
    flags = os.O_RDONLY | (0 if follow else os.O_NOFOLLOW)
    source = os.open(path, flags)
    try:
        info = os.fstat(source)
        if not stat.S_ISREG(info.st_mode):
            raise ValueError(f"{path} is not a regular file")
        executable = bool(info.st_mode & 0o100)
        out.write(
            encode_header(
                {"kind": "file", "name": name, "size": info.st_size, "executable": executable}
            )
        )
        remaining = info.st_size
        while remaining:
            chunk = os.read(source, min(remaining, CHUNK_BYTES))
            if not chunk:
                raise ValueError(f"{path} shrank while it was copied")
            out.write(chunk)
            remaining -= len(chunk)
    finally:
        os.close(source)


def write_input_stream(
    out: BinaryIO, work_files: Path | None, extra_files: Mapping[str, Path]
) -> None:
    """Frames for every input file, then an end frame."""
    if work_files is not None:
        for rel, info in _walk_regular(work_files):
            if unsafe_name(rel) is not None:
                continue
            if stat.S_ISDIR(info.st_mode):
                out.write(encode_header({"kind": "dir", "name": rel}))
            else:
                _copy_file(out, work_files / rel, rel, follow=False)
    for name, host_path in extra_files.items():
        _copy_file(out, host_path, name, follow=True)
    out.write(encode_header({"kind": "end"}))
    out.flush()


def _printable(text: object, limit: int = 200) -> str:
    shown = "".join(char if char.isprintable() else "?" for char in str(text))
    return shown if len(shown) <= limit else shown[:limit] + "..."


class CollectReceiver:
    """Push parser for the collected-files stream; feed it bytes as they arrive."""

    def __init__(self, out_dir: Path, *, max_bytes: int, max_files: int) -> None:
        self.out_dir = out_dir
        self.max_bytes = max_bytes
        self.max_files = max_files
        self.collected: dict[str, Path] = {}
        self.problems: list[str] = []
        self.finished = False  # the end frame arrived
        self.stopped = False  # we gave up on the stream
        self._buffer = bytearray()
        self._header_length: int | None = None
        self._payload_left = 0
        self._payload_fd: int | None = None
        self._payload_name = ""
        self._accepted_bytes = 0
        self._stream_bytes = 0
        self._created: list[Path] = []

    @property
    def budget_exceeded(self) -> bool:
        return self._stream_bytes > self.max_bytes + self.max_files * 512 + HEADER_ALLOWANCE

    def problem(self, message: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(message)
        elif len(self.problems) == MAX_PROBLEMS:
            self.problems.append("more problems were not listed")

    def feed(self, data: bytes) -> None:
        if self.stopped or self.finished:
            return
        self._stream_bytes += len(data)
        if self.budget_exceeded:
            self._stop("the collected-files stream was larger than the limits allow")
            return
        self._buffer += data
        self._drain_buffer()

    def _drain_buffer(self) -> None:
        buffer = self._buffer
        while buffer and not self.stopped and not self.finished:
            if self._payload_left:
                take = min(self._payload_left, len(buffer))
                if self._payload_fd is not None:
                    view = memoryview(buffer)[:take]
                    written = 0
                    while written < take:
                        written += os.write(self._payload_fd, view[written:])
                    view.release()
                del buffer[:take]
                self._payload_left -= take
                if not self._payload_left:
                    self._end_payload()
                continue
            if self._header_length is None:
                if len(buffer) < FRAME_LENGTH.size:
                    return
                (length,) = FRAME_LENGTH.unpack(buffer[: FRAME_LENGTH.size])
                del buffer[: FRAME_LENGTH.size]
                if not 0 < length <= MAX_HEADER_BYTES:
                    self._stop("the collected-files stream is corrupt")
                    return
                self._header_length = length
            if len(buffer) < self._header_length:
                return
            raw = bytes(buffer[: self._header_length])
            del buffer[: self._header_length]
            self._header_length = None
            try:
                header = decode_header(raw)
            except (ValueError, UnicodeDecodeError, json.JSONDecodeError):
                self._stop("the collected-files stream is corrupt")
                return
            self._handle_header(header)

    def _handle_header(self, header: dict[str, object]) -> None:
        kind = header["kind"]
        if kind == "end":
            self.finished = True
            problems = header.get("problems")
            for message in problems if isinstance(problems, list) else []:
                self.problem(_printable(message))
            return
        name = str(header["name"])
        size = int(header.get("size", 0))  # type: ignore[call-overload]
        shown = _printable(name)
        if kind != "file":
            self.problem(
                {
                    "symlink": f"{shown} is a symlink: not collected",
                    "hardlink": f"{shown} is a hard link: not collected",
                    "skipped": f"{shown}: not collected ({_printable(header.get('reason'))})",
                }.get(str(kind), f"{shown} is not a regular file: not collected")
            )
            self._payload_left = 0
            return
        self._payload_left = size
        reason = unsafe_name(name)
        if reason is not None:
            self.problem(f"{shown} has an unsafe name ({reason}): not collected")
        elif name in self.collected:
            self.problem(f"{shown} was sent twice: the second copy was dropped")
        elif len(self.collected) >= self.max_files:
            self.problem(f"{shown}: not collected (over {self.max_files} files)")
        elif self._accepted_bytes + size > self.max_bytes:
            self.problem(f"{shown}: not collected (over {self.max_bytes} bytes in all)")
        else:
            try:
                self._payload_fd = self._create(name)
            except OSError as error:
                self.problem(f"{shown} could not be written ({error.strerror}): not collected")
                return
            self._payload_name = name
            self._accepted_bytes += size
            if not size:
                self._end_payload()

    def _create(self, name: str) -> int:
        """Open out_dir/name for writing, creating directories, never following links."""
        self.out_dir.mkdir(parents=True, exist_ok=True)
        parts = name.split("/")
        dir_fd = os.open(self.out_dir, os.O_RDONLY | os.O_DIRECTORY)
        try:
            for index, part in enumerate(parts[:-1]):
                try:
                    os.mkdir(part, 0o755, dir_fd=dir_fd)
                    self._created.append(self.out_dir.joinpath(*parts[: index + 1]))
                except FileExistsError:
                    pass
                next_fd = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=dir_fd)
                os.close(dir_fd)
                dir_fd = next_fd
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
            return os.open(parts[-1], flags, 0o644, dir_fd=dir_fd)
        finally:
            os.close(dir_fd)

    def _end_payload(self) -> None:
        if self._payload_fd is not None:
            os.close(self._payload_fd)
            self._payload_fd = None
            path = self.out_dir / self._payload_name
            self.collected[self._payload_name] = path
            self._created.append(path)

    def _stop(self, message: str) -> None:
        self.stopped = True
        self.problem(message)

    def close(self) -> None:
        """Finish: an unfinished or refused stream means nothing is collected."""
        if self._payload_fd is not None:
            os.close(self._payload_fd)
            self._payload_fd = None
            self._created.append(self.out_dir / self._payload_name)
        if self.finished and not self.stopped:
            return
        if not self.stopped:
            self.problem("the sandbox stopped before it had sent every collected file")
        for path in reversed(self._created):
            try:
                if path.is_dir() and not path.is_symlink():
                    path.rmdir()
                else:
                    path.unlink()
            except OSError:
                pass
        self._created.clear()
        if self.collected:
            self.problem(
                f"nothing was collected ({len(self.collected)} files received were removed)"
            )
        self.collected = {}
