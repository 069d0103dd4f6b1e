"""Local picture steps, no credits: accept a prepared result into a slot, grey background.

``prepare_accept`` puts a finished preparation's picture into the source
picture or a multi-view slot; ``composite_grey`` flattens a picture with
transparency onto #BEBEBE (in the helper Blender, as a local job) and makes
it the source picture.
"""

from pathlib import Path

import bpy
from bpy.props import EnumProperty, StringProperty

from ...bridge import errors
from ...bridge.imagefile import PICTURE_EXTS
from .. import preferences
from ..blenderio import uploads
from ..jobs import localjobs, naming, session
from ..pictures import grey, recipes, slots


def _result_image(view) -> bpy.types.Image | None:
    """The job's picture: its grey version if it has one, else the first result picture."""
    images = [bpy.data.images.get(name) for name in view.image_names]
    images = [i for i in images if i is not None]
    if not images:
        files = [Path(f) for f in view.files if Path(f).suffix.lower() in PICTURE_EXTS
                 and Path(f).name.startswith(view.job_id) and Path(f).is_file()]
        images = [slots.load_image(f) for f in sorted(files)]
    greys = [i for i in images if Path(i.filepath).stem.endswith("_grey")]
    return (greys or images or [None])[0]


def default_slots(meta: dict) -> list[str]:
    """A view recipe fills its own view; anything else becomes the source and the front view."""
    slot = recipes.default_slot(meta.get("recipe", ""))
    return ["SOURCE", "FRONT"] if slot == "SOURCE" else [slot]


class AISTUDIO_OT_prepare_accept(bpy.types.Operator):
    """Use this prepared picture: as the source picture or as one of the four views"""

    bl_idname = "aistudio.prepare_accept"
    bl_label = "Accept"
    bl_options = {"REGISTER", "UNDO"}

    job_id: StringProperty(name="Job")
    slot: EnumProperty(name="Slot", items=slots.SLOTS,
                       description="Unset: a view recipe's own view, else source and front")

    def execute(self, context):
        view = session.STATE.jobs.get(self.job_id)
        if view is None:
            self.report({"ERROR"}, f"No such job: {self.job_id or '(none given)'}.")
            return {"CANCELLED"}
        if view.state != "DONE":
            self.report({"ERROR"}, f"{view.label or self.job_id} has not finished yet "
                                   f"({view.state.lower()}); accept it when its picture is shown.")
            return {"CANCELLED"}
        image = _result_image(view)
        if image is None:
            self.report({"ERROR"}, f"{view.label or self.job_id} brought back no picture; "
                                   "use Redo to try again.")
            return {"CANCELLED"}
        targets = [self.slot] if self.properties.is_property_set("slot") else default_slots(view.meta)
        for slot in targets:
            slots.fill(context.scene, slot, image)
        self.report({"INFO"}, f"{image.name} is now {slots.describe(targets)}.")
        return {"FINISHED"}


class AISTUDIO_OT_composite_grey(bpy.types.Operator):
    """Put a picture with transparency on flat studio grey (#BEBEBE), locally and free"""

    bl_idname = "aistudio.composite_grey"
    bl_label = "Grey Background"
    bl_options = {"REGISTER"}

    filepath: StringProperty(name="File", subtype="FILE_PATH")
    image: StringProperty(name="Image", description="Name of an image datablock")

    def execute(self, context):
        settings = context.scene.aistudio
        scripted = bool(self.filepath or self.image)
        try:
            # The helper Blender does the pixel work; this returns at once.
            use_render = not scripted and settings.source == "RENDER"
            with uploads.deferred() as pending:
                path = uploads.resolve(self.filepath, self.image, use_render,
                                           fallback=None if scripted else settings.picture)
            name = naming.picture(self.filepath, self.image, use_render,
                                  None if scripted else settings.picture, context.scene)
            dest = grey.grey_dest(path, preferences.user_folder("prepared"))
        except errors.BridgeError as exc:
            self.report({"ERROR"}, str(exc))
            return {"CANCELLED"}
        except OSError as exc:
            self.report({"ERROR"}, f"The grey picture could not be written: {exc.strerror or exc}. "
                                   "Check that the add-on's user folder is writable.")
            return {"CANCELLED"}
        label = f"{naming.words(name, 'Picture', chars=40)} on grey"
        job_id = localjobs.new_job_id()
        localjobs.track(job_id, label, {"source": "grey", "picture": path})

        def finish(_results) -> str:
            image = grey.load_grey(dest, name=label)
            slots.fill(bpy.context.scene, "SOURCE", image)
            return f"{image.name} (on #BEBEBE grey) is now the source picture."

        def fallback() -> str:
            for item in pending:
                item.run_in_process()
            grey.composite_in_process(path, dest)
            return finish(None)

        steps = [p.step for p in pending] + [grey.grey_step(path, dest, optional=False)]
        localjobs.start(localjobs.Work(job_id, label, steps, finish, fallback, stage="Compositing"))
        self.report({"INFO"}, f"Putting {name or Path(path).name} on grey; it becomes the source picture "
                              "when done.")
        return {"FINISHED"}


classes = (AISTUDIO_OT_prepare_accept, AISTUDIO_OT_composite_grey)
