"""retexture, retopology and bake-texture: the address-only tools, from any mesh.

Given local model files the commands run the chains of
:mod:`bridge.api.mesh_chains` (a convert uploads each file once; its address
feeds the tool). The tools' own address flags (``--file-url``,
``--original-url``/``--retopo-url``) send the tool alone, exactly as before;
``--model-url`` converts first only when the address is in a format the tool
cannot read.
"""

from __future__ import annotations

from ..api.mesh_chains import ModelSource, bake_steps, retexture_steps, retopology_steps
from ..api.tencent import POLYGON_TYPES
from ..api.tools import OUTPUT_FORMATS
from ..errors import ValidationError
from .chain_cmds import add_chain_command
from .sources import one_image

FORMATS = ", ".join(OUTPUT_FORMATS)
EPILOG = """\
examples:
  python -m bridge {name} --model-file chair.glb {options} --wait --output-dir out/
  python -m bridge {name} --model-file chair.glb {options} --dry-run   # each step, the total

A local file is uploaded once by a convert (10 credits) whose address feeds the tool;
only the last step's result is downloaded. `python -m bridge resume --wait` finishes
a chain a crash or Ctrl-C stopped, never paying twice for a step that was sent.
"""


def _source(a, what: str) -> ModelSource:
    given = [flag for flag, value in (("--model-file", a.model_file), ("--model-url", a.model_url),
                                      ("--file-url", a.file_url)) if value]
    if len(given) != 1:
        raise ValidationError(f"Give {what} with one of --model-file, --model-url or --file-url"
                              + (f"; got {' and '.join(given)}." if given else "."))
    if a.file_url:
        return ModelSource(url=a.file_url, as_is=True)
    return ModelSource(file=a.model_file, url=a.model_url)


def _model_flags(p, tool_reads: str) -> None:
    p.add_argument("--model-file", metavar="PATH",
                   help="local GLB/glTF/OBJ/STL/PLY/FBX/ZIP model: uploaded once by a convert "
                        "(10 credits) whose address the tool reads")
    p.add_argument("--model-url", metavar="URL",
                   help=f"address of a model: used as it is when it is {tool_reads}, else "
                        "converted first (10 credits, nothing uploaded)")
    p.add_argument("--file-url", metavar="URL",
                   help=f"address of a {tool_reads} model, sent to the tool alone (as before)")


def _retexture(a):
    return retexture_steps(_source(a, "the model to retexture"), prompt=a.prompt,
                           image=one_image(a.image, "retexture"), enable_pbr=a.enable_pbr)


def _retopology(a):
    source = _source(a, "the model to retopologize")
    if a.file_type and not a.file_url:
        raise ValidationError("--file-type goes with --file-url; a converted copy is GLB.")
    if a.file_url:
        steps = retopology_steps(source, a.polygon_type, a.face_level, a.output_format)
        steps[0].request.file_type = a.file_type   # as given, like tencent-topology
        return steps
    return retopology_steps(source, a.polygon_type, a.face_level, a.output_format)


def _side(file: str | None, url: str | None, role: str, file_flag: str, url_flag: str):
    if bool(file) == bool(url):
        raise ValidationError(f"Give the {role} with {file_flag} or {url_flag}, one of the two.")
    return ModelSource(file=file, url=url, role=role, as_is=bool(url))


def _bake(a):
    high = _side(a.high_poly_file, a.original_url, "high-poly", "--high-poly-file",
                 "--high-poly-url")
    low = _side(a.low_poly_file, a.retopo_url, "low-poly", "--low-poly-file", "--low-poly-url")
    return bake_steps(high, low, texture_resolution=a.texture_resolution,
                      output_format=a.output_format)


def register_mesh_tools(sub) -> None:
    p = add_chain_command(sub, "retexture", "Retexture any mesh from a prompt or picture "
                          "(80 credits; +10 to upload a local file)", _retexture,
                          epilog=EPILOG.format(name="retexture", options='--prompt "red paint"'))
    _model_flags(p, "an FBX")
    p.add_argument("--prompt", help="describe the new look")
    p.add_argument("--image", action="append", metavar="PICTURE", help="reference picture")
    p.add_argument("--enable-pbr", action="store_true", default=None, help="PBR materials")

    p = add_chain_command(sub, "retopology", "Retopologize any mesh (100 credits; +10 to upload "
                          "a local file)", _retopology,
                          epilog=EPILOG.format(name="retopology", options="--face-level low"))
    _model_flags(p, "a GLB or OBJ")
    p.add_argument("--file-type", help="GLB or OBJ (with --file-url)")
    p.add_argument("--polygon-type", help=" or ".join(POLYGON_TYPES))
    p.add_argument("--face-level", help="high, medium or low: how many faces are kept")
    p.add_argument("--output-format", metavar="FMT", help="format of the result")

    p = add_chain_command(sub, "bake-texture", "Bake a high-poly model's texture onto its "
                          "low-poly version (5 credits; +10 per local file uploaded)", _bake,
                          epilog=EPILOG.format(name="bake-texture",
                                               options="--high-poly-file high.glb "
                                                       "--low-poly-file low.glb").replace(
                              " --model-file chair.glb", ""))
    p.add_argument("--high-poly-file", metavar="PATH",
                   help="local textured high-poly model (uploaded by a convert, 10 credits)")
    p.add_argument("--high-poly-url", "--original-url", dest="original_url", metavar="URL",
                   help="textured high-poly GLB/glTF (sent as original_url)")
    p.add_argument("--low-poly-file", metavar="PATH",
                   help="local low-poly model (uploaded by a convert, 10 credits)")
    p.add_argument("--low-poly-url", "--retopo-url", dest="retopo_url", metavar="URL",
                   help="low-poly GLB/glTF/OBJ/FBX (sent as retopo_url)")
    p.add_argument("--texture-resolution", type=int, metavar="PX", help="texture size, up to 8192")
    p.add_argument("--output-format", metavar="FMT", help=FORMATS)
