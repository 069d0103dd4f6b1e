from pathlib import Path

import pytest

from bridge.config import load_settings
from bridge.errors import ConfigError, ValidationError
from bridge.imagefile import data_url, decode_data_url, read_image, sniff_image_type

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "samples"


def test_environment_wins_over_dotenv(tmp_path):
    dotenv = tmp_path / ".env"
    dotenv.write_text('3D_AI_STUDIO_API_KEY="from-file"\nexport AISTUDIO_RATE_LIMIT=5\n'
                      "# comment\nIMAGE3D_TOKEN=tok\n")
    s = load_settings({"3D_AI_STUDIO_API_KEY": "from-env", "AISTUDIO_HOME": str(tmp_path)}, dotenv)
    assert s.api_key == "from-env"
    assert s.rate_limit == 5 and s.image3d_token == "tok"
    assert s.home == tmp_path


def test_key_is_hidden_from_repr(tmp_path):
    s = load_settings({"3D_AI_STUDIO_API_KEY": "supersecret"}, tmp_path / "none")
    assert "supersecret" not in repr(s)


def test_missing_key_is_a_clear_config_error(tmp_path):
    s = load_settings({}, tmp_path / "none")
    with pytest.raises(ConfigError, match="3D_AI_STUDIO_API_KEY"):
        s.require_key()


def test_bad_numbers_are_refused(tmp_path):
    with pytest.raises(ConfigError, match="AISTUDIO_RATE_LIMIT"):
        load_settings({"AISTUDIO_RATE_LIMIT": "lots"}, tmp_path / "none")
    with pytest.raises(ConfigError, match="AISTUDIO_POLL_INTERVAL"):
        load_settings({"AISTUDIO_POLL_INTERVAL": "0"}, tmp_path / "none")


def test_images_recognised_by_bytes_not_names(tmp_path):
    fake = tmp_path / "photo.png"
    fake.write_bytes(b"GIF89a not really")
    with pytest.raises(ValidationError, match="not a PNG, JPEG or WebP"):
        read_image(fake)
    jpeg_named_png = tmp_path / "really.png"
    jpeg_named_png.write_bytes(b"\xff\xd8\xff\xe0" + b"\0" * 20)
    assert read_image(jpeg_named_png)[1] == "jpeg"
    assert sniff_image_type(b"RIFF\0\0\0\0WEBPVP8 ") == "webp"


def test_empty_and_missing_files(tmp_path):
    (tmp_path / "empty.png").write_bytes(b"")
    with pytest.raises(ValidationError, match="empty"):
        read_image(tmp_path / "empty.png")
    with pytest.raises(ValidationError, match="does not exist"):
        read_image(tmp_path / "nope.png")


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="shared samples not present")
def test_data_url_round_trip():
    data, kind = read_image(SAMPLES / "robot.png")
    url = data_url(data, kind)
    assert url.startswith("data:image/png;base64,")
    assert decode_data_url(url) == (data, "image/png")


def test_shell_friendly_alias_for_names_a_shell_cannot_export(tmp_path):
    s = load_settings({"AISTUDIO_API_KEY": "k", "AISTUDIO_API_URL": "http://127.0.0.1:9/"},
                      tmp_path / "none")
    assert s.api_key == "k" and s.api_url == "http://127.0.0.1:9"
    s = load_settings({"AISTUDIO_API_KEY": "alias", "3D_AI_STUDIO_API_KEY": "documented"},
                      tmp_path / "none")
    assert s.api_key == "documented"
