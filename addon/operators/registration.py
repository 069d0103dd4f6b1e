"""What of ``operators/`` Blender registers, in order (read by the add-on's ``register()``)."""

from . import (
    batch,
    drop,
    generate,
    import_task,
    jobs,
    library,
    miniature,
    picture_slots,
    pictures,
    prepare,
    tools,
)

classes = (*generate.classes, *pictures.classes, *miniature.classes, *prepare.classes,
           *picture_slots.classes, *tools.classes, *jobs.classes, *import_task.classes,
           *batch.classes, *drop.classes, *library.classes)
