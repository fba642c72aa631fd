"""Files in and out: only regular files with safe names come out, never through a link."""

from __future__ import annotations

import dataclasses
import io
import os
from pathlib import Path

import pytest

from grader.sandbox import SandboxLimits, SandboxRequest
from grader.sandbox.inside.wire import encode_header
from grader.sandbox.transfer import CollectReceiver, write_input_stream


def all_paths(root: Path) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*"))


def test_work_files_are_copied_in_without_following_symlinks(sandbox, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("hidden labels")
    submission = tmp_path / "alice"
    (submission / "src").mkdir(parents=True)
    (submission / "p1.ipynb").write_text("{}")
    (submission / "src" / "run.sh").write_text("#!/bin/sh\necho ran\n")
    (submission / "src" / "run.sh").chmod(0o755)
    (submission / "leak.txt").symlink_to(secret)
    (submission / "leakdir").symlink_to(tmp_path)
    extra = tmp_path / "reference_inputs.npy"
    extra.write_bytes(b"\x93NUMPY")
    request = SandboxRequest(
        argv=("sh", "-c", "find . -mindepth 1 | sort; ./src/run.sh"),
        work_files=submission,
        extra_files={"inputs/test.npy": extra},
    )
    result = sandbox.run(request, tmp_path / "out")
    assert result.returncode == 0, result.output
    assert result.output.splitlines() == [
        "./inputs",
        "./inputs/test.npy",
        "./p1.ipynb",
        "./src",
        "./src/run.sh",
        "ran",
    ]


def test_collected_symlink_to_a_host_secret_is_refused(sandbox, tmp_path, digest):
    secret = tmp_path / "labels.csv"
    secret.write_text("cat\ndog\n")
    before = digest(secret)
    code = (
        "import os\n"
        "os.mkdir('artifacts')\n"
        f"os.symlink({str(secret)!r}, 'artifacts/p1.scratch.pt')\n"
        "os.symlink('/etc/passwd', 'artifacts/results.json')\n"
        "os.symlink('/', 'rootlink')\n"
        "open('artifacts/p2.pt', 'wb').write(b'model')\n"
    )
    request = SandboxRequest(
        argv=("python", "-c", code), collect=("artifacts/*", "rootlink", "rootlink/**")
    )
    out = tmp_path / "out"
    result = sandbox.run(request, out)
    assert result.returncode == 0, result.output
    assert set(result.collected) == {"artifacts/p2.pt"}
    assert result.collected["artifacts/p2.pt"].read_bytes() == b"model"
    assert set(result.collect_problems) == {
        "artifacts/p1.scratch.pt is a symlink: not collected",
        "artifacts/results.json is a symlink: not collected",
        "rootlink is a symlink: not collected",
    }
    assert all_paths(out) == ["artifacts", "artifacts/p2.pt"]
    assert not any(path.is_symlink() for path in out.rglob("*"))
    assert digest(secret) == before


def test_hard_links_are_refused_and_cannot_reach_outside_work(sandbox, tmp_path):
    code = (
        "import json, os\n"
        "seen = {}\n"
        "open('a.txt', 'w').write('a')\n"
        "os.link('a.txt', 'b.txt')\n"
        "for source in ('/etc/ld.so.cache', '/usr/bin/python3.11', os.path.realpath('/proc/self/exe')):\n"
        "    try:\n"
        "        os.link(source, 'stolen')\n"
        "        seen[source] = 'linked'\n"
        "    except OSError as e:\n"
        "        seen[source] = e.strerror\n"
        "print(json.dumps(seen))"
    )
    result = sandbox.run(
        SandboxRequest(argv=("python", "-c", code), collect=("*",)), tmp_path / "out"
    )
    assert result.returncode == 0, result.output
    assert "linked" not in result.output
    assert result.collected == {}
    assert set(result.collect_problems) == {
        "a.txt is a hard link: not collected",
        "b.txt is a hard link: not collected",
    }


def test_odd_files_and_names_are_refused(sandbox, tmp_path):
    code = "import os\nos.mkfifo('pipe')\nopen('bad\\nname.txt', 'w').write('x')\nopen('good.txt', 'w').write('ok')"
    result = sandbox.run(
        SandboxRequest(argv=("python", "-c", code), collect=("*",)), tmp_path / "out"
    )
    assert set(result.collected) == {"good.txt"}
    assert "pipe is not a regular file: not collected" in result.collect_problems
    assert any("has an unsafe name (has control characters)" in p for p in result.collect_problems)


def test_existing_file_in_out_dir_is_not_overwritten(sandbox, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "results.json").write_text("graded by the host")
    code = "open('results.json', 'w').write('{\"accuracy\": 1.0}')"
    result = sandbox.run(
        SandboxRequest(argv=("python", "-c", code), collect=("results.json",)), out
    )
    assert result.collected == {}
    assert result.collect_problems == (
        "results.json could not be written (File exists): not collected",
    )
    assert (out / "results.json").read_text() == "graded by the host"


def test_input_larger_than_work_is_reported(sandbox, tmp_path):
    big = tmp_path / "submission"
    big.mkdir()
    (big / "huge.bin").write_bytes(b"\0" * (3 * 2**20))
    limits = SandboxLimits(work_tmpfs_bytes=2 * 2**20)
    result = sandbox.run(
        SandboxRequest(argv=("true",), work_files=big, limits=limits), tmp_path / "out"
    )
    assert result.returncode is None
    assert result.killed_reason is not None
    assert result.killed_reason.startswith("could not copy the input files into /work")


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("*.pt", {"a.pt"}),
        ("**/*.pt", {"a.pt", "models/b.pt", "models/deep/c.pt"}),
        ("models", set()),  # a directory is never collected whole
        ("models/*", {"models/b.pt", "models/notes.txt"}),  # deep/ matches: not walked into
        ("models/**", {"models/b.pt", "models/deep/c.pt", "models/notes.txt"}),
        ("models/?.pt", {"models/b.pt"}),
        ("[ab].pt", {"a.pt"}),
    ],
)
def test_collect_patterns(sandbox, tmp_path, pattern, expected):
    code = (
        "import os\n"
        "os.makedirs('models/deep')\n"
        "for name in ('a.pt', 'models/b.pt', 'models/deep/c.pt', 'models/notes.txt'):\n"
        "    open(name, 'w').write(name)\n"
    )
    result = sandbox.run(
        SandboxRequest(argv=("python", "-c", code), collect=(pattern,)), tmp_path / "out"
    )
    assert set(result.collected) == expected
    assert all(path.read_text() == name for name, path in result.collected.items())


# ---- host amplification: one odd entry must not spoil the collection, nor cost the host -----


def out_bytes(out: Path) -> int:
    return sum(path.stat().st_size for path in out.rglob("*") if path.is_file())


def test_a_path_too_long_for_a_frame_is_skipped_and_the_rest_is_collected(
    sandbox, tmp_path, leftovers
):
    # 15 nested folders of 200 control characters: each is 6 bytes in JSON (\\u0001), so
    # the name alone is over the 8 KiB frame header (it used to stop the whole collection).
    code = (
        "import os\n"
        "os.mkdir('artifacts')\n"
        "open('artifacts/p1.pt', 'wb').write(b'model')\n"
        "os.chdir('artifacts')\n"
        "for _ in range(15):\n"
        "    os.mkdir(chr(1) * 200)\n"
        "    os.chdir(chr(1) * 200)\n"
        "open('m.pt', 'wb').write(b'deep')\n"
    )
    out = tmp_path / "out"
    result = sandbox.run(
        SandboxRequest(argv=("python", "-c", code), collect=("artifacts/**",)), out
    )
    assert result.returncode == 0, result.output
    assert set(result.collected) == {"artifacts/p1.pt"}
    assert result.collected["artifacts/p1.pt"].read_bytes() == b"model"
    shown = "artifacts/" + "?" * 190 + "..."
    assert result.collect_problems == (
        f"{shown}: not collected (has an unsafe name (empty or too long))",
    )
    assert all_paths(out) == ["artifacts", "artifacts/p1.pt"]
    assert leftovers() == []


def test_a_safe_name_too_long_once_escaped_is_skipped_and_the_rest_is_collected(
    sandbox, tmp_path, leftovers
):
    # 15 folders of 63 emoji (252 bytes each) and a file, a safe name of 993 characters:
    # each emoji is 12 bytes in JSON, so 12 KB of frame header.
    code = (
        "import os\n"
        "os.mkdir('artifacts')\n"
        "open('artifacts/p1.pt', 'wb').write(b'model')\n"
        "os.chdir('artifacts')\n"
        "for _ in range(15):\n"
        "    os.mkdir('\\U0001f600' * 63)\n"
        "    os.chdir('\\U0001f600' * 63)\n"
        "open('\\U0001f600' * 20 + '.pt', 'wb').write(b'deep')\n"
    )
    result = sandbox.run(
        SandboxRequest(argv=("python", "-c", code), collect=("artifacts/**",)), tmp_path / "out"
    )
    assert result.returncode == 0, result.output
    assert set(result.collected) == {"artifacts/p1.pt"}
    name = "artifacts/" + "/".join(["\U0001f600" * 63] * 15) + "/" + "\U0001f600" * 20 + ".pt"
    assert len(name) < 1024  # a safe name: only its JSON form is too long
    assert result.collect_problems == (
        f"{name[:200]}...: not collected (has a name too long to send)",
    )
    assert leftovers() == []


def test_a_sparse_file_is_refused_not_expanded_on_the_host(sandbox, tmp_path, leftovers):
    code = (
        "import os\n"
        "os.mkdir('artifacts')\n"
        "with open('artifacts/p1.pt', 'wb') as f:\n"
        "    f.truncate(512 * 2**20)\n"  # 512 MiB of holes, under the 1 GiB file-size limit
        "open('artifacts/p2.pt', 'wb').write(b'model')\n"
    )
    out = tmp_path / "out"
    result = sandbox.run(SandboxRequest(argv=("python", "-c", code), collect=("artifacts/*",)), out)
    assert set(result.collected) == {"artifacts/p2.pt"}
    assert result.collect_problems == (
        f"artifacts/p1.pt: not collected (a sparse file: {512 * 2**20} bytes of which 0 are written)",
    )
    assert out_bytes(out) == len(b"model")
    assert leftovers() == []


def test_a_directory_named_like_an_artifact_is_not_walked_into(sandbox, tmp_path, leftovers):
    code = (
        "import os\n"
        "os.makedirs('artifacts/x.pt/inner')\n"
        "for index in range(20):\n"
        "    open(f'artifacts/x.pt/inner/{index}.bin', 'wb').write(bytes(2**20))\n"
        "open('artifacts/p1.pt', 'wb').write(b'model')\n"
    )
    out = tmp_path / "out"
    result = sandbox.run(
        SandboxRequest(argv=("python", "-c", code), collect=("artifacts/*.pt",)), out
    )
    assert set(result.collected) == {"artifacts/p1.pt"}
    assert result.collect_problems == ()
    assert all_paths(out) == ["artifacts", "artifacts/p1.pt"]
    assert leftovers() == []


def test_a_flood_of_refused_entries_is_capped_and_spoils_nothing(sandbox, tmp_path, leftovers):
    code = (
        "import os\n"
        "os.mkdir('artifacts')\n"
        "for index in range(3000):\n"
        "    os.symlink('/etc/passwd', f'artifacts/link{index:04}.pt')\n"
        "open('artifacts/zz.pt', 'wb').write(b'model')\n"
    )
    limits = SandboxLimits(collect_files=10)  # the host's stream budget: 10 * 512 B + 64 KiB
    result = sandbox.run(
        SandboxRequest(argv=("python", "-c", code), collect=("artifacts/*.pt",), limits=limits),
        tmp_path / "out",
    )
    assert set(result.collected) == {"artifacts/zz.pt"}
    assert len(result.collect_problems) == 41
    assert result.collect_problems[0] == "artifacts/link0000.pt is a symlink: not collected"
    assert result.collect_problems[39] == "artifacts/link0039.pt is a symlink: not collected"
    assert result.collect_problems[40] == "2960 more entries were not collected (not listed)"
    assert leftovers() == []


# ---- the host's parser against streams a compromised sandbox could send ----------------


def frames(*items: tuple[dict, bytes]) -> bytes:
    return b"".join(encode_header(header) + payload for header, payload in items)


def receive(tmp_path: Path, stream: bytes, chunk: int = 7, **caps) -> CollectReceiver:
    receiver = CollectReceiver(
        tmp_path / "out",
        max_bytes=caps.get("max_bytes", 2**20),
        max_files=caps.get("max_files", 100),
    )
    for start in range(0, len(stream), chunk):
        receiver.feed(stream[start : start + chunk])
    receiver.close()
    return receiver


@pytest.mark.parametrize(
    "name", ["../escape.txt", "/etc/cron.d/evil", "a/../../b", "a//b", "./a", "", "x\x00y"]
)
def test_forged_names_are_refused(tmp_path, name):
    stream = frames(
        ({"kind": "file", "name": name, "size": 4}, b"evil"),
        ({"kind": "file", "name": "ok.txt", "size": 2}, b"ok"),
        ({"kind": "end"}, b""),
    )
    receiver = receive(tmp_path, stream)
    assert set(receiver.collected) == {"ok.txt"}
    assert len(receiver.problems) == 1 and "unsafe name" in receiver.problems[0]
    assert all_paths(tmp_path) == ["out", "out/ok.txt"]


def test_forged_sizes_and_duplicates_are_refused(tmp_path):
    stream = frames(
        ({"kind": "file", "name": "a.txt", "size": 3}, b"aaa"),
        ({"kind": "file", "name": "a.txt", "size": 3}, b"bbb"),
        ({"kind": "file", "name": "big.bin", "size": 50}, b"x" * 50),
        ({"kind": "symlink", "name": "link", "size": 0}, b""),
        ({"kind": "end"}, b""),
    )
    receiver = receive(tmp_path, stream, max_bytes=20)
    assert receiver.collected == {"a.txt": tmp_path / "out" / "a.txt"}
    assert (tmp_path / "out" / "a.txt").read_bytes() == b"aaa"
    assert receiver.problems == [
        "a.txt was sent twice: the second copy was dropped",
        "big.bin: not collected (over 20 bytes in all)",
        "link is a symlink: not collected",
    ]


def test_a_file_cannot_be_written_through_a_collected_directory_name(tmp_path):
    stream = frames(
        ({"kind": "file", "name": "a", "size": 1}, b"x"),
        ({"kind": "file", "name": "a/b", "size": 1}, b"y"),
        ({"kind": "end"}, b""),
    )
    receiver = receive(tmp_path, stream)
    assert set(receiver.collected) == {"a"}
    assert receiver.problems == ["a/b could not be written (Not a directory): not collected"]


@pytest.mark.parametrize(
    "stream",
    [
        pytest.param(
            frames(({"kind": "file", "name": "a.txt", "size": 10}, b"short")), id="truncated"
        ),
        pytest.param(
            frames(({"kind": "file", "name": "a.txt", "size": 1}, b"a")), id="no-end-frame"
        ),
        pytest.param(b"\xff\xff\xff\xff" + b"x" * 100, id="huge-header"),
        pytest.param(b"\x00\x00\x00\x05{bad}" + frames(({"kind": "end"}, b"")), id="bad-json"),
        pytest.param(
            frames(({"kind": "file", "name": "a.txt", "size": 1}, b"a")) + b"\x00\x00\x00\x02[]",
            id="not-an-object",
        ),
    ],
)
def test_incomplete_or_corrupt_streams_collect_nothing(tmp_path, stream):
    receiver = receive(tmp_path, stream)
    assert receiver.collected == {}
    assert receiver.problems
    assert not (tmp_path / "out").exists() or all_paths(tmp_path / "out") == []


def test_stream_larger_than_the_caps_is_cut_off(tmp_path):
    stream = frames(
        *[({"kind": "file", "name": f"f{i}", "size": 1000}, b"x" * 1000) for i in range(200)]
    )
    receiver = receive(tmp_path, stream, chunk=65536, max_bytes=10_000, max_files=5)
    assert receiver.stopped
    assert receiver.collected == {}


def test_input_stream_skips_symlinks_and_round_trips(tmp_path):
    source = tmp_path / "src"
    (source / "d").mkdir(parents=True)
    (source / "d" / "f.txt").write_text("hello")
    (source / "link").symlink_to("/etc/passwd")
    buffer = io.BytesIO()
    write_input_stream(buffer, source, {})
    receiver = receive(tmp_path, buffer.getvalue())
    assert set(receiver.collected) == {"d/f.txt"}  # the dir frame is not a file: reported
    assert receiver.problems == ["d is not a regular file: not collected"]
    assert os.readlink(source / "link") == "/etc/passwd"


def test_limits_have_help_and_reject_nonsense():
    help_text = SandboxLimits.help()
    assert set(help_text) == {field.name for field in dataclasses.fields(SandboxLimits)}
    assert all(text for text in help_text.values())
    with pytest.raises(ValueError, match="wall_seconds"):
        SandboxLimits(wall_seconds=0)
    with pytest.raises(ValueError, match="relative"):
        SandboxRequest(argv=("true",), collect=("/etc/passwd",))
    with pytest.raises(ValueError, match=r"'\.\.'"):
        SandboxRequest(argv=("true",), extra_files={"../x": Path("/etc/hostname")})
