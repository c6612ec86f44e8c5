"""Files written from Python follow the command line's rules (RELIABILITY.md, outputs): a
read-only file, a folder and a missing folder are refused with the right exception and
nothing changes; a multi-file write checks every file before the first; only our own
stale temporary files are removed, never a user's file that looks similar."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import numpy as np
import pytest

from mcdropout import MCDropoutRegressor, _mcdropout
from mcdropout.ray._uci import UciSettings


@pytest.fixture()
def model(friedman: tuple[np.ndarray, np.ndarray]) -> MCDropoutRegressor:
    x, y = friedman
    return MCDropoutRegressor(epochs=2, n_samples=10).fit(x, y)


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


def test_save_refuses_read_only_files_folders_and_missing_folders(
    model: MCDropoutRegressor, tmp_path: Path
) -> None:
    locked = tmp_path / "locked.model"
    locked.write_bytes(b"keep me")
    locked.chmod(0o444)
    (tmp_path / "folder.model").mkdir()
    before = _files(tmp_path)
    with pytest.raises(PermissionError, match=r"locked\.model.*read-only"):
        model.save(locked)
    with pytest.raises(IsADirectoryError, match=r"folder\.model.*is a folder"):
        model.save(tmp_path / "folder.model")
    with pytest.raises(FileNotFoundError, match=r"output folder .*no/such.* does not exist"):
        model.save(tmp_path / "no" / "such" / "m.model")
    os.symlink(tmp_path / "nowhere.model", tmp_path / "dangling.model")
    with pytest.raises(OSError, match=r"dangling\.model.*does not exist"):
        model.save(tmp_path / "dangling.model")
    assert _files(tmp_path) == before
    assert not (tmp_path / "nowhere.model").exists()


def test_save_removes_only_our_own_stale_temporary_files(
    model: MCDropoutRegressor, tmp_path: Path
) -> None:
    # Pid 4194305 is above Linux's maximum pid: no such process runs.
    stale = tmp_path / ".m.model.mcdropout-4194305-AbC123.tmp"
    stale.write_bytes(b"partial")
    similar = [".x.mcdropout-12-notes.tmp", ".m.model.mcdropout-4194305-AbC123.tmp.bak"]
    for name in similar:
        (tmp_path / name).write_text("user notes")
    (tmp_path / "target.txt").write_text("kept")
    os.symlink(tmp_path / "target.txt", tmp_path / ".n.model.mcdropout-4194305-AbC123.tmp")
    model.save(tmp_path / "m.model")
    assert not stale.exists()
    for name in similar:
        assert (tmp_path / name).read_text() == "user notes"
    assert (tmp_path / ".n.model.mcdropout-4194305-AbC123.tmp").is_symlink()
    assert (tmp_path / "target.txt").read_text() == "kept"
    assert MCDropoutRegressor.load(tmp_path / "m.model") is not None


def test_uci_results_check_all_three_files_before_writing_any(tmp_path: Path) -> None:
    settings = UciSettings().engine(1)
    md = tmp_path / "results.md"
    md.write_text("keep")
    md.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    with pytest.raises(ValueError, match=r"results\.md.*read-only"):
        _mcdropout.uci_write_results(os.fspath(tmp_path), settings, 1, 0.0, [])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.md"]
    assert md.read_text() == "keep"
    md.chmod(0o644)
    _mcdropout.uci_write_results(os.fspath(tmp_path), settings, 1, 0.0, [])
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "results.json",
        "results.md",
        "summary.json",
    ]
