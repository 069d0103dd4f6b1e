"""Pictures with transparency put on the tutorial's studio grey, as image datablocks.

The pixel work is Blender's image I/O plus numpy (``helper/fileio.py``),
done in the helper Blender: any picture Blender reads (PNG 8/16-bit, JPEG,
WebP, EXR) can be flattened, and the main thread only loads the result.
This module names the files, builds the helper steps, and turns results
into datablocks, for the "Grey Background" button and remove-bg results.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from ..jobs.localjobs import PICTURE_DEADLINE_S, Step
from . import fileio, slots


def _safe(stem: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in stem)[:40] or "picture"


def grey_dest(source: str | Path, folder: Path | None = None) -> Path:
    """Where the grey copy of *source* goes: beside it, or in *folder*."""
    source = Path(source)
    name = f"{_safe(source.stem)}_grey.png" if folder is not None else f"{source.stem}_grey.png"
    return (folder or source.parent) / name


def grey_step(source: str | Path, dest: Path, optional: bool = True) -> Step:
    """The helper step writing *source* over #BEBEBE to *dest* (staged into dest's folder).

    *optional*: a picture Blender cannot read is skipped (``{}``), not an error.
    """
    source, folder = Path(source), dest.parent
    staged = source if source.parent == folder else folder / f"{dest.stem}.source{source.suffix}"

    def stage():   # owner thread: the helper reads only inside the job's folder
        if staged != source:
            shutil.copyfile(source, staged)

    def tidy(result):
        if staged != source:
            staged.unlink(missing_ok=True)
        return result

    return Step("over_grey", {"source": str(staged), "dest": str(dest), "optional": optional,
                              "name": source.name}, str(folder),
                before=stage, after=tidy, deadline_s=PICTURE_DEADLINE_S)


def composite_in_process(source: str | Path, dest: Path) -> Path:
    """The fallback: the same compositing on the main thread (temporary datablocks removed)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fileio.over_grey_file(source, dest)
    return dest


def load_grey(dest: Path, job_id: str = "", name: str = ""):
    """The grey picture as a datablock, called *name* (the user's name for it, "… on grey")."""
    image = slots.load_image(dest)
    if name:
        image.name = name
    if job_id:
        image["aistudio_local_job"] = job_id
    return image


def grey_sources(paths) -> list[Path]:
    """The result pictures that get a grey copy (not the grey copies themselves)."""
    return [Path(p) for p in paths if not Path(p).stem.endswith("_grey") and Path(p).is_file()]
