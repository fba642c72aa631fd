"""Inside the sandbox: stream the files that match the collect patterns to the host.

Runs after every process of the command is dead, so nothing changes underneath.
Walks /work without following symlinks; regular files with one link are sent with
their content, anything else (symlinks, hard links, devices, files over the caps)
as a header the host turns into a problem message.

Must not: follow a symlink, open anything outside the work directory, or send more
files or bytes than the limits in the configuration.
"""

from __future__ import annotations

import os
import re
import stat

from .wire import CHUNK_BYTES, encode_header, write_all

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

MAX_SCANNED_ENTRIES = 500_000


def pattern_regex(pattern: str) -> re.Pattern[str]:
    """Glob to regex: `*` and `?` stay within one directory, `**` crosses any number."""
    out: list[str] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if pattern.startswith("**/", index):
            out.append("(?:[^/]+/)*")
            index += 3
            continue
        if pattern.startswith("**", index):
            out.append(".*")
            index += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[" and (end := pattern.find("]", index + 2)) != -1:
            body = pattern[index + 1 : end]
            negate = body.startswith("!")
            body = re.escape(body[1:] if negate else body).replace("\\-", "-")
            out.append(f"[{'^' if negate else ''}{body}]")
            index = end + 1
            continue
        else:
            out.append(re.escape(char))
        index += 1
    return re.compile("".join(out) + r"\Z", re.DOTALL)


def walk(work: str, problems: list[str]) -> Iterator[tuple[str, os.stat_result | None, bool]]:
    """Every entry under work, without following symlinks: (relative name, lstat, is_dir)."""
    scanned = 0
    stack = [""]
    while stack:
        rel_dir = stack.pop()
        try:
            entries = sorted(os.scandir(os.path.join(work, rel_dir)), key=lambda e: e.name)
        except OSError as error:
            problems.append(f"{rel_dir or '.'}: cannot list ({error.strerror})")
            continue
        for entry in entries:
            scanned += 1
            if scanned > MAX_SCANNED_ENTRIES:
                problems.append(
                    f"more than {MAX_SCANNED_ENTRIES} entries in /work: stopped looking"
                )
                return
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                yield rel, None, False
                continue
            is_dir = stat.S_ISDIR(info.st_mode)
            yield rel, info, is_dir
            if is_dir:
                stack.append(rel)


def send_file(fd: int, path: str, name: str, size: int) -> None:
    """Stream exactly `size` bytes of a regular file (padded if it shrank meanwhile)."""
    source = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    try:
        write_all(fd, encode_header({"kind": "file", "name": name, "size": size}))
        remaining = size
        while remaining:
            chunk = os.read(source, min(remaining, CHUNK_BYTES)) or b"\0" * min(
                remaining, CHUNK_BYTES
            )
            chunk = chunk[:remaining]
            write_all(fd, chunk)
            remaining -= len(chunk)
    finally:
        os.close(source)


def collect(config: dict[str, Any]) -> None:
    """Stream the matching entries of /work as frames, then an end frame."""
    fd: int = config["collect_fd"]
    work: str = config["work_dir"]
    problems: list[str] = []
    patterns = [pattern_regex(pattern) for pattern in config["collect"]]
    files_left: int = config["collect_files"]
    bytes_left: int = config["collect_bytes"]
    matched_dirs: set[str] = set()
    try:
        for rel, info, is_dir in walk(work, problems) if patterns else ():
            parent = rel.rpartition("/")[0]
            matched = parent in matched_dirs or any(p.match(rel) for p in patterns)
            if not matched:
                continue
            if is_dir:
                matched_dirs.add(rel)
                continue
            header: dict[str, Any] = {"name": rel, "size": 0}
            if info is None:
                header["kind"] = "other"
            elif stat.S_ISLNK(info.st_mode):
                header["kind"] = "symlink"
            elif not stat.S_ISREG(info.st_mode):
                header["kind"] = "other"
            elif info.st_nlink > 1:
                header["kind"] = "hardlink"
            elif files_left <= 0:
                header.update(kind="skipped", reason=f"over {config['collect_files']} files")
            elif info.st_size > bytes_left:
                header.update(kind="skipped", reason=f"over {config['collect_bytes']} bytes in all")
            else:
                files_left -= 1
                bytes_left -= info.st_size
                send_file(fd, os.path.join(work, rel), rel, info.st_size)
                continue
            write_all(fd, encode_header(header))
        write_all(fd, encode_header({"kind": "end", "problems": problems[:20]}))
    except BrokenPipeError:
        pass  # the host stopped reading; it says why
