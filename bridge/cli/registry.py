"""The list of subcommand registrars, in the order ``--help`` shows them.

The job engine's ``jobs`` and ``resume`` commands are added by appending
their registrar here.
"""

from __future__ import annotations

from .batch_cmds import register_batch
from .chain_cmds import register_import
from .engine_cmds import register_engine
from .generate_cmds import register_generation
from .image_cmds import register_images
from .mesh_cmds import register_mesh_tools
from .parser import Parser, make_parser
from .task_cmds import register_tasks
from .tool_cmds import register_tools

REGISTRARS = [
    register_tasks,        # balance, status, download
    register_generation,   # tencent-*, trellis, tripo*, miniature, image3d
    register_images,       # image-gemini*, image-seedream
    register_tools,        # convert, render, repair, optimize, tencent-topology, ...
    register_mesh_tools,   # retexture, retopology, bake-texture (chains from local files)
    register_engine,       # jobs, resume (the journal)
    register_import,       # import-task (a task submitted elsewhere)
    register_batch,        # batch (many pictures/prompts, one flow)
]


def build_parser() -> Parser:
    """The whole command line's parser."""
    return make_parser(REGISTRARS)
