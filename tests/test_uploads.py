"""brubeck.uploads.verified_path: an upload-done message names a file only when
both headers agree and the file is a regular file directly in the upload directory."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from brubeck.uploads import verified_path

START = "x-mongrel2-upload-start"
DONE = "x-mongrel2-upload-done"
NAME = "mongrel2.upload.AbC123"


def upload_headers(start: Any, done: Any = None) -> dict[str, Any]:
    """The two headers as Mongrel2 sends them (``done`` defaults to ``start``)."""
    return {START: start, DONE: start if done is None else done}


@pytest.fixture
def upload(tmp_path: Path) -> Path:
    """A finished upload in the upload directory ``tmp_path``."""
    path = tmp_path / NAME
    path.write_bytes(b"the body")
    return path


def test_a_real_upload(tmp_path: Path, upload: Path) -> None:
    found = verified_path(upload_headers(f"/tmp/{NAME}"), str(tmp_path))
    assert found == str(upload)
    assert Path(found).read_bytes() == b"the body"


@pytest.mark.parametrize(
    "named", [NAME, f"tmp/{NAME}", f"/{NAME}", f"/some/chroot/tmp/{NAME}", f"./{NAME}"]
)
def test_only_the_file_name_counts(tmp_path: Path, upload: Path, named: str) -> None:
    """Mongrel2 names the file as it sees it (relative, or inside its chroot)."""
    assert verified_path(upload_headers(named), str(tmp_path)) == str(upload)


def test_a_path_like_upload_dir(tmp_path: Path, upload: Path) -> None:
    assert verified_path(upload_headers(f"/tmp/{NAME}"), tmp_path) == str(upload)  # type: ignore[arg-type]


def test_the_upload_dir_is_resolved(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (real / NAME).write_bytes(b"")
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    found = verified_path(upload_headers(f"/tmp/{NAME}"), str(link))
    assert found == os.path.join(os.path.realpath(real), NAME)


def test_other_headers_do_not_matter(tmp_path: Path, upload: Path) -> None:
    headers = {**upload_headers(f"/tmp/{NAME}"), "content-length": "99", "host": "x"}
    assert verified_path(headers, str(tmp_path)) == str(upload)


@pytest.mark.parametrize("upload_dir", [None, ""])
def test_no_upload_dir(upload: Path, upload_dir: str | None) -> None:
    assert verified_path(upload_headers(str(upload)), upload_dir) is None


def test_an_upload_dir_that_does_not_exist(tmp_path: Path, upload: Path) -> None:
    assert verified_path(upload_headers(f"/tmp/{NAME}"), str(tmp_path / "gone")) is None


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {START: f"/tmp/{NAME}"},  # the upload-start message: not done yet
        {DONE: f"/tmp/{NAME}"},
        {START: None, DONE: None},
        {"X-Mongrel2-Upload-Start": f"/tmp/{NAME}", "X-Mongrel2-Upload-Done": f"/tmp/{NAME}"},
    ],
    ids=["none", "start-only", "done-only", "none-values", "other-case"],
)
def test_missing_headers(tmp_path: Path, upload: Path, headers: dict[str, Any]) -> None:
    assert verified_path(headers, str(tmp_path)) is None


def test_headers_that_differ(tmp_path: Path, upload: Path) -> None:
    other = tmp_path / "mongrel2.upload.Other1"
    other.write_bytes(b"")
    assert verified_path(upload_headers(f"/tmp/{NAME}", str(other)), str(tmp_path)) is None
    assert verified_path(upload_headers(str(other), f"/tmp/{NAME}"), str(tmp_path)) is None
    # the same name in different directories is still a disagreement
    assert verified_path(upload_headers(f"/a/{NAME}", f"/b/{NAME}"), str(tmp_path)) is None


@pytest.mark.parametrize(
    ("start", "done"),
    [
        ([f"/tmp/{NAME}"], [f"/tmp/{NAME}"]),  # repeated headers arrive as lists
        ([f"/tmp/{NAME}", f"/tmp/{NAME}"], [f"/tmp/{NAME}", f"/tmp/{NAME}"]),
        ([f"/tmp/{NAME}"], f"/tmp/{NAME}"),
        (f"/tmp/{NAME}", [f"/tmp/{NAME}"]),
        ((f"/tmp/{NAME}",), (f"/tmp/{NAME}",)),
        (f"/tmp/{NAME}".encode(), f"/tmp/{NAME}".encode()),
        (7, 7),
    ],
    ids=["lists", "repeated", "list-and-str", "str-and-list", "tuples", "bytes", "ints"],
)
def test_values_that_are_not_one_string(
    tmp_path: Path, upload: Path, start: Any, done: Any
) -> None:
    assert verified_path({START: start, DONE: done}, str(tmp_path)) is None


@pytest.mark.parametrize(
    "named",
    ["", "/", "/tmp/", ".", "..", "/tmp/.", "/tmp/..", "/tmp/x\x00y", f"/tmp/{NAME}\x00"],
    ids=["empty", "root", "dir-slash", "dot", "dotdot", "tmp-dot", "tmp-dotdot", "nul", "nul-end"],
)
def test_names_that_are_not_plain_file_names(tmp_path: Path, upload: Path, named: str) -> None:
    assert verified_path(upload_headers(named), str(tmp_path)) is None


def test_a_name_that_does_not_exist(tmp_path: Path, upload: Path) -> None:
    assert verified_path(upload_headers("/tmp/mongrel2.upload.Nope00"), str(tmp_path)) is None


def test_a_directory(tmp_path: Path) -> None:
    (tmp_path / NAME).mkdir()
    assert verified_path(upload_headers(f"/tmp/{NAME}"), str(tmp_path)) is None


def test_a_fifo(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / NAME)
    assert verified_path(upload_headers(f"/tmp/{NAME}"), str(tmp_path)) is None


@pytest.mark.parametrize("target", ["outside", "inside", "/etc/hostname", "dangling"])
def test_a_symlink_in_the_upload_dir(tmp_path: Path, target: str) -> None:
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    if target == "outside":
        pointed = tmp_path / "secret"
        pointed.write_text("secret")
    elif target == "inside":
        pointed = uploads / "real"
        pointed.write_text("real")
    elif target == "dangling":
        pointed = tmp_path / "missing"
    else:
        pointed = Path(target)
    (uploads / NAME).symlink_to(pointed)
    assert verified_path(upload_headers(f"/tmp/{NAME}"), str(uploads)) is None


def test_a_forged_absolute_path(tmp_path: Path, upload: Path) -> None:
    """A client's own headers naming /etc/passwd: only "passwd" is looked up, and
    the upload directory has none."""
    assert verified_path(upload_headers("/etc/passwd"), str(tmp_path)) is None


@pytest.mark.parametrize("forged", ["/tmp/../etc/passwd", "../etc/passwd", "../../passwd"])
def test_dot_dot_paths(tmp_path: Path, upload: Path, forged: str) -> None:
    assert verified_path(upload_headers(forged), str(tmp_path)) is None


def test_dot_dot_paths_only_reach_the_upload_dir(tmp_path: Path) -> None:
    """With a "passwd" in the upload directory, that file (and no other) is the answer."""
    planted = tmp_path / "passwd"
    planted.write_text("not the real one")
    found = verified_path(upload_headers("/tmp/../etc/passwd"), str(tmp_path))
    assert found == str(planted)
    assert os.path.dirname(found) == str(tmp_path.resolve())


def test_a_mapping_that_is_not_a_dict(tmp_path: Path, upload: Path) -> None:
    class Headers:
        def __init__(self, data: dict[str, Any]) -> None:
            self._data = data

        def get(self, key: str, default: Any = None) -> Any:
            return self._data.get(key, default)

    headers = Headers(upload_headers(f"/tmp/{NAME}"))
    assert verified_path(headers, str(tmp_path)) == str(upload)  # type: ignore[arg-type]
