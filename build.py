"""Build the extension zip: addon/ + bridge/ + blender_manifest.toml, with Blender's own builder.

The repository root is the extension's package: its ``__init__.py`` is the
entry point Blender imports, with ``addon/`` and ``bridge/`` as sibling
subpackages (``python -m bridge`` still runs the CLI from the root). We stage
a temporary directory with that ``__init__.py``, the manifest and the two
packages (without the emulator, tests and caches), and hand it to Blender's
extension builder, then to its validator.

    python build.py                       # blender_ext.py from the bpy wheel in this venv
    python build.py --blender /path/to/blender   # `blender --command extension build`
    python build.py --repo DIR            # the zip + a static extension repository in DIR

``--repo`` writes the zip into DIR and generates the repository index
(``index.json``, plus ``index.html`` for browsing) with Blender's own
``server-generate``. Host DIR on any static web server (or use it as a
``file://`` URL) and add it in Blender under Preferences › Get Extensions ›
Repositories; Blender then offers updates whenever a newer zip is published.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent
MANIFEST = ROOT / "blender_manifest.toml"

# Never shipped: the emulator is a test tool, caches are noise.
_SKIP_DIRS = {"__pycache__", "emulator", "tests"}
_SKIP_SUFFIXES = {".pyc", ".pyo"}


class BuildError(Exception):
    """The extension could not be staged, built or validated."""


def manifest_version(manifest: Path = MANIFEST) -> tuple[str, str]:
    data = tomllib.loads(manifest.read_text(encoding="utf-8"))
    return data["id"], data["version"]


def find_blender_ext() -> Path:
    """The ``blender_ext.py`` CLI shipped inside the bpy wheel of this interpreter."""
    try:
        import importlib.util
        spec = importlib.util.find_spec("bpy")
    except (ImportError, ValueError):
        spec = None
    roots = []
    if spec is not None and spec.submodule_search_locations:
        roots += [Path(p) for p in spec.submodule_search_locations]
    roots += [Path(p) / "bpy" for p in sys.path if p]
    for root in roots:
        if root.is_dir():
            for hit in sorted(root.glob("*/scripts/addons_core/bl_pkg/cli/blender_ext.py")):
                return hit
    raise BuildError("Blender's extension builder (bl_pkg/cli/blender_ext.py) was not found: "
                     "install the bpy wheel in this environment or pass --blender.")


def _copy_package(src: Path, dest: Path) -> None:
    def ignore(directory, names):
        here = Path(directory)
        skipped = []
        for name in names:
            path = here / name
            if path.is_dir() and name in _SKIP_DIRS:
                skipped.append(name)
            elif path.suffix in _SKIP_SUFFIXES:
                skipped.append(name)
        return skipped
    shutil.copytree(src, dest, ignore=ignore)


def stage(dest: Path) -> Path:
    """Lay out the extension's source tree in ``dest`` (which must be empty or absent)."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(ROOT / "__init__.py", dest / "__init__.py")
    shutil.copy2(MANIFEST, dest / "blender_manifest.toml")
    for package in ("addon", "bridge"):
        if not (ROOT / package / "__init__.py").is_file():
            raise BuildError(f"{package}/__init__.py is missing; nothing to package.")
        _copy_package(ROOT / package, dest / package)
    return dest


def _run(cmd: list[str]) -> str:
    proc = subprocess.run(cmd, capture_output=True, text=True)
    output = (proc.stdout + proc.stderr).strip()
    if proc.returncode != 0:
        raise BuildError(f"{' '.join(cmd[:3])} … failed ({proc.returncode}):\n{output}")
    return output


def _prefix(blender: str | None) -> list[str]:
    """How to call Blender's extension tool: the Blender binary, or blender_ext.py."""
    if blender:
        return [blender, "--factory-startup", "--command", "extension"]
    return [sys.executable, str(find_blender_ext())]


def _commands(blender: str | None) -> tuple[list[str], list[str]]:
    """The build and validate command prefixes for Blender's builder."""
    prefix = _prefix(blender)
    return prefix + ["build"], prefix + ["validate"]


def build(output_dir: Path = ROOT / "dist", blender: str | None = None, verbose: bool = False) -> Path:
    """Build and validate the zip; returns its path."""
    ext_id, version = manifest_version()
    output_dir.mkdir(parents=True, exist_ok=True)
    zip_path = output_dir / f"{ext_id}-{version}.zip"
    if zip_path.exists():
        zip_path.unlink()
    build_cmd, validate_cmd = _commands(blender)
    with tempfile.TemporaryDirectory(prefix="aistudio-build-") as tmp:
        source = stage(Path(tmp) / ext_id)
        out = _run(build_cmd + ["--source-dir", str(source), "--output-filepath", str(zip_path)])
        if verbose:
            print(out)
    out = _run(validate_cmd + [str(zip_path)])
    if verbose:
        print(out)
    return zip_path


def build_repository(repo_dir: Path, blender: str | None = None, verbose: bool = False) -> Path:
    """Build the zip into ``repo_dir`` and (re)generate its index; returns index.json's path."""
    repo_dir = Path(repo_dir).resolve()
    zip_path = build(repo_dir, blender, verbose)
    out = _run(_prefix(blender) + ["server-generate", "--repo-dir", str(repo_dir), "--html"])
    if verbose:
        print(out)
    index = repo_dir / "index.json"
    check_index(index, zip_path)
    return index


def check_index(index: Path, zip_path: Path) -> dict:
    """The generated index lists this zip with the right id, version, size and hash."""
    import hashlib
    import json
    try:
        data = json.loads(index.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BuildError(f"the repository index {index} could not be read: {exc}") from None
    ext_id, version = manifest_version()
    entries = [e for e in data.get("data", []) if e.get("id") == ext_id and e.get("version") == version]
    if not entries:
        raise BuildError(f"{index} does not list {ext_id} {version}")
    entry = entries[0]
    digest = "sha256:" + hashlib.sha256(zip_path.read_bytes()).hexdigest()
    if entry.get("archive_hash") != digest or entry.get("archive_size") != zip_path.stat().st_size:
        raise BuildError(f"{index} does not match {zip_path.name} (hash or size)")
    if Path(entry.get("archive_url", "")).name != zip_path.name:
        raise BuildError(f"{index} points at {entry.get('archive_url')!r}, not {zip_path.name}")
    return entry


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blender", help="a Blender binary; default: the builder in the bpy wheel")
    parser.add_argument("--output-dir", type=Path, default=ROOT / "dist")
    parser.add_argument("--repo", type=Path, metavar="DIR",
                        help="also publish: the zip and a static extension repository index in DIR")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    try:
        if args.repo:
            path = build_repository(args.repo, args.blender, args.verbose)
        else:
            path = build(args.output_dir, args.blender, args.verbose)
    except BuildError as exc:
        print(f"build failed: {exc}", file=sys.stderr)
        return 1
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
