"""A Draco-compressed result where the glTF importer has no Draco library: a clear message."""

import json
import struct

import pytest

pytestmark = pytest.mark.blender


def _glb(path, extensions):
    body = json.dumps({"asset": {"version": "2.0"}, "extensionsUsed": extensions,
                       "extensionsRequired": extensions}).encode()
    body += b" " * (-len(body) % 4)
    path.write_bytes(b"glTF" + struct.pack("<II", 2, 12 + 8 + len(body))
                     + struct.pack("<II", len(body), 0x4E4F534A) + body)
    return path


def test_a_draco_result_without_the_library_is_refused_in_words(addon, tmp_path, monkeypatch):
    from ai_studio_bridge.addon.blenderio import importers
    from ai_studio_bridge.bridge.errors import ImportFailedError
    path = _glb(tmp_path / "j1_3d_model_1.glb", [importers.DRACO])
    assert importers.gltf_extensions(path) == {importers.DRACO}
    monkeypatch.setattr(importers, "draco_available", lambda: False)   # as in Debian's Blender
    with pytest.raises(ImportFailedError) as caught:
        importers.run_importer(path)
    message = str(caught.value)
    assert "Draco" in message and "Convert" in message and str(tmp_path) in message
    assert "Traceback" not in message


def test_with_the_library_or_without_draco_nothing_is_refused(addon, tmp_path, monkeypatch):
    from ai_studio_bridge.addon.blenderio import importers
    plain = _glb(tmp_path / "plain.glb", [])
    importers.check_readable(plain)                    # no extension: nothing to refuse
    monkeypatch.setattr(importers, "draco_available", lambda: True)   # blender.org's 5.0
    importers.check_readable(_glb(tmp_path / "packed.glb", [importers.DRACO]))
    assert importers.gltf_extensions(tmp_path / "missing.glb") == set()
