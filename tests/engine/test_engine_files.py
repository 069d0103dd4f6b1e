"""Integrity checks and safe unpacking of downloaded results."""

from __future__ import annotations

import io
import stat
import zipfile

import pytest
from engine_fakes import PNG, make_glb, make_zip

from bridge.engine.files import IntegrityError, check_file, check_glb, extract_zip, result_name, sniff_ext
from bridge.engine.schedule import next_poll_delay, remaining_seconds


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_result_names_are_ours_and_filename_safe():
    assert result_name("ab12", "3D_MODEL", 1, "glb") == "ab12_3d_model_1.glb"
    assert result_name("ab12", "SCALED_3D_MODEL", 2, "GLB") == "ab12_scaled_3d_model_2.glb"
    assert result_name("ab12", "../../etc", 1, "sh") == "ab12_etc_1.bin"


def test_good_glb_passes(tmp_path):
    check_glb(write(tmp_path, "m.glb", make_glb()))


@pytest.mark.parametrize("data, words", [
    (make_glb()[:-4], "declares"),
    (make_glb(version=1), "version 1"),
    (b"GLTF" + make_glb()[4:], "magic"),
    (b"glTF\x02\x00\x00\x00", "too short"),
    (make_glb({"scene": 0}), "not a glTF document"),
])
def test_broken_glb_is_refused_with_a_reason(tmp_path, data, words):
    with pytest.raises(IntegrityError, match=words):
        check_glb(write(tmp_path, "m.glb", data))


def test_glb_with_unparsable_json_chunk_is_refused(tmp_path):
    data = bytearray(make_glb())
    data[20] = ord("}")
    with pytest.raises(IntegrityError, match="does not parse"):
        check_glb(write(tmp_path, "m.glb", bytes(data)))


def test_images_are_checked_by_magic(tmp_path):
    check_file(write(tmp_path, "a.png", PNG), "IMAGE")
    with pytest.raises(IntegrityError):
        check_file(write(tmp_path, "b.png", b"<html>error</html>"), "IMAGE")
    with pytest.raises(IntegrityError, match="empty"):
        check_file(write(tmp_path, "c.obj", b""), "3D_MODEL")


def test_sniffing_names_content_not_url(tmp_path):
    assert sniff_ext(write(tmp_path, "x.bin", make_glb())) == "glb"
    assert sniff_ext(write(tmp_path, "y.bin", make_zip({"a.obj": b"v 0 0 0"}))) == "zip"
    assert sniff_ext(write(tmp_path, "z.bin", PNG)) == "png"
    assert sniff_ext(write(tmp_path, "w.bin", b"hello")) is None


def test_zip_is_extracted_into_a_folder_next_to_it(tmp_path):
    archive = write(tmp_path, "job_archive_1.zip",
                    make_zip({"model.obj": b"v 0 0 0\n", "tex/albedo.png": PNG}))
    out = extract_zip(archive)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in out) == [
        "job_archive_1/model.obj", "job_archive_1/tex/albedo.png"]
    assert (tmp_path / "job_archive_1" / "tex" / "albedo.png").read_bytes() == PNG
    assert not list(tmp_path.glob("*.extracting"))


@pytest.mark.parametrize("name", ["../evil.txt", "/etc/evil", "a/../../evil", "C:/evil",
                                  "a\\..\\evil"])
def test_zip_with_escaping_paths_is_refused(tmp_path, name):
    archive = write(tmp_path, "bad.zip", make_zip({name: b"x"}))
    with pytest.raises(IntegrityError, match="unsafe path"):
        extract_zip(archive)
    assert not (tmp_path / "evil.txt").exists() and not (tmp_path / "bad").exists()


def test_zip_with_symlink_is_refused(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        info = zipfile.ZipInfo("link")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, "/etc/passwd")
    with pytest.raises(IntegrityError, match="symbolic link"):
        extract_zip(write(tmp_path, "l.zip", buf.getvalue()))


def test_zip_bomb_is_refused_by_ratio_and_by_total(tmp_path):
    bomb = write(tmp_path, "bomb.zip", make_zip({"zeros.bin": b"\x00" * (20 * 1024 ** 2)}))
    with pytest.raises(IntegrityError, match="zip bomb"):
        extract_zip(bomb)
    small = write(tmp_path, "big.zip", make_zip({"a.bin": bytes(range(256)) * 4096}))
    with pytest.raises(IntegrityError, match="cap"):
        extract_zip(small, max_total=100_000)


def test_corrupt_zip_is_refused(tmp_path):
    with pytest.raises(IntegrityError, match="not a readable ZIP"):
        check_file(write(tmp_path, "c.zip", b"PK\x03\x04garbage"))


def test_first_poll_at_expected_finish_when_the_budget_is_busy():
    # 50 busy jobs at 3/min: no spare requests for progress polls.
    assert next_poll_delay(240, 0, 0, slot_s=20, busy_jobs=50) == pytest.approx(240)
    # One job alone: progress polls fit in half the budget.
    assert next_poll_delay(240, 0, 0, slot_s=20, busy_jobs=1) == pytest.approx(40)
    assert next_poll_delay(240, 0, 0, slot_s=1, busy_jobs=1, progress_every_s=10) == 10


def test_progress_markers_move_the_eta_and_overdue_jobs_back_off():
    # Halfway (66 % reported at 100 s of an expected 300 s) the job looks fast.
    assert remaining_seconds(300, 100, 66) < 200
    assert remaining_seconds(300, 100, 0) == pytest.approx(200)
    overdue = next_poll_delay(100, 150, 0, slot_s=20, busy_jobs=50)
    much_later = next_poll_delay(100, 1000, 0, slot_s=20, busy_jobs=50)
    assert overdue >= 20 and much_later > overdue
