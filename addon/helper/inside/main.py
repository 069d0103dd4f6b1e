"""The script a helper Blender runs: read requests on stdin, answer on stdout.

Started by the add-on as ``blender --background --factory-startup --python
inside/main.py -- --root <extension folder> --parent-pid <pid>`` (or, with the bpy
wheel, ``python main.py -- …``). It loads the extension's package from
``--root`` under a private name, without running the add-on's ``register()``
(nothing of the add-on is registered here, no engine, no key), so the task
code can import the print functions and ``bridge.errors`` as the add-on does.

It never outlives Blender: it exits when its stdin closes (the parent is
gone), asks Linux to kill it when its parent dies, and checks the parent's
pid every second elsewhere.
"""

import os
import queue
import sys
import threading
import traceback
import types

PACKAGE = "aistudio_helper_root"


def _arguments(argv: list) -> dict:
    rest = argv[argv.index("--") + 1:] if "--" in argv else argv[1:]
    found = {}
    for flag, value in zip(rest[::2], rest[1::2]):
        found[flag.lstrip("-")] = value
    return found


def _die_with_parent(parent_pid: int) -> None:
    if sys.platform.startswith("linux"):
        try:
            import ctypes
            import signal
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)   # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if parent_pid and os.name != "nt" and os.getppid() != parent_pid:
        os._exit(0)   # the parent went before we could ask

    def watch():
        import time
        while True:
            time.sleep(1.0)
            if os.name != "nt" and os.getppid() != parent_pid:
                os._exit(0)

    if parent_pid:
        threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _load_package(root: str) -> None:
    """Register the extension's packages without running their __init__ files.

    The package and add-on ``__init__`` modules import the operators, panels
    and engine; the helper needs none of that, only plain submodules. Every
    folder of ``addon/`` becomes a bare package, so a new folder needs no
    edit here.
    """
    addon = os.path.join(root, "addon")
    packages = [(PACKAGE, root)]
    for folder, dirs, files in os.walk(addon):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "__")))
        if "__init__.py" in files:
            rel = os.path.relpath(folder, root).replace(os.sep, ".")
            packages.append((f"{PACKAGE}.{rel}", folder))
    for name, path in packages:
        module = types.ModuleType(name)
        module.__path__ = [path]
        module.__package__ = name
        sys.modules[name] = module


def _stdin_reader(requests: queue.Queue) -> None:
    import json
    for raw in sys.stdin.buffer:
        try:
            requests.put(json.loads(raw.decode("utf-8")))
        except ValueError:
            continue
    os._exit(0)   # stdin closed: the add-on is gone or let us go


def main() -> None:
    args = _arguments(sys.argv)
    _die_with_parent(int(args.get("parent-pid") or 0))
    # Answers get a private copy of stdout; Blender's own printing goes to stderr (the log).
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)
    _load_package(args["root"])
    from aistudio_helper_root.addon.helper import protocol
    from aistudio_helper_root.addon.helper.inside import tasks  # noqa: E402  (after the package exists)

    def send(message: dict) -> None:
        message.setdefault("peak_kb", tasks.peak_kb())
        answers.write(protocol.encode(message))
        answers.flush()

    tasks.reset()
    import bpy
    send({"kind": protocol.READY, "pid": os.getpid(), "version": bpy.app.version_string})
    requests: queue.Queue = queue.Queue()
    threading.Thread(target=_stdin_reader, args=(requests,), name="stdin", daemon=True).start()
    while True:
        request = requests.get()
        task_id = request.get("id")

        def progress(percent: int, note: str = "", _id=task_id) -> None:
            send({"id": _id, "kind": protocol.PROGRESS, "progress": int(percent), "note": note})

        try:
            result = tasks.run(request, progress)
        except Exception as exc:  # noqa: BLE001  every failure crosses the boundary, named
            send({"id": task_id, "kind": protocol.ERROR, "error_type": type(exc).__name__,
                  "message": str(exc) or type(exc).__name__, "trace": traceback.format_exc()})
        else:
            send({"id": task_id, "kind": protocol.DONE, "result": result})
        finally:
            tasks.reset()


if __name__ == "__main__":
    main()
