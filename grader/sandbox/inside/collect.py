"""Inside the sandbox: stream the files that match the collect patterns to the host.

Runs after every process of the command is dead, so nothing changes underneath.
Walks /work without following symlinks; regular files with one link and a safe name
are sent with their content, anything else (symlinks, hard links, devices, sparse
files, unsafe or overlong names, directories matching a pattern, files over the
caps) as a short header the host turns into a problem message, at most
MAX_REFUSED_HEADERS of them.

Must not: follow a symlink, open anything outside the work directory, or send more
files or bytes than the limits in the configuration.
"""

from __future__ import annotations

import json
import os
import re
import stat

from .wire import CHUNK_BYTES, MAX_HEADER_BYTES, encode_header, unsafe_name, write_all

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

MAX_SCANNED_ENTRIES = 500_000
#: Refused entries described to the host one by one; past this they are only counted.
MAX_REFUSED_HEADERS = 40  # under the host's MAX_PROBLEMS (50), so the count still shows
#: A name is shown up to this length in a problem (the frame header has 8 KiB).
SHOWN_NAME_CHARS = 200
#: Allocated this much less than its size, a file is sparse: its holes are not collected.
SPARSE_SLACK_BYTES = 1 * 2**20


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


def refusal(rel: str, info: os.stat_result | None) -> dict[str, Any] | None:
    """The header that refuses one matching file (why it is not sent), or None to send it."""
    shown = rel if len(rel) <= SHOWN_NAME_CHARS else rel[:SHOWN_NAME_CHARS] + "..."
    if (reason := unsafe_name(rel)) is not None:
        return {"kind": "skipped", "name": shown, "reason": f"has an unsafe name ({reason})"}
    if len(json.dumps(rel)) > MAX_HEADER_BYTES // 2:  # non-ASCII is 6-12 bytes in JSON
        return {"kind": "skipped", "name": shown, "reason": "has a name too long to send"}
    if info is None:
        return {"kind": "other", "name": rel}
    if stat.S_ISLNK(info.st_mode):
        return {"kind": "symlink", "name": rel}
    if not stat.S_ISREG(info.st_mode):
        return {"kind": "other", "name": rel}
    if info.st_nlink > 1:
        return {"kind": "hardlink", "name": rel}
    allocated = info.st_blocks * 512
    if allocated + SPARSE_SLACK_BYTES < info.st_size:  # holes would come out as real bytes
        reason = f"a sparse file: {info.st_size} bytes of which {allocated} are written"
        return {"kind": "skipped", "name": rel, "reason": reason}
    return None


def collect(config: dict[str, Any]) -> None:
    """Stream the matching files of /work as frames, then an end frame.

    Patterns match files only: a directory is never walked into because its name
    matches (`artifacts/x.pt/` brings nothing out; `models/**` collects a folder).
    Each refused entry costs one short header, and only the first MAX_REFUSED_HEADERS
    are sent: one odd entry (a 5,000-character name, a sparse file) never spoils the
    rest of the collection, and a million of them cannot flood the host.
    """
    fd: int = config["collect_fd"]
    work: str = config["work_dir"]
    problems: list[str] = []
    patterns = [pattern_regex(pattern) for pattern in config["collect"]]
    files_left: int = config["collect_files"]
    bytes_left: int = config["collect_bytes"]
    refused_unsent = 0
    refused_sent = 0
    try:
        for rel, info, is_dir in walk(work, problems) if patterns else ():
            if is_dir or not any(p.match(rel) for p in patterns):
                continue  # a matching directory is walked for `**`, never collected whole
            header = refusal(rel, info)
            if header is None and info is not None:
                if files_left <= 0:
                    header = {
                        "kind": "skipped",
                        "name": rel,
                        "reason": f"over {config['collect_files']} files",
                    }
                elif info.st_size > bytes_left:
                    header = {
                        "kind": "skipped",
                        "name": rel,
                        "reason": f"over {config['collect_bytes']} bytes in all",
                    }
                else:
                    files_left -= 1
                    bytes_left -= info.st_size
                    send_file(fd, os.path.join(work, rel), rel, info.st_size)
                    continue
            if header is None:  # not reached: refusal() refuses an entry it could not lstat
                continue
            if refused_sent >= MAX_REFUSED_HEADERS:
                refused_unsent += 1
                continue
            refused_sent += 1
            write_all(fd, encode_header({"size": 0, **header}))
        if refused_unsent:
            problems.append(f"{refused_unsent} more entries were not collected (not listed)")
        write_all(fd, encode_header({"kind": "end", "problems": problems[:20]}))
    except BrokenPipeError:
        pass  # the host stopped reading; it says why
