"""Errors a user can fix are one line on stderr naming the file and the fix, exit code 2."""

import io
import tarfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from grader.cli.app import app

runner = CliRunner()
HW4 = ("--rubric", "rubrics/hw4.toml")


def one_error_line(result) -> str:
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].count("(fix: ") == 1, lines[0]
    return lines[0]


def test_missing_parameters_file_gives_one_hint_not_two(tmp_path):
    rubric = tmp_path / "rubric.toml"
    text = Path("rubrics/hw4.toml").read_text()
    rubric.write_text(
        text.replace('parameters = "../reference/hw4/parameters.toml"', 'parameters = "none.toml"')
    )
    line = one_error_line(runner.invoke(app, ["key", "--rubric", str(rubric)]))
    assert line == (
        f"error: {rubric}: assignment.parameters: {tmp_path / 'none.toml'}: parameters file "
        "not found (fix: check the rubric's `parameters` path)"
    )


def random_bytes(path: Path) -> Path:
    path.write_bytes(bytes(range(256)) * 12)
    return path


def truncated_gzip(path: Path) -> Path:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        info = tarfile.TarInfo("cifar-10-batches-py/data_batch_1")
        data = bytes(4096)
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    path.write_bytes(buffer.getvalue()[:40])
    return path


@pytest.mark.parametrize(
    ("command", "make", "name", "why"),
    [
        ("import-cifar10", random_bytes, "cifar.tar.gz", "not gzip, bzip2, xz or plain tar"),
        ("import-cifar10", truncated_gzip, "cut.tar.gz", "Compressed file ended before"),
        ("import-cats-dogs", random_bytes, "train.zip", "File is not a zip file"),
    ],
)
def test_corrupt_archive_is_one_line(tmp_path, command, make, name, why):
    archive = make(tmp_path / name)
    result = runner.invoke(
        app, ["data", command, str(archive), *HW4, "--out", str(tmp_path / "out")]
    )
    line = one_error_line(result)
    assert line.startswith(f"error: {archive}: not a readable ")
    assert why in line
    assert line.endswith("(fix: download the archive again; nothing from this archive was written)")
    assert not (tmp_path / "out").exists()


def test_missing_archive_names_the_fix(tmp_path):
    archive = tmp_path / "nowhere.tar.gz"
    line = one_error_line(runner.invoke(app, ["data", "import-cifar10", str(archive), *HW4]))
    assert line == f"error: {archive}: archive not found (fix: pass the downloaded archive's path)"


def test_an_import_into_an_undeclared_dataset_names_the_declared_ones(tmp_path):
    archive = random_bytes(tmp_path / "cifar.tar.gz")
    line = one_error_line(
        runner.invoke(app, ["data", "import-cifar10", str(archive), *HW4, "--dataset", "cifar100"])
    )
    assert line == (
        "error: rubrics/hw4.toml: the rubric declares no dataset 'cifar100' (it declares "
        "cats_vs_dogs, cifar10) (fix: pass --dataset with a declared name, or declare it in "
        "[datasets])"
    )


def test_an_import_of_the_wrong_format_is_refused(tmp_path):
    archive = random_bytes(tmp_path / "cifar.tar.gz")
    line = one_error_line(
        runner.invoke(
            app, ["data", "import-cifar10", str(archive), *HW4, "--dataset", "cats_vs_dogs"]
        )
    )
    assert "cats_vs_dogs" in line and "cifar_batches" in line
