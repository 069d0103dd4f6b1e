"""FBX binary records: encode and decode a node tree (FBX 7.x; 32-bit offsets before 7.5, 64-bit from).

An FBX binary file is a header, a list of node records and a footer. A node
record is ``end offset, property count, property bytes, name`` followed by
its typed properties and, when it has children (or no properties at all), the
children and a zero-filled "null record" that closes the list. Offsets are
absolute file positions, so a node is encoded knowing where it will start.
Layout and type codes as read by Blender's io_scene_fbx (parse_fbx.py) and
written by its encode_bin.py.

Python values map to FBX property types: ``str`` → S, ``bytes`` → R,
``bool`` → C, ``int`` → I (32-bit), ``Long`` → L (64-bit: object ids, times),
``float`` → D, numpy arrays → d/f/i/l/b by dtype (zlib-compressed when large).
"""

from __future__ import annotations

import dataclasses
import struct
import zlib

import numpy as np

from ..errors import BridgeError

HEAD_MAGIC = b"Kaydara FBX Binary  \x00\x1a\x00"
VERSION = 7400
_FOOT_ID = bytes.fromhex("fabcab09d0c8d466b176fb831cf7267e")
_FOOT_MAGIC = bytes.fromhex("f85a8c6adef5d97eece90ce3758f290b")
_ARRAY_CODES = {"d": np.dtype("<f8"), "f": np.dtype("<f4"), "i": np.dtype("<i4"),
                "l": np.dtype("<i8"), "b": np.dtype("u1"), "c": np.dtype("u1")}
_DTYPE_CODES = {np.dtype(np.float64): "d", np.dtype(np.float32): "f", np.dtype(np.int32): "i",
                np.dtype(np.int64): "l", np.dtype(np.bool_): "b"}
_SCALARS = {"Y": "<h", "C": "<B", "I": "<i", "F": "<f", "D": "<d", "L": "<q"}


class FbxError(BridgeError):
    """The file is not an FBX this emulator can read."""


class Long(int):
    """An int written as a 64-bit FBX property (object ids, KTime values)."""


@dataclasses.dataclass
class Node:
    name: str
    props: list = dataclasses.field(default_factory=list)
    children: list[Node] = dataclasses.field(default_factory=list)

    def find(self, name: str) -> Node | None:
        return next((c for c in self.children if c.name == name), None)

    def find_all(self, name: str) -> list[Node]:
        return [c for c in self.children if c.name == name]

    def value(self, name: str, default=None):
        """The first property of the first child called ``name``."""
        child = self.find(name)
        return child.props[0] if child is not None and child.props else default


# -- encoding ------------------------------------------------------------------------

def _encode_prop(value) -> bytes:
    if isinstance(value, np.ndarray):
        code = _DTYPE_CODES[value.dtype]
        raw = np.ascontiguousarray(value.astype(_ARRAY_CODES[code], copy=False)).tobytes()
        if len(raw) > 128:
            packed = zlib.compress(raw, 1)          # what Blender writes: big meshes stay fast to save
            return code.encode() + struct.pack("<III", value.size, 1, len(packed)) + packed
        return code.encode() + struct.pack("<III", value.size, 0, len(raw)) + raw
    if isinstance(value, bool):
        return b"C" + struct.pack("<B", int(value))
    if isinstance(value, Long):
        return b"L" + struct.pack("<q", value)
    if isinstance(value, int):
        return b"I" + struct.pack("<i", value)
    if isinstance(value, float):
        return b"D" + struct.pack("<d", value)
    if isinstance(value, str):
        data = value.encode("utf-8")
        return b"S" + struct.pack("<I", len(data)) + data
    if isinstance(value, bytes):
        return b"R" + struct.pack("<I", len(value)) + value
    raise TypeError(f"no FBX property type for {type(value).__name__}")


def _encode_node(node: Node, offset: int, head_format: struct.Struct) -> bytes:
    name = node.name.encode("ascii")
    props = b"".join(_encode_prop(p) for p in node.props)
    head = head_format.size + len(name) + len(props)
    body = bytearray()
    for child in node.children:
        body += _encode_node(child, offset + head + len(body), head_format)
    if node.children or not node.props:
        body += b"\x00" * head_format.size
    end = offset + head + len(body)
    return head_format.pack(end, len(node.props), len(props), len(name)) + name + props + bytes(body)


def encode(nodes: list[Node], version: int = VERSION) -> bytes:
    """A complete FBX binary file holding ``nodes`` at the top level (7.5 and later: 64-bit offsets)."""
    head_format = struct.Struct("<QQQB" if version >= 7500 else "<IIIB")
    out = bytearray(HEAD_MAGIC + struct.pack("<I", version))
    for node in nodes:
        out += _encode_node(node, len(out), head_format)
    out += b"\x00" * head_format.size + _FOOT_ID + b"\x00" * 4
    out += b"\x00" * ((16 - len(out) % 16) % 16 or 16)
    out += struct.pack("<I", version) + b"\x00" * 120 + _FOOT_MAGIC
    return bytes(out)


# -- decoding ------------------------------------------------------------------------

class _Reader:
    def __init__(self, data: bytes, wide: bool):
        self.data, self.pos = data, 0
        self.head = struct.Struct("<QQQB" if wide else "<IIIB")
        self.null = 25 if wide else 13

    def take(self, size: int) -> bytes:
        chunk = self.data[self.pos:self.pos + size]
        if len(chunk) != size:
            raise FbxError("The FBX file is truncated.")
        self.pos += size
        return chunk

    def prop(self):
        code = chr(self.take(1)[0])
        if code in _SCALARS:
            fmt = _SCALARS[code]
            value = struct.unpack(fmt, self.take(struct.calcsize(fmt)))[0]
            return Long(value) if code == "L" else value
        if code in "SR":
            raw = self.take(struct.unpack("<I", self.take(4))[0])
            return raw.decode("utf-8", "replace") if code == "S" else raw
        if code in _ARRAY_CODES:
            length, encoding, size = struct.unpack("<III", self.take(12))
            raw = self.take(size)
            if encoding == 1:
                raw = zlib.decompress(raw)
            return np.frombuffer(raw, dtype=_ARRAY_CODES[code], count=length).copy()
        if code == "B":
            return bool(self.take(1)[0])
        raise FbxError(f"Unknown FBX property type {code!r}.")

    def node(self) -> Node | None:
        end, count, _, name_len = self.head.unpack(self.take(self.head.size))
        name = self.take(name_len).decode("ascii", "replace")
        if end == 0:
            return None
        node = Node(name, [self.prop() for _ in range(count)])
        if self.pos < end:
            while self.pos < end - self.null:
                child = self.node()
                if child is None:
                    break
                node.children.append(child)
            self.pos = end
        return node


def decode(data: bytes) -> tuple[int, list[Node]]:
    """(version, top-level nodes) of a binary FBX file."""
    if not data.startswith(HEAD_MAGIC[:18]):
        if data.lstrip().startswith((b";", b"FBXHeaderExtension")):
            raise FbxError("ASCII FBX is not read by the emulator; export a binary FBX.")
        raise FbxError("Not an FBX file (it does not start with 'Kaydara FBX Binary').")
    version = struct.unpack("<I", data[23:27])[0]
    reader = _Reader(data, wide=version >= 7500)
    reader.pos = 27
    nodes = []
    while reader.pos + reader.head.size <= len(data):
        node = reader.node()
        if node is None:
            break
        nodes.append(node)
    return version, nodes
