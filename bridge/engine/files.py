"""Result files: our own names, integrity checks and safe ZIP extraction.

Downloaded bytes come from the network, so nothing about them is trusted:
the name is ours (``<job_id>_<asset_type lower>_<n>.<ext>``), the content
is checked against its format before anyone opens it, and archives are
unpacked only inside their own folder with caps against zip bombs. The
add-on and the CLI reuse these checks for files they are handed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import struct
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

from ..errors import DownloadError, ValidationError
from ..imagefile import sniff_image_type

#: Extensions we accept from a URL; anything else is named ``.bin`` until sniffed.
KNOWN_EXTS = ("glb", "gltf", "obj", "fbx", "stl", "ply", "usdz", "3mf", "zip",
              "png", "jpg", "jpeg", "webp", "mp4", "json", "mtl")
IMAGE_ASSET_TYPES = ("IMAGE", "EDITED_IMAGE")

ZIP_MAX_TOTAL = 2 * 1024 ** 3     # bytes unpacked from one archive
ZIP_MAX_RATIO = 200               # unpacked / packed, per entry and overall
ZIP_MAX_ENTRIES = 10_000

_SAFE_PART = re.compile(r"[^A-Za-z0-9_-]+")


class IntegrityError(DownloadError):
    """A downloaded file is not what it claims to be (wrong format, unsafe, cut short).

    ``permanent`` (the convention every BridgeError shares): the same bytes
    come back if we ask again, so the job fails at once instead of being
    downloaded again and again. Only a file cut short can be cured by
    fetching it again; that one is raised with ``permanent=False``.
    """

    permanent = True
    advice = "The result file is unusable; downloading it again would give the same bytes."

    def __init__(self, message: str = "", *, permanent: bool = True, advice: str | None = None):
        super().__init__(message, advice=advice)
        self.permanent = permanent
        if not permanent:
            self.advice = "It will be downloaded again."


def kind_part(asset_type: str) -> str:
    """The asset type as it appears in a result's name: results are numbered per this, so
    two types that differ only in punctuation ("3D MODEL", "3d.model") never share a name."""
    return _SAFE_PART.sub("_", (asset_type or "file").lower()).strip("_") or "file"


def result_name(job_id: str, asset_type: str, n: int, ext: str) -> str:
    """``<job_id>_<asset_type lower>_<n>.<ext>``, every part made filename-safe."""
    kind = kind_part(asset_type)
    ext = ext.lower() if ext.lower() in KNOWN_EXTS else "bin"
    return f"{_SAFE_PART.sub('_', job_id)}_{kind}_{int(n)}.{ext}"


def sniff_ext(path: Path) -> str | None:
    """Extension for the file's content, from its first bytes; None if unrecognised."""
    with open(path, "rb") as fh:
        head = fh.read(16)
    if head.startswith(b"glTF"):
        return "glb"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "zip"
    image = sniff_image_type(head)
    if image:
        return "jpg" if image == "jpeg" else image
    return None


def check_glb(path: Path) -> None:
    """Magic ``glTF``, version 2, declared length == file length, JSON chunk parses."""
    size = path.stat().st_size
    with open(path, "rb") as fh:
        header = fh.read(20)
        if len(header) < 20:
            raise IntegrityError(f"{path.name} is too short to be a GLB file ({size} bytes).")
        magic, version, length, chunk_len, chunk_type = struct.unpack("<4sIIII", header)
        if magic != b"glTF":
            raise IntegrityError(f"{path.name} is not a GLB file (no glTF magic).")
        if version != 2:
            raise IntegrityError(f"{path.name} is GLB version {version}; only version 2 is supported.")
        if length != size:
            # A transfer cut short without the server saying how long it was: try again.
            raise IntegrityError(f"{path.name} declares {length} bytes but has {size}: "
                                 "the download is incomplete or corrupt.",
                                 permanent=length < size)
        if chunk_type != 0x4E4F534A or 20 + chunk_len > size:  # b"JSON" little-endian
            raise IntegrityError(f"{path.name} has no valid JSON chunk.")
        raw = fh.read(chunk_len)
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise IntegrityError(f"{path.name}'s JSON chunk does not parse.") from None
    if not isinstance(doc, dict) or "asset" not in doc:
        raise IntegrityError(f"{path.name}'s JSON chunk is not a glTF document.")


def check_image(path: Path) -> None:
    with open(path, "rb") as fh:
        if sniff_image_type(fh.read(16)) is None:
            raise IntegrityError(f"{path.name} is not a PNG, JPEG or WebP image.")


def check_file(path: Path, asset_type: str = "") -> None:
    """Check a downloaded file by its extension (and asset type); raises IntegrityError."""
    if not path.is_file() or path.stat().st_size == 0:
        raise IntegrityError(f"{path.name} is empty.")
    ext = path.suffix.lower().lstrip(".")
    if ext == "glb":
        check_glb(path)
    elif ext in ("png", "jpg", "jpeg", "webp") or asset_type in IMAGE_ASSET_TYPES:
        check_image(path)
    elif ext == "zip":
        check_zip(path)


def _is_unsafe_member(name: str) -> bool:
    if not name or "\x00" in name or "\\" in name:
        return True
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return True
    return any(part == ".." for part in PurePosixPath(name).parts)


def check_zip(path: Path, max_total: int = ZIP_MAX_TOTAL, max_ratio: float = ZIP_MAX_RATIO
              ) -> list[zipfile.ZipInfo]:
    """The archive's entries if every one is safe to unpack; raises IntegrityError otherwise."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise IntegrityError(f"{path.name} is not a readable ZIP archive ({exc}).") from None
    if len(infos) > ZIP_MAX_ENTRIES:
        raise IntegrityError(f"{path.name} has {len(infos)} entries; the limit is {ZIP_MAX_ENTRIES}.")
    total = packed = 0
    for info in infos:
        if _is_unsafe_member(info.filename):
            raise IntegrityError(f"{path.name} contains an unsafe path: {info.filename!r}.")
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise IntegrityError(f"{path.name} contains a symbolic link: {info.filename!r}.")
        if info.file_size > max(1, info.compress_size) * max_ratio and info.file_size > 1024 ** 2:
            raise IntegrityError(f"{path.name}: {info.filename!r} expands {info.file_size} bytes "
                                 "from far fewer; refusing a possible zip bomb.")
        total += info.file_size
        packed += info.compress_size
    if total > max_total:
        raise IntegrityError(f"{path.name} would unpack to {total} bytes; the cap is {max_total}.")
    if total > max(1, packed) * max_ratio and total > 1024 ** 2:
        raise IntegrityError(f"{path.name} expands too much for its size; refusing a possible zip bomb.")
    return infos


def extract_zip(path: Path, dest: Path | None = None, max_total: int = ZIP_MAX_TOTAL,
                max_ratio: float = ZIP_MAX_RATIO) -> list[Path]:
    """Unpack ``path`` into ``dest`` (default: a folder named after it, next to it).

    Entries are checked first, sizes are enforced again while streaming
    (headers can lie), and the folder appears only when complete.
    """
    infos = check_zip(path, max_total, max_ratio)
    dest = Path(dest) if dest is not None else path.with_suffix("")
    tmp = dest.with_name(dest.name + ".extracting")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    written = 0
    out: list[Path] = []
    try:
        with zipfile.ZipFile(path) as zf:
            for info in infos:
                target = tmp.joinpath(*PurePosixPath(info.filename).parts)
                if not str(target.resolve()).startswith(str(tmp.resolve()) + os.sep):
                    raise IntegrityError(f"{path.name}: {info.filename!r} escapes its folder.")
                if info.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as src, open(target, "wb") as dst:
                    while True:
                        chunk = src.read(256 * 1024)
                        if not chunk:
                            break
                        written += len(chunk)
                        if written > max_total:
                            raise IntegrityError(f"{path.name} unpacks past the {max_total}-byte cap.")
                        dst.write(chunk)
                out.append(dest.joinpath(*PurePosixPath(info.filename).parts))
    except (zipfile.BadZipFile, OSError) as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise IntegrityError(f"{path.name} could not be unpacked ({exc}).") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    shutil.rmtree(dest, ignore_errors=True)
    os.replace(tmp, dest)
    return out


def remove_partials(out_dir: Path, job_id: str) -> list[Path]:
    """Delete a job's unfinished downloads and unpackings (``.part`` files, ``.extracting`` folders).

    Called when a download has failed for good, so a full disk does not stay
    full after the job ended; finished result files are kept.
    """
    removed: list[Path] = []
    prefix = _SAFE_PART.sub("_", job_id) + "_"
    try:
        entries = list(Path(out_dir).iterdir())
    except OSError:
        return removed
    for entry in entries:
        if not entry.name.startswith(prefix):
            continue
        try:
            if entry.name.endswith(".part") and entry.is_file():
                entry.unlink()
            elif entry.name.endswith(".extracting") and entry.is_dir():
                shutil.rmtree(entry)
            else:
                continue
        except OSError:
            continue
        removed.append(entry)
    return removed


#: Room a result needs inside its folder: ``<job id>_<asset type>_<n>.<ext>``, a zip's
#: folder beside it and the member names within.
RESULT_NAME_ROOM = 200


def _check_path_room(folder: Path) -> None:
    """Refuse a folder whose path leaves no room for the results' names (after paying,
    every write would fail)."""
    path_max, name_max = 4096, 255
    try:
        anchor = Path(folder.anchor or ".")
        path_max = os.pathconf(anchor, "PC_PATH_MAX")
        name_max = os.pathconf(anchor, "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):   # no pathconf (Windows): the usual limits
        pass
    size = len(os.fsencode(str(folder)))
    if size + RESULT_NAME_ROOM > path_max:
        raise ValidationError(
            f"The output folder's path is {size:,} bytes long; with the results' names it would "
            f"pass the system's limit of {path_max:,}.",
            advice=f"Choose a folder whose path is under {path_max - RESULT_NAME_ROOM:,} bytes.")
    long = next((p for p in folder.parts if len(os.fsencode(p)) > name_max), None)
    if long is not None:
        raise ValidationError(f"The output folder has a name of {len(os.fsencode(long)):,} bytes "
                              f"({long[:40]}…); the system allows {name_max} per name.",
                              advice="Choose a shorter folder name.")


def check_output_dir(folder: Path) -> None:
    """Refuse, before anything is paid, a results folder that cannot be created or written.

    Nothing is created: the nearest existing folder on the way is checked
    (a file where a folder should be, or a folder we cannot write in).
    """
    folder = Path(folder)
    _check_path_room(folder)
    probe = folder
    while not probe.exists():
        if probe.parent == probe:
            break
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        what = "is a file" if probe == folder else f"cannot be created: {probe} is a file"
        raise ValidationError(f"The output folder {folder} {what}.",
                              advice="Choose a folder (or a name that does not exist yet).")
    try:
        with tempfile.TemporaryFile(dir=probe):
            pass
    except OSError as exc:
        where = folder if probe == folder else probe
        raise ValidationError(f"The output folder {folder} cannot be written: {where} refuses "
                              f"new files ({exc.strerror or exc}).",
                              advice="Choose a folder you can write to.") from None
