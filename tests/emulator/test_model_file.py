"""``--model-file``: every 3D generation answers with the given GLB (heavy-result tests)."""

import subprocess
import sys
from pathlib import Path

from bridge.emulator.results import produce_model

ROOT = Path(__file__).resolve().parents[2]


class _Inputs:
    def __init__(self, state):
        self.state, self.body = state, {"prompt": "a chair"}

    def picture(self):
        return None


def test_a_model_file_replaces_the_made_shape(tmp_path):
    from bridge.emulator.server import Emulator
    emu = Emulator()
    emu.state.model_file = b"glTF" + b"\0" * 60
    [(kind, name, data, meta)] = produce_model(_Inputs(emu.state))
    assert (kind, name, data) == ("3D_MODEL", "model.glb", emu.state.model_file) and meta["fixed"]
    emu.state.model_file = None
    [(_kind, _name, made, _meta)] = produce_model(_Inputs(emu.state))
    assert made[:4] == b"glTF" and made != b"glTF" + b"\0" * 60   # a shape of its own again


def test_the_command_line_takes_a_model_file(tmp_path):
    done = subprocess.run([sys.executable, "-m", "bridge.emulator", "--help"], cwd=ROOT,
                          capture_output=True, text=True, check=True)
    assert "--model-file" in done.stdout
