"""Reading downloaded archives (tar.gz, zip) without trusting them.

Nothing is ever extracted by path: every member name is checked (no absolute
paths, no `..`, no drive letters), links, devices and encrypted entries make
the whole archive refused, and members are copied by the caller to names it
chooses, through readers that stop at a size cap. Tar archives are read as a
stream once; zip archives through their central directory.

This module does not decide which members matter or where they go (that is
`grader.data.importers`).
"""

from __future__ import annotations

import shutil
import stat
import tarfile
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import IO

from grader.data.errors import DataError

MAX_MEMBERS = 200_000
"""More entries than any expected download (Kaggle's train.zip has 25,000)."""
CHUNK = 1024 * 1024


#: The fix for an archive that is damaged or not the expected kind of file.
DOWNLOAD_AGAIN = "download the archive again; nothing from this archive was written"


def _reason(error: BaseException) -> str:
    """An exception's text on one line (tarfile lists every compression it tried, one per line)."""
    return " ".join(str(error).split()) or type(error).__name__


def refused(archive: Path, why: str) -> DataError:
    """The error for an archive that is not what it claims to be; nothing from it is kept."""
    return DataError(
        f"archive refused: {why}",
        path=archive,
        hint="use the original download; nothing from this archive was written",
    )


def safe_member_name(name: str, archive: Path) -> str:
    """`name` normalised to `a/b/c`, or a refusal when it could point outside the target."""
    if "\x00" in name:
        raise refused(archive, f"member name {name!r} holds a NUL byte")
    path = PurePosixPath(name.replace("\\", "/"))
    parts = [part for part in path.parts if part not in ("", ".")]
    if path.is_absolute() or ".." in parts or (parts and ":" in parts[0]):
        raise refused(archive, f"member {name!r} points outside the archive (path traversal)")
    return "/".join(parts)


def copy_capped(
    source: IO[bytes], destination: Path, cap: int, *, archive: Path, member: str
) -> int:
    """Copy at most `cap` bytes from `source` to a new file; refuse the archive if there is more."""
    written = 0
    with destination.open("xb") as target:
        while chunk := source.read(min(CHUNK, cap + 1 - written)):
            written += len(chunk)
            if written > cap:
                raise refused(archive, f"member {member!r} is larger than {cap} bytes")
            target.write(chunk)
    return written


def read_capped(source: IO[bytes], cap: int, *, archive: Path, member: str) -> bytes:
    """All of `source` as bytes, refusing the archive beyond `cap`."""
    data = source.read(cap + 1)
    if len(data) > cap:
        raise refused(archive, f"member {member!r} is larger than {cap} bytes")
    return data


# ---------------------------------------------------------------- tar


def _check_tar_member(info: tarfile.TarInfo, archive: Path) -> str:
    name = safe_member_name(info.name, archive)
    if info.issym() or info.islnk():
        raise refused(archive, f"member {info.name!r} is a link")
    if not (info.isfile() or info.isdir()):
        raise refused(archive, f"member {info.name!r} is not a regular file or folder")
    return name


def copy_tar_members(archive: Path, wanted: dict[str, Path], *, cap: int) -> set[str]:
    """Copy the regular files named in `wanted` (member name → destination); return those found.

    Every member is checked, wanted or not: one unsafe entry refuses the whole archive.
    """
    found: set[str] = set()
    try:
        with tarfile.open(archive, mode="r:*") as tar:
            for count, info in enumerate(tar, start=1):
                if count > MAX_MEMBERS:
                    raise refused(archive, f"more than {MAX_MEMBERS} members")
                name = _check_tar_member(info, archive)
                if name not in wanted or info.isdir():
                    continue
                if name in found:
                    raise refused(archive, f"member {name!r} appears twice")
                if info.size > cap:
                    raise refused(archive, f"member {name!r} is larger than {cap} bytes")
                source = tar.extractfile(info)
                if source is None:  # pragma: no cover - isfile() members always have data
                    raise refused(archive, f"member {name!r} has no data")
                with source:
                    copy_capped(source, wanted[name], cap, archive=archive, member=name)
                found.add(name)
    except (tarfile.TarError, EOFError, OSError, zlib.error) as error:
        if isinstance(error, FileNotFoundError) and not archive.exists():
            raise DataError(
                "archive not found", path=archive, hint="pass the downloaded archive's path"
            ) from error
        why = (
            "not gzip, bzip2, xz or plain tar"
            if isinstance(error, tarfile.ReadError) and "could not be opened" in str(error)
            else _reason(error)
        )
        raise DataError(
            f"not a readable tar archive ({why})", path=archive, hint=DOWNLOAD_AGAIN
        ) from error
    return found


# ---------------------------------------------------------------- zip


def _check_zip_member(info: zipfile.ZipInfo, archive: Path) -> str:
    name = safe_member_name(info.filename, archive)
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        raise refused(archive, f"member {info.filename!r} is a symbolic link")
    # Many zips store permissions without a file type; only a stated type other than file/folder is refused.
    if stat.S_IFMT(mode) not in (0, stat.S_IFREG, stat.S_IFDIR):
        raise refused(archive, f"member {info.filename!r} is not a regular file or folder")
    if info.flag_bits & 0x1:
        raise refused(archive, f"member {info.filename!r} is encrypted")
    return name


def open_zip(source: Path | IO[bytes], archive: Path) -> zipfile.ZipFile:
    """Open a zip and check every entry's name and type before anything is read from it."""
    try:
        zip_file = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as error:
        if isinstance(error, FileNotFoundError):
            raise DataError(
                "archive not found", path=archive, hint="pass the downloaded archive's path"
            ) from error
        raise DataError(
            f"not a readable zip archive ({_reason(error)})", path=archive, hint=DOWNLOAD_AGAIN
        ) from error
    try:
        infos = zip_file.infolist()
        if len(infos) > MAX_MEMBERS:
            raise refused(archive, f"more than {MAX_MEMBERS} members")
        seen: set[str] = set()
        for info in infos:
            name = _check_zip_member(info, archive)
            if name in seen:
                raise refused(archive, f"member {name!r} appears twice")
            seen.add(name)
    except BaseException:
        zip_file.close()
        raise
    return zip_file


def zip_files(zip_file: zipfile.ZipFile, archive: Path) -> Iterator[tuple[str, zipfile.ZipInfo]]:
    """(normalised name, info) for each regular file of a zip opened with `open_zip`."""
    for info in zip_file.infolist():
        if not info.is_dir():
            yield safe_member_name(info.filename, archive), info


def copy_zip_member(
    zip_file: zipfile.ZipFile, info: zipfile.ZipInfo, destination: Path, *, cap: int, archive: Path
) -> None:
    """Copy one member to `destination`, refusing it beyond `cap` bytes (declared or actual)."""
    if info.file_size > cap:
        raise refused(archive, f"member {info.filename!r} is larger than {cap} bytes")
    try:
        with zip_file.open(info) as source:
            copy_capped(source, destination, cap, archive=archive, member=info.filename)
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as error:
        raise DataError(
            f"member {info.filename!r} is damaged ({_reason(error)})",
            path=archive,
            hint=DOWNLOAD_AGAIN,
        ) from error


def read_zip_member(
    zip_file: zipfile.ZipFile, info: zipfile.ZipInfo, *, cap: int, archive: Path
) -> bytes:
    """One member's bytes, refusing it beyond `cap` bytes (declared or actual)."""
    if info.file_size > cap:
        raise refused(archive, f"member {info.filename!r} is larger than {cap} bytes")
    try:
        with zip_file.open(info) as source:
            return read_capped(source, cap, archive=archive, member=info.filename)
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as error:
        raise DataError(
            f"member {info.filename!r} is damaged ({_reason(error)})",
            path=archive,
            hint=DOWNLOAD_AGAIN,
        ) from error


def remove_tree(path: Path) -> None:
    """Remove a staging folder we created (never follows links out of it)."""
    shutil.rmtree(path, ignore_errors=True)
