"""What each print step would cost in the cloud, next to the free local one.

Prices come from the bridge's request types (their ``credits()``), the one
place the contract's price table lives; nothing here needs bpy.
"""

from __future__ import annotations

from ...bridge.api import tools

#: step id → (label, the cloud request that does the same, or None when local only)
STEPS = {
    "check": ("Print check", lambda: tools.VolumeRequest(model_file="model.stl")),
    "repair": ("Make manifold", lambda: tools.RepairRequest(model_file="model.stl")),
    "hollow": ("Hollow", lambda: tools.RepairRequest(model_file="model.stl", hollow=True)),
    "scale": ("Scale & STL", lambda: tools.ConvertRequest(model_file="model.glb",
                                                          output_format="stl", unit="mm")),
    "decimate": ("Decimate", lambda: tools.OptimizeRequest(model_file="model.glb")),
    "views": ("Multi-view", lambda: tools.RenderRequest(model_file="model.glb", output_type="image")),
    "clay": ("Clay preview", None),
}
VIEWS_COUNT = 4


def cloud_credits(step: str) -> int | None:
    factory = STEPS[step][1]
    if factory is None:
        return None
    credits = factory().credits()
    return credits.high * (VIEWS_COUNT if step == "views" else 1)


def cost_line(step: str) -> str:
    """e.g. ``Local: free · Cloud: 60 cr`` (``90 with hollow`` for the repair step)."""
    cloud = cloud_credits(step)
    if cloud is None:
        return "Local: free · no cloud tool"
    if step == "repair":
        return f"Local: free · Cloud repair: {cloud} cr / {cloud_credits('hollow')} with hollow"
    if step == "views":
        return f"Local: free · Cloud render: {cloud} cr ({VIEWS_COUNT} images)"
    return f"Local: free · Cloud: {cloud} cr"
