"""Small drawing pieces the sidebar panels share."""


from ...bridge import errors

# Credits never depend on the picture itself, so estimates use a stand-in name.
PLACEHOLDER_IMAGE = "picture.png"


def cost_suffix(build) -> str:
    """`` (N credits)`` for the request ``build()`` makes, or '' if it cannot be priced yet."""
    try:
        return f" ({build().credits()})"
    except (errors.BridgeError, NotImplementedError, TypeError, ValueError):
        return ""


def draw_picture_source(box, settings) -> None:
    """The file / image / render choice of the source picture."""
    box.prop(settings, "source", expand=True)
    if settings.source == "FILE":
        box.prop(settings.picture, "filepath", text="")
    elif settings.source == "IMAGE":
        box.template_ID(settings.picture, "image", open="image.open")
