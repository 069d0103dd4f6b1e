"""The emulator's model readers and writers agree: every format written reads back the same."""

import io
import json
import struct
import zipfile

import numpy as np
import pytest
from model_helpers import two_colour_ball

from bridge.emulator.decimate import decimate, pair_quads
from bridge.emulator.fbx_binary import FbxError, Long, Node, decode, encode
from bridge.emulator.glb import write_glb
from bridge.emulator.gltf_read import parse_glb
from bridge.emulator.model_read import ModelFormatError, read_model
from bridge.emulator.model_write import WRITABLE
from bridge.emulator.model_write import encode as encode_model
from bridge.emulator.uv_atlas import atlas_uvs
from bridge.pngcodec import encode_png

TEXTURED = {"glb", "obj_zip", "fbx", "fbx_zip"}
WITH_UVS = {"glb", "obj", "obj_zip", "fbx", "fbx_zip"}


def _sorted_triangles(mesh):
    tris = np.round(mesh.triangles.reshape(-1, 9), 5)
    return tris[np.lexsort(tris.T[::-1])]


@pytest.fixture(scope="module")
def textured_ball():
    ball = atlas_uvs(two_colour_ball(12, 24), 256)
    checker = np.zeros((16, 16, 3), np.uint8)
    checker[::2, ::2] = (250, 200, 10)
    ball.materials[0].texture_png = encode_png(checker)
    return ball


@pytest.mark.parametrize("fmt", WRITABLE)
def test_every_written_format_reads_back_with_the_same_surface(textured_ball, fmt):
    name, data = encode_model(textured_ball, fmt, unit="mm")
    back = read_model(data)
    assert back.triangles.shape == textured_ball.triangles.shape
    np.testing.assert_allclose(_sorted_triangles(back), _sorted_triangles(textured_ball), atol=2e-5)
    if fmt in WITH_UVS:
        key = np.round(np.concatenate([back.triangles.reshape(-1, 9), back.uvs.reshape(-1, 6)], 1), 4)
        want = np.round(np.concatenate([textured_ball.triangles.reshape(-1, 9),
                                        textured_ball.uvs.reshape(-1, 6)], 1), 4)
        assert {tuple(r) for r in key} == {tuple(r) for r in want}
    if fmt in TEXTURED:
        assert back.texture_png == textured_ball.materials[0].texture_png
        colours = {tuple(np.round(m.color[:3], 3)) for m in back.materials}
        assert (0.02, 0.05, 0.8) in colours                     # the untextured blue survives too


@pytest.mark.parametrize("fmt", ["obj", "obj_zip", "fbx", "fbx_zip"])
def test_polygon_formats_keep_quads(fmt):
    quads = pair_quads(decimate(two_colour_ball(), 600))
    assert (quads.face_sizes == 4).sum() > 100
    back = read_model(encode_model(quads, fmt)[1])
    assert sorted(back.face_sizes) == sorted(quads.face_sizes)
    np.testing.assert_allclose(back.bounds(), quads.bounds(), atol=1e-5)


@pytest.mark.parametrize("version", [7400, 7500])
def test_fbx_records_round_trip_every_property_type(version):
    values = [7, Long(2**40), 1.5, "name\x00\x01Model", b"\x00raw", True,
              np.arange(5, dtype=np.int32), np.linspace(0, 1, 100),        # small raw, large compressed
              np.arange(3, dtype=np.int64), np.ones(4, dtype=np.float32)]
    tree = [Node("Top", values, [Node("Child", [1]), Node("Empty")]), Node("Last")]
    read_version, back = decode(encode(tree, version))
    assert read_version == version and [n.name for n in back] == ["Top", "Last"]
    props = back[0].props
    assert props[:6] == values[:6] and isinstance(props[1], Long)
    for got, want in zip(props[6:], values[6:]):
        np.testing.assert_array_equal(got, want)
        assert got.dtype == want.dtype
    assert [c.name for c in back[0].children] == ["Child", "Empty"] and back[0].value("Child") == 1


@pytest.mark.parametrize("data, message", [
    (b"; FBX 7.4.0 project file\nFBXHeaderExtension:  {\n}", "ASCII FBX"),
    (b'{"asset": {"version": "2.0"}}', "send a self-contained GLB"),
    (b"hello, this is not a model", "not a model"),
])
def test_unreadable_inputs_say_why(data, message):
    with pytest.raises((ModelFormatError, FbxError), match=message):
        read_model(data)


def test_obj_with_negative_indices_materials_and_zipped_texture():
    obj = ("mtllib parts.mtl\nv 0 0 0\nv 1 0 0\nv 1 1 0\nv 0 1 0\nvt 0 0\nvt 1 0\nvt 1 1\nvt 0 1\n"
           "usemtl painted\nf -4/-4 -3/-3 -2/-2 -1/-1\nv 0 0 1\nusemtl plain\nf 1 2 5\n")
    png = encode_png(np.full((4, 4, 3), 200, np.uint8))
    mtl = "newmtl painted\nKd 1 1 1\nmap_Kd textures\\paint.png\nnewmtl plain\nKd 0.1 0.2 0.3\nd 0.5\n"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("model/parts.obj", obj)
        archive.writestr("model/parts.mtl", mtl)
        archive.writestr("model/paint.png", png)
    mesh = read_model(buf.getvalue())
    assert list(mesh.face_sizes) == [4, 3] and len(mesh.positions) == 5
    assert mesh.materials[0].texture_png == png
    assert mesh.materials[1].color == (0.1, 0.2, 0.3, 0.5)
    assert mesh.corner_uvs is None                       # the triangle has no vt: no UVs at all
    np.testing.assert_allclose(mesh.positions[mesh.corner_verts[:4]], [[0, 0, 0], [1, 0, 0], [1, 1, 0],
                                                                       [0, 1, 0]])


def test_stl_units_ascii_and_ply_ascii():
    ascii_stl = b"solid t\nfacet normal 0 0 1\nouter loop\nvertex 0 0 0\nvertex 100 0 0\nvertex 0 50 0\n" \
                b"endloop\nendfacet\nendsolid t\n"
    assert read_model(ascii_stl).positions.max(axis=0)[:2].tolist() == [0.1, 0.05]      # mm by default
    assert read_model(ascii_stl, stl_unit="cm").positions.max() == pytest.approx(1.0)
    ply = b"ply\nformat ascii 1.0\nelement vertex 4\nproperty float x\nproperty float y\n" \
          b"property float z\nelement face 1\nproperty list uchar int vertex_indices\nend_header\n" \
          b"0 0 0\n1 0 0\n1 1 0\n0 1 0\n4 0 1 2 3\n"
    mesh = read_model(ply)
    assert list(mesh.face_sizes) == [4] and mesh.positions.shape == (4, 3)


def test_an_fbx_2016_file_with_64_bit_records_reads_like_the_2014_one(textured_ball):
    data = encode_model(textured_ball, "fbx")[1]
    _, nodes = decode(data)
    newer, older = read_model(encode(nodes, 7500)), read_model(data)
    np.testing.assert_array_equal(newer.positions, older.positions)
    np.testing.assert_array_equal(newer.corner_uvs, older.corner_uvs)
    assert newer.texture_png == older.texture_png


def test_a_glb_without_materials_gets_exactly_one_default():
    ball = two_colour_ball(6, 12)
    doc, blob = parse_glb(write_glb(ball.to_parts()))
    for mesh in doc["meshes"]:
        for prim in mesh["primitives"]:
            prim.pop("material")
    doc.pop("materials")
    text = json.dumps(doc).encode()
    text += b" " * (-len(text) % 4)
    glb = b"glTF" + struct.pack("<II", 2, 28 + len(text) + len(blob)) + struct.pack("<I", len(text)) + b"JSON" \
        + text + struct.pack("<I", len(blob)) + b"BIN\x00" + blob
    mesh = read_model(glb)
    assert [m.name for m in mesh.materials] == ["default"] and (mesh.face_materials == 0).all()
