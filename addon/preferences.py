"""Add-on preferences: credentials, service URLs, rate and download folder.

Preferences live in Blender's user preferences, never in a .blend file, so the
API key cannot travel with a scene. Empty fields fall back to the same
environment variables the CLI reads, so one key serves both.
"""

import os
import tempfile
from pathlib import Path

import bpy
from bpy.props import BoolProperty, FloatProperty, IntProperty, StringProperty

from ..bridge import config, errors
from .jobs import online


def _package_root(package: str) -> str:
    """``bl_ext.user_default.ai_studio_bridge`` from ``….ai_studio_bridge.addon``; ``addon`` in tests."""
    root, _, last = package.rpartition(".")
    return root if root and last == "addon" else package


ADDON_ID = _package_root(__package__)
RUNNING_AS_EXTENSION = ADDON_ID.startswith("bl_ext.")


#: What the update callbacks saw change ("settings", "journal"); the pump takes each on
#: its next tick (both run on the main thread).
_changes: set[str] = set()


def _settings_changed(_prefs, _context) -> None:
    """A key, token, URL or rate was typed: the pump hands it to the engine on its next tick
    (main thread), so jobs waiting for a key go on at once, without a new submit."""
    _changes.add("settings")


def _journal_folder_changed(_prefs, _context) -> None:
    """The Job Journal Folder was typed or chosen: the pump follows it (and its settings)."""
    _changes.add("journal")


def take_change(what: str) -> bool:
    """Whether *what* changed since the last call (the pump asks every tick)."""
    found = what in _changes
    _changes.discard(what)
    return found


class AISTUDIO_AddonPreferences(bpy.types.AddonPreferences):
    bl_idname = ADDON_ID

    api_key: StringProperty(
        name="API Key", subtype="PASSWORD", update=_settings_changed,
        description="3D AI Studio API key; when empty, the 3D_AI_STUDIO_API_KEY (or AISTUDIO_API_KEY) environment variable is used")
    api_url: StringProperty(
        name="Service URL", default=config.DEFAULT_API_URL, update=_settings_changed,
        description="3D AI Studio API address; 3D_AI_STUDIO_API_URL overrides the default")
    image3d_token: StringProperty(
        name="image3d.io Token", subtype="PASSWORD", update=_settings_changed,
        description="Bearer token for image3d.io (expires hourly); IMAGE3D_TOKEN when empty")
    image3d_url: StringProperty(
        name="image3d.io URL", default=config.DEFAULT_IMAGE3D_URL, update=_settings_changed,
        description="image3d.io API address; IMAGE3D_API_URL overrides the default")
    rate_limit: IntProperty(
        name="Requests per Minute", default=config.DEFAULT_RATE_LIMIT, min=1, max=600,
        update=_settings_changed,
        description="Your account's request rate; submits and status polls share it. "
                    "Left at the default, AISTUDIO_RATE_LIMIT decides when set")
    poll_interval: FloatProperty(
        name="Progress Every (s)", default=config.DEFAULT_POLL_INTERVAL, min=1.0, max=600.0,
        update=_settings_changed,
        description="How often a running job's progress is asked at most. Left at the default, "
                    "AISTUDIO_POLL_INTERVAL decides when set")
    download_folder: StringProperty(
        name="Download Folder", subtype="DIR_PATH",
        description="Where results are saved; empty = the extension's own user folder")
    data_folder: StringProperty(
        name="Job Journal Folder", subtype="DIR_PATH", update=_journal_folder_changed,
        description="Where the job journal lives. Empty = AISTUDIO_HOME when set, else the "
                    "extension's own user folder. Point it at the command line's folder to share "
                    "one journal (and its jobs) with pipeline scripts")
    resume_on_start: BoolProperty(
        name="Resume Jobs on Start", default=True,
        description="When Blender starts (or the add-on is enabled), follow unfinished jobs from "
                    "the journal in the background and download their results")
    confirm_credits: IntProperty(
        name="Confirm Above", default=100, min=0,
        description="Ask before submitting a job estimated to cost more credits than this (0 = always ask)")
    use_helper: BoolProperty(
        name="Helper Blender", default=True,
        description="Import results, export meshes and run the print tools in a second, "
                    "background Blender, so this one never freezes. Off: all of it runs here, "
                    "and Blender pauses while it does (also: AISTUDIO_HELPER=off)")
    show_advanced: BoolProperty(name="Advanced", default=False)
    use_asset_library: BoolProperty(
        name="Keep Results in the Asset Library", default=True,
        update=lambda prefs, _context: _asset_library_changed(prefs),
        description="Also save every imported result to the \"AI Studio\" asset library (in the "
                    "extension's user folder, registered in Blender's File Paths), so the Asset "
                    "Browser of any .blend shows every past generation")
    asset_library_made: BoolProperty(options={"HIDDEN"}, default=False,
                                     description="The add-on made the asset library entry")

    def draw(self, context):
        layout = self.layout
        col = layout.column()
        col.prop(self, "api_key")
        if not self.api_key and config.env_value("3D_AI_STUDIO_API_KEY"):
            col.label(text="Using 3D_AI_STUDIO_API_KEY from the environment", icon="INFO")
        for name, what in (("api_key", "The API key"), ("image3d_token", "The image3d.io token")):
            problem = config.credential_problem(getattr(self, name).strip(), what)
            if problem:   # refused where it is set: it would never be sent
                col.label(text=problem, icon="ERROR")
        col.prop(self, "image3d_token")
        col.prop(self, "rate_limit")
        col.prop(self, "confirm_credits")
        col.prop(self, "download_folder")
        col.label(text=f"Results go to: {download_folder(self, create=False)}", icon="FILE_FOLDER")
        col.prop(self, "data_folder")
        col.label(text=f"Job journal: {engine_home(self)}", icon="FILE_FOLDER")
        cli_home = config.default_home()
        if Path(engine_home(self)) != cli_home:
            col.operator("aistudio.use_cli_journal", icon="CONSOLE").folder = str(cli_home)
        col.prop(self, "resume_on_start")
        col.prop(self, "use_asset_library")
        for draw in LIBRARY_DRAWERS:
            draw(col, self)
        col.prop(self, "show_advanced")
        if self.show_advanced:
            col.prop(self, "api_url")
            col.prop(self, "image3d_url")
            col.prop(self, "poll_interval")
            col.prop(self, "use_helper")
        env, problem = environment_settings()
        for name, label in (("rate_limit", "AISTUDIO_RATE_LIMIT"), ("poll_interval", "AISTUDIO_POLL_INTERVAL")):
            if _edited(getattr(self, name), name) is None and getattr(env, name) != _DEFAULTS[name]:
                col.label(text=f"Using {label}={getattr(env, name):g} from the environment", icon="INFO")
        if problem:
            col.label(text=f"Ignored from the environment: {problem}", icon="ERROR")
        if not online.network_allowed():
            what, where = online.offline_hint()
            layout.box().label(text=f"{what}: {where}", icon="ERROR")


#: Called with the preferences when "AI Studio asset library" is switched. The asset
#: code joins at register(), so the preferences need not import it (it imports them).
LIBRARY_SWITCH_LISTENERS: list = []


#: Called with (layout, preferences) under that checkbox: the library's size, its folder.
LIBRARY_DRAWERS: list = []


def _asset_library_changed(prefs) -> None:
    for listener in LIBRARY_SWITCH_LISTENERS:
        listener(prefs)


def get_prefs(context=None) -> AISTUDIO_AddonPreferences | None:
    context = context or bpy.context
    addon = context.preferences.addons.get(ADDON_ID)
    return addon.preferences if addon is not None else None


def has_credential(context, provider: str = "3daistudio") -> bool:
    """Whether a key (3D AI Studio) or token (image3d.io) is set, typed or from the environment."""
    settings = current_settings(context)
    return bool(settings.image3d_token if provider == "image3d" else settings.api_key)


def missing_credential_message(provider: str = "3daistudio") -> str:
    if provider == "image3d":
        return ("No image3d.io token: enter it in Preferences > Add-ons > AI Studio Bridge "
                "(or set IMAGE3D_TOKEN).")
    return ("No 3D AI Studio API key: enter it in Preferences > Add-ons > AI Studio Bridge "
            "(or set 3D_AI_STUDIO_API_KEY).")


#: Environment variables holding numbers; a malformed one is ignored, not fatal.
_NUMERIC_ENV = ("AISTUDIO_RATE_LIMIT", "AISTUDIO_POLL_INTERVAL")
_CREDENTIAL_ENV = ("3D_AI_STUDIO_API_KEY", "AISTUDIO_API_KEY", "IMAGE3D_TOKEN")
_DEFAULTS = {"api_url": config.DEFAULT_API_URL, "image3d_url": config.DEFAULT_IMAGE3D_URL,
             "rate_limit": config.DEFAULT_RATE_LIMIT, "poll_interval": config.DEFAULT_POLL_INTERVAL,
             "api_key": "", "image3d_token": ""}


def environment_settings() -> tuple[config.Settings, str]:
    """What the environment sets, read by the CLI's own rules and names; and what was ignored.

    No ``.env`` file: Blender's working directory is wherever it was started from.
    """
    no_dotenv = Path(os.devnull)
    try:
        return config.load_settings(dotenv=no_dotenv), ""
    except errors.ConfigError as exc:
        # A malformed number or a key that cannot be sent: ignored, and said so.
        environ = {k: v for k, v in os.environ.items() if k not in _NUMERIC_ENV
                   and not (k in _CREDENTIAL_ENV and config.credential_problem(v.strip()))}
        return config.load_settings(environ=environ, dotenv=no_dotenv), str(exc)


def _edited(value, name: str):
    """The preference's value if the user changed it from its default, else None."""
    if isinstance(value, str):
        value = value.strip().rstrip("/") if name.endswith("url") else value.strip()
        return value if value and value != _DEFAULTS[name] else None
    return value if abs(value - _DEFAULTS[name]) > 1e-6 else None


def download_folder(prefs=None, create: bool = True) -> Path:
    """The folder results are downloaded to (created on demand, not when drawn)."""
    if prefs is not None and prefs.download_folder.strip():
        return Path(bpy.path.abspath(prefs.download_folder.strip()))
    return user_folder("results", create=create)


def user_folder(name: str, create: bool = True) -> Path:
    """A writable folder of the extension's own (temp pictures, results)."""
    if RUNNING_AS_EXTENSION:
        return Path(bpy.utils.extension_path_user(ADDON_ID, path=name, create=create))
    path = Path(tempfile.gettempdir()) / "ai_studio_bridge" / name
    if create:
        path.mkdir(parents=True, exist_ok=True)
    return path


def engine_home(prefs=None) -> Path:
    """The journal's folder (not created here: nothing is written before first use).

    The preference wins; else ``AISTUDIO_HOME`` (a pipeline sharing one journal
    on purpose); else the extension's own user folder, which Blender keeps per
    platform; outside an extension the command line's default.
    """
    chosen = (prefs.data_folder.strip() if prefs is not None else "")
    if chosen:
        return Path(bpy.path.abspath(chosen)).expanduser()
    env_home = os.environ.get("AISTUDIO_HOME", "").strip()
    if env_home:
        return Path(env_home).expanduser()
    if RUNNING_AS_EXTENSION:
        return Path(bpy.utils.extension_path_user(ADDON_ID, create=False))
    return config.default_home()


def current_settings(context=None, home: Path | None = None):
    """A bridge ``Settings`` from the preferences, the environment filling in.

    Every setting follows one rule: a preference the user changed wins; one
    left at its default (or empty) yields to the environment variable the CLI
    reads (3D_AI_STUDIO_API_KEY/_URL, IMAGE3D_TOKEN/_API_URL,
    AISTUDIO_RATE_LIMIT, AISTUDIO_POLL_INTERVAL).
    """
    prefs = get_prefs(context)
    env, _problem = environment_settings()
    values = {}
    for name in _DEFAULTS:
        typed = _edited(getattr(prefs, name), name) if prefs is not None else None
        values[name] = typed if typed is not None else getattr(env, name)
    return config.Settings(home=home or engine_home(prefs), **values)


classes = (AISTUDIO_AddonPreferences,)


def require_credential(settings, provider: str = "3daistudio") -> str:
    """The key (or token) for *provider*; else a ConfigError with Blender's advice.

    The bridge's own advice names a ``.env`` file and shell variables, which a
    Blender started from a desktop menu never reads: here it is the preferences.
    """
    try:
        return settings.require_image3d_token() if provider == "image3d" else \
            settings.require_key()
    except errors.ConfigError:
        raise errors.ConfigError(missing_credential_message(provider),
                                 advice="") from None
