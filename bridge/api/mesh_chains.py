"""Retexture, retopologize and bake any mesh: the chains the CLI and the add-on run.

Texture edit, topology and bake take model *addresses* only. A mesh that
has one in the right format (a result URL still fresh) is sent as it is; any
other gets one ``convert`` first — of its local file (uploaded once,
"copy on the service") or of its address into the format the tool needs —
whose result address the tool then reads. Converts are never downloaded:
only the last step's files are wanted.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from ..errors import ValidationError
from .chains import ChainStep
from .checks import check_model_file, check_url, url_extension
from .tencent import TencentTextureEditRequest, TencentTopologyRequest
from .tools import BakeTextureRequest, ConvertRequest

#: The formats each tool reads from an address (the contract's lists).
TEXTURE_EDIT_FORMATS = ("fbx",)
TOPOLOGY_FORMATS = ("glb", "obj")
BAKE_HIGH_FORMATS = ("glb", "gltf")
BAKE_LOW_FORMATS = ("glb", "gltf", "obj", "fbx")


@dataclasses.dataclass(frozen=True)
class ModelSource:
    """Where a mesh is: a local file (uploaded by a convert) or an address on the service."""

    file: str | None = None
    url: str | None = None
    #: Shown in step labels: "copy of the high-poly on the service".
    role: str = ""
    #: Send the address as it is, whatever its extension says (the tools' own URL flags).
    as_is: bool = False
    #: The file is still being written (the add-on's helper Blender exports it): its
    #: checks come when it exists (``check_chain`` with a stand-in, then the engine).
    pending: bool = False

    def check(self, what: str) -> None:
        if bool(self.file) == bool(self.url):
            raise ValidationError(f"Give {what} as a local model file or as an address (URL), "
                                  "one of the two.")
        if self.file:
            if not self.pending:
                check_model_file(self.file)
        else:
            check_url(self.url, what, required=True)

    def needs_convert(self, formats: tuple[str, ...]) -> bool:
        """True unless the address is already in one of ``formats``.

        An address without an extension (a pre-signed link) is taken as it is:
        the service tells if it cannot read it, and refunds the job.
        """
        if self.file:
            return True
        if self.as_is:
            return False
        ext = url_extension(self.url or "")
        return bool(ext) and ext not in formats


def _copy_step(source: ModelSource, fmt: str) -> ChainStep:
    """One convert that gives ``source`` an address in ``fmt`` (10 credits, not downloaded)."""
    of = f" of the {source.role}" if source.role else ""
    if source.file:
        request = ConvertRequest(model_file=str(Path(source.file).expanduser()), output_format=fmt)
        label = f"copy{of} on the service"
    else:
        request = ConvertRequest(model_url=source.url, output_format=fmt)
        label = f"{fmt.upper()} copy{of}"
    return ChainStep(request, label=label, download=False)


def retexture_steps(source: ModelSource, prompt: str | None = None, image: str | None = None,
                    enable_pbr: bool | None = None) -> list[ChainStep]:
    """Texture edit of any mesh: [convert to FBX] → texture edit (80 credits)."""
    source.check("the model to retexture")
    edit = TencentTextureEditRequest(file_url=source.url or "", prompt=prompt, image=image,
                                     enable_pbr=enable_pbr)
    if not source.needs_convert(TEXTURE_EDIT_FORMATS):
        return [ChainStep(edit, label="retexture")]
    return [_copy_step(source, "fbx"), ChainStep(edit, label="retexture", inputs={"file_url": 0})]


def retopology_steps(source: ModelSource, polygon_type: str | None = None,
                     face_level: str | None = None,
                     output_format: str | None = None) -> list[ChainStep]:
    """Retopology of any mesh: [convert to GLB] → topology (100 credits)."""
    source.check("the model to retopologize")
    if not source.needs_convert(TOPOLOGY_FORMATS):
        ext = url_extension(source.url or "")
        topology = TencentTopologyRequest(file_url=source.url or "",
                                          file_type=ext.upper() if ext in TOPOLOGY_FORMATS else None,
                                          polygon_type=polygon_type, face_level=face_level,
                                          output_format=output_format)
        return [ChainStep(topology, label="retopology")]
    topology = TencentTopologyRequest(file_type="GLB", polygon_type=polygon_type,
                                      face_level=face_level, output_format=output_format)
    return [_copy_step(source, "glb"),
            ChainStep(topology, label="retopology", inputs={"file_url": 0})]


def bake_steps(high: ModelSource, low: ModelSource, texture_resolution: int | None = None,
               output_format: str | None = None) -> list[ChainStep]:
    """The high-poly's look baked onto the low-poly: [convert(s)] → bake (5 credits)."""
    high = dataclasses.replace(high, role=high.role or "high-poly")
    low = dataclasses.replace(low, role=low.role or "low-poly")
    high.check("the high-poly model")
    low.check("the low-poly model")
    steps: list[ChainStep] = []
    inputs: dict[str, int] = {}
    for field, source, formats in (("original_url", high, BAKE_HIGH_FORMATS),
                                   ("retopo_url", low, BAKE_LOW_FORMATS)):
        if source.needs_convert(formats):
            inputs[field] = len(steps)
            steps.append(_copy_step(source, "glb"))
    bake = BakeTextureRequest(original_url=high.url or "", retopo_url=low.url or "",
                              texture_resolution=texture_resolution, output_format=output_format)
    return [*steps, ChainStep(bake, label="bake", inputs=inputs)]
