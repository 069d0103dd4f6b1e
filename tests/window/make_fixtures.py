"""Result files for the window tier, made on the host: a 500k-triangle textured GLB and a
Draco-compressed GLB (Debian's Blender has no Draco encoder; the bpy wheel has one).

    .venv/bin/python tests/window/make_fixtures.py DIR
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def main(folder: Path) -> None:
    from bench.addon_bench import write_textured_glb
    folder.mkdir(parents=True, exist_ok=True)
    write_textured_glb(folder / "heavy.glb", 500_000)
    import bpy
    bpy.ops.wm.read_factory_settings(use_empty=True)
    bpy.ops.mesh.primitive_monkey_add()
    bpy.ops.export_scene.gltf(filepath=str(folder / "draco.glb"), export_format="GLB",
                              export_draco_mesh_compression_enable=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
