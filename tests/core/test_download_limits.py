"""Issue 11, item 6: hopeless downloads stop at once, are never retried, leave nothing behind."""

import builtins
import errno

import pytest

from bridge import downloads
from bridge.clock import FakeClock
from bridge.errors import (
    CancelledError,
    DownloadError,
    DownloadTooLargeError,
    DownloadWriteError,
    ExpiredError,
)
from bridge.transport import Transport

KEY = "sk-test-0123456789abcdef0123456789"


def make(url, **kw):
    return Transport(url, KEY, clock=FakeClock(), timeout=5, max_retries=3, **kw)


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir())


def test_a_declared_size_over_the_cap_is_refused_before_reading(server, tmp_path):
    server.answers = [(200, {"_claim": 3 * 1024 ** 3}, b"x" * 1000)]
    with pytest.raises(DownloadTooLargeError) as info:
        make(server.url).download(server.url + "/files/big.glb", tmp_path / "big.glb")
    assert info.value.permanent is True and isinstance(info.value, DownloadError)
    assert "3.0 GiB" in str(info.value) and "2.0 GiB" in str(info.value)
    assert len(server.seen) == 1                  # not downloaded again
    assert leftovers(tmp_path) == []


def test_an_undeclared_file_stops_as_soon_as_it_crosses_the_cap(server, tmp_path):
    server.answers = [(200, {"_claim": None}, b"y" * 600_000)]   # no Content-Length
    with pytest.raises(DownloadTooLargeError) as info:
        make(server.url).download(server.url + "/files/big.glb", tmp_path / "big.glb",
                                  max_bytes=200_000)
    assert "stopped there" in str(info.value)
    assert len(server.seen) == 1 and leftovers(tmp_path) == []


def test_a_failed_download_removes_its_part(server, tmp_path):
    payload = b"z" * 300_000
    # Every attempt is cut off half way: the .part grows, then the transport gives up.
    server.answers = [(200, {"_claim": len(payload)}, payload[:150_000])] + \
        [(206, {"_total": len(payload), "_claim": 150_000}, payload[:1000])] * 5
    with pytest.raises(DownloadError):
        make(server.url).download(server.url + "/files/m.glb", tmp_path / "m.glb")
    assert len(server.seen) == 4 and leftovers(tmp_path) == []


def test_an_expired_result_removes_its_part(server, tmp_path):
    (tmp_path / "m.glb.part").write_bytes(b"old half")
    server.answers = [(410, {}, b"gone")]
    with pytest.raises(ExpiredError):
        make(server.url).download(server.url + "/files/m.glb", tmp_path / "m.glb")
    assert leftovers(tmp_path) == []


def test_a_cancelled_download_keeps_its_part_for_the_resume(server, tmp_path):
    import threading
    cancel = threading.Event()
    cancel.set()
    server.answers = [(200, {}, b"w" * 300_000)]
    with pytest.raises(CancelledError):
        make(server.url, cancel=cancel).download(server.url + "/files/m.glb", tmp_path / "m.glb")
    assert leftovers(tmp_path) == ["m.glb.part"]


def test_a_full_disk_names_the_folder_removes_the_part_and_is_not_retried(server, tmp_path,
                                                                         monkeypatch):
    real_open = builtins.open

    class FullDisk:
        """A file that takes 100 kB, then the disk is full."""

        def __init__(self, path, mode):
            self.fh = real_open(path, mode)

        def write(self, data):
            if self.fh.tell() + len(data) > 100_000:
                raise OSError(errno.ENOSPC, "No space left on device")
            return self.fh.write(data)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

    monkeypatch.setattr(downloads, "open", FullDisk, raising=False)
    server.answers = [(200, {}, b"v" * 300_000)] * 3
    out = tmp_path / "results"
    with pytest.raises(DownloadWriteError) as info:
        make(server.url).download(server.url + "/files/m.glb", out / "m.glb")
    assert info.value.permanent is True
    assert f"The disk holding {out} is full" in str(info.value)
    assert len(server.seen) == 1 and leftovers(out) == []


def test_an_output_folder_that_is_a_file_is_a_clear_error(server, tmp_path):
    (tmp_path / "results").write_text("I am a file")
    server.answers = [(200, {}, b"v" * 100)]
    with pytest.raises(DownloadWriteError) as info:
        make(server.url).download(server.url + "/files/m.glb", tmp_path / "results" / "m.glb")
    assert "is not a folder" in str(info.value) and str(tmp_path / "results") in str(info.value)
    assert server.seen == []    # nothing fetched for a place it cannot be put
