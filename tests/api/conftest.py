"""Small local files the request types read: whole pictures (the checks read their
headers to the end), tiny sizes."""

import base64

import pytest
from sample_pictures import jpeg_bytes, png_bytes

PNG_BYTES = png_bytes()
JPEG_BYTES = jpeg_bytes()
GLB_BYTES = b"glTF" + b"\x02\x00\x00\x00" + b"\x00" * 64


def data_url_of(data: bytes, mime: str = "image/png") -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


@pytest.fixture
def png(tmp_path):
    path = tmp_path / "chair.png"
    path.write_bytes(PNG_BYTES)
    return str(path)


@pytest.fixture
def jpeg(tmp_path):
    path = tmp_path / "side.jpg"
    path.write_bytes(JPEG_BYTES)
    return str(path)


@pytest.fixture
def not_an_image(tmp_path):
    """Text saved under a .png name: the extension lies, the bytes tell."""
    path = tmp_path / "liar.png"
    path.write_bytes(b"this is not a picture at all")
    return str(path)


@pytest.fixture
def glb(tmp_path):
    path = tmp_path / "model.glb"
    path.write_bytes(GLB_BYTES)
    return str(path)


@pytest.fixture
def fake_glb(tmp_path):
    path = tmp_path / "broken.glb"
    path.write_bytes(b"solid ascii stl pretending to be a glb")
    return str(path)


@pytest.fixture
def png_data_url():
    return data_url_of(PNG_BYTES)
