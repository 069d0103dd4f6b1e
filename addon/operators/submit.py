"""What every "send a job" operator shares: checks, confirmation, hand-off.

An operator builds a request (``build_request``), and this mixin checks that
Blender may go online and a key is set, asks for confirmation above the
credit threshold, hands the request to the engine and returns at once.
Anything wrong is reported with ``self.report`` and nothing is sent.
"""

import dataclasses

from ...bridge import errors
from .. import preferences
from ..blenderio import uploads
from ..jobs import meshtools, online, origin, presubmit, pump, session
from ..preferences import require_credential


@dataclasses.dataclass
class Prepared:
    request: object
    label: str
    model: str
    meta: dict
    pending: list = dataclasses.field(default_factory=list)   # files the helper still makes


def credit_text(request) -> str:
    try:
        return str(request.credits())
    except (errors.BridgeError, NotImplementedError, ValueError, TypeError):
        return "? credits"


def _short_cost(request) -> str:
    try:
        return str(dataclasses.replace(request.credits(), note=""))
    except (errors.BridgeError, NotImplementedError, ValueError, TypeError):
        return "? credits"


def credit_high(request) -> int:
    try:
        return int(request.credits().high)
    except (errors.BridgeError, NotImplementedError, ValueError, TypeError):
        return 0


def needs_confirmation(prefs, request) -> bool:
    """True when the estimate's upper end is above the user's "confirm above" amount."""
    return prefs is not None and credit_high(request) > prefs.confirm_credits


NO_MESH = "Select a mesh object first: this works on the active mesh."
WRONG_MODE = "Switch to Object Mode first (Tab): the mesh is exported as it is in Object Mode."


def mesh_problem(context) -> str:
    """Why the active object cannot be sent as a mesh ('' when it can)."""
    active = getattr(context, "active_object", None)
    if active is None or active.type != "MESH":
        return NO_MESH
    if context.mode != "OBJECT":
        return WRONG_MODE
    return ""


def ask(op, context, event, title: str, message: str, confirm_text: str, icon: str = "NONE"):
    """Blender's confirm dialog for *op* (its execute() runs on OK), saying *message*.

    No fallback on a TypeError: one hid a bad icon name behind Blender's bare
    dialog, which in a menu ran the operator without showing the question.
    (The add-on needs Blender 4.2, where every argument here exists.)
    """
    return context.window_manager.invoke_confirm(op, event, title=title, message=message,
                                                 confirm_text=confirm_text, icon=icon)


def submit_problem(context, providers=("3daistudio",), needs_mesh: bool = False) -> str:
    """Why a submit button is greyed out ('' when it may be pressed).

    Only what ``execute`` would refuse whatever a script passes: online access
    off, no credential for any service the operator can send to, and for mesh
    operators (which always work on the active object) no mesh or the wrong mode.
    """
    if not online.network_allowed():
        return online.offline_message()
    if not any(preferences.has_credential(context, p) for p in providers):
        return preferences.missing_credential_message(providers[0])
    return mesh_problem(context) if needs_mesh else ""


class SubmitMixin:
    """Mixed into operators that define ``prepare(self, context) -> Prepared``."""

    #: Services the operator can send to (the request decides which at execute).
    PROVIDERS = ("3daistudio",)
    #: The operator sends the active mesh, so it needs one, in Object Mode.
    NEEDS_MESH = False

    @classmethod
    def poll(cls, context):
        problem = submit_problem(context, cls.PROVIDERS, cls.NEEDS_MESH)
        if problem:
            cls.poll_message_set(problem)
            return False
        return True

    def prepare(self, context) -> Prepared:
        raise NotImplementedError

    def _check_key(self, context, provider: str) -> bool:
        settings = session.refresh_settings(context)
        try:
            require_credential(settings, provider)
        except errors.ConfigError as exc:
            self.report({"ERROR"}, str(exc))
            return False
        return True

    def _prepare_or_report(self, context) -> Prepared | None:
        try:
            # Slow file writes (an unsaved picture, a mesh export) become helper
            # steps; the job is submitted once they are done (presubmit.py).
            with uploads.deferred() as pending:
                prepared = self.prepare(context)
            prepared.pending = pending
            # The result comes back into this file, and only this one (origin.py).
            for part in [prepared, *getattr(prepared.request, "parts", ())]:
                origin.stamp(part.meta)
            if pending:
                presubmit.validate_with_standins(prepared.request, pending)
            else:
                prepared.request.validate()
        except errors.BridgeError as exc:
            self.report({"ERROR"}, str(exc))
            return None
        return prepared

    def _prepared_online(self, context) -> Prepared | None:
        """The job checked and ready to send (None, said, when offline or invalid); kept for
        the execute() that runs next on this instance, so no picture is saved twice."""
        if not online.network_allowed():
            self.report({"ERROR"}, online.offline_message())
            return None
        self._prepared = self._prepare_or_report(context)
        return self._prepared

    def invoke(self, context, event):
        prepared = self._prepared_online(context)
        if prepared is None:
            return {"CANCELLED"}
        if needs_confirmation(preferences.get_prefs(context), prepared.request):
            return ask(self, context, event, "Spend credits?",
                       f"Submit {prepared.label}? Estimated {credit_text(prepared.request)}.",
                       "Submit")
        return self.execute(context)

    def execute(self, context):
        if not online.network_allowed():
            self.report({"ERROR"}, online.offline_message())
            return {"CANCELLED"}
        prepared = getattr(self, "_prepared", None) or self._prepare_or_report(context)
        self._prepared = None
        if prepared is None:
            return {"CANCELLED"}
        request = prepared.request
        if not self._check_key(context, request.PROVIDER):
            return {"CANCELLED"}
        folder = preferences.download_folder(preferences.get_prefs(context))
        session.apply_changed_credentials()
        if prepared.pending:
            # Handed over later, still by this guard, once the helper has written the files
            # (through the class: the operator instance is gone by then).
            submit = type(self).submit_prepared
            presubmit.submit_when_ready(prepared, prepared.pending,
                                        lambda: submit(session.engine(), prepared, folder),
                                        credit_text(request))
            self.report({"INFO"}, f"Preparing {prepared.label} ({credit_text(request)}); it is "
                                  "submitted when its files are written.")
            pump.sync_rows(context)
            return {"FINISHED"}
        try:
            self.hand_over(session.engine(), prepared, folder)
        except errors.BridgeError as exc:
            self.report({"ERROR"}, str(exc))
            return {"CANCELLED"}
        pump.sync_rows(context)
        return {"FINISHED"}

    def hand_over(self, engine, prepared: Prepared, folder) -> None:
        """Give the checked, confirmed request to the engine and say so."""
        job_id = self.submit_prepared(engine, prepared, folder)
        # Nothing has left yet: the engine sends it in the background (and may not,
        # offline or out of credits); the job list says when it was sent.
        self.report({"INFO"}, f"Queued {prepared.label} · {_short_cost(prepared.request)} once "
                              f"sent; job {job_id}.")

    @staticmethod
    def submit_prepared(engine, prepared: Prepared, folder) -> str:
        """The one place a checked request reaches the engine; shows it in the job list.

        A chain (``meshtools.ChainRequest``) is journaled whole, every step at
        once; the job list shows it as one job, named by its last step's id.
        """
        request = prepared.request
        meta = dict(prepared.meta, model=prepared.model, name=prepared.label)
        if isinstance(request, meshtools.ChainRequest):
            job_ids = engine.submit_chain(request.steps, output_dir=str(folder),
                                          label=prepared.label, meta=meta)
            session.track_chain(job_ids)
            return job_ids[-1]
        # Files are named after their job id, so one folder holds every job's results.
        job_id = engine.submit(request, output_dir=str(folder), label=prepared.label, meta=meta)
        session.track(job_id, prepared.label, prepared.model, request.KIND, credit_text(request), meta)
        return job_id
