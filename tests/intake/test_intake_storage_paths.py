"""The proposal store's two ways of writing a file, and its housekeeping by time.

A proposal is written nameless (O_TMPFILE) and then linked, so nothing half-written
ever has a name; on a filesystem without O_TMPFILE the store falls back to a
dot-prefixed temp file. Old dedupe records and refilled rate-limit buckets are
pruned at most once a minute, by the clock rather than by a count of saves.
"""

from __future__ import annotations

import errno
import json
import os
import stat
import time

import pytest

from impart.intake import rate_limit, storage
from impart.intake.rate_limit import RateLimiter
from impart.intake.storage import ProposalStore
from tests.helpers.handler import StorageOs, fail_with


def _open_without_tmpfile(refused: list):
    """os.open on a filesystem that refuses O_TMPFILE (as tmpfs before Linux 3.11, or NFS, do)."""

    def open_(path, flags, *args, **kwargs):
        if flags & os.O_TMPFILE == os.O_TMPFILE:
            refused.append(path)
            raise OSError(errno.EOPNOTSUPP, os.strerror(errno.EOPNOTSUPP))
        return os.open(path, flags, *args, **kwargs)

    return open_


def _names(folder):
    return sorted(p.name for p in folder.iterdir() if p.is_file())


def _save(store, i):
    return store.save({"name": f"Ada {i}"}, version=1, came_from="", fingerprint=f"fp{i}").reference


@pytest.mark.skipif(not hasattr(os, "O_TMPFILE"), reason="Linux only")
def test_a_proposal_is_written_nameless_then_linked_whole(tmp_path):
    store = ProposalStore(tmp_path / "p")
    store.prepare()
    reference = _save(store, 1)

    assert store._unnamed_files
    assert _names(store.root) == [f"{reference}.json"]  # no temp name was ever made
    path = store.root / f"{reference}.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.stat().st_nlink == 1
    assert json.loads(path.read_text())["fields"] == {"name": "Ada 1"}


def test_without_o_tmpfile_the_store_falls_back_to_a_temp_file(tmp_path, monkeypatch):
    refused = []
    monkeypatch.setattr(storage, "os", StorageOs(open=_open_without_tmpfile(refused)))
    store = ProposalStore(tmp_path / "p")
    store.prepare()
    first, second = _save(store, 1), _save(store, 2)
    monkeypatch.undo()

    assert len(refused) <= 1, "refused once, then the store stops asking"
    assert not store._unnamed_files
    assert _names(store.root) == sorted([f"{first}.json", f"{second}.json"])
    for reference in (first, second):
        path = store.root / f"{reference}.json"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert json.loads(path.read_text())["reference"] == reference


def test_a_full_disk_in_the_fallback_leaves_no_temp_file(tmp_path, monkeypatch):
    monkeypatch.setattr(storage, "os", StorageOs(open=_open_without_tmpfile([]), fsync=fail_with(errno.ENOSPC)))
    store = ProposalStore(tmp_path / "p")
    store.prepare()
    with pytest.raises(storage.StorageError) as refused:
        _save(store, 1)
    monkeypatch.undo()

    assert refused.value.errno == errno.ENOSPC
    assert _names(store.root) == []


def test_dedupe_records_are_pruned_by_time_not_by_count(tmp_path):
    now = [time.time()]
    store = ProposalStore(tmp_path / "p", clock=lambda: now[0])
    store.prepare()
    for i in range(3):
        _save(store, i)
    os.utime(store.dedupe_dir / "fp0", (now[0] - store.dedupe_window - 5,) * 2)  # one record is old

    _save(store, 3)  # within the minute: no pruning yet
    assert len(list(store.dedupe_dir.iterdir())) == 4
    now[0] += storage.PRUNE_INTERVAL + 1
    _save(store, 4)  # the first save after the minute prunes
    assert sorted(p.name for p in store.dedupe_dir.iterdir()) == ["fp1", "fp2", "fp3", "fp4"]


def test_rate_limit_buckets_are_pruned_by_time(tmp_path):
    now = [1_000_000.0]
    limiter = RateLimiter(tmp_path / "rate", 1, 10, clock=lambda: now[0])
    limiter.admit("a")
    now[0] += 11  # a's bucket has refilled, but the minute has not passed
    limiter.admit("b")
    assert len(list((tmp_path / "rate").iterdir())) == 2
    now[0] += rate_limit.PRUNE_INTERVAL
    limiter.admit("c")  # prunes a and b, whose buckets refilled
    assert len(list((tmp_path / "rate").iterdir())) == 1
