"""Add-on preferences: credentials, service URLs, rate and download folder.

Preferences live in Blender's user preferences, never in a .blend file, so the
API key cannot travel with a scene. Empty fields fall back to the same
environment variables the CLI reads, so one key serves both.
"""

import os
import tempfile
from pathlib import Path

import bpy
from bpy.props import BoolProperty, IntProperty, StringProperty

from . import online
from ..bridge import config


def _package_root(package: str) -> str:
    """``bl_ext.user_default.ai_studio_bridge`` from ``….ai_studio_bridge.addon``; ``addon`` in tests."""
    root, _, last = package.rpartition(".")
    return root if root and last == "addon" else package


ADDON_ID = _package_root(__package__)
RUNNING_AS_EXTENSION = ADDON_ID.startswith("bl_ext.")


class AISTUDIO_AddonPreferences(bpy.types.AddonPreferences):
    bl_idname = ADDON_ID

    api_key: StringProperty(
        name="API Key", subtype="PASSWORD",
        description="3D AI Studio API key; when empty, the 3D_AI_STUDIO_API_KEY (or AISTUDIO_API_KEY) environment variable is used")
    api_url: StringProperty(
        name="Service URL", default=config.DEFAULT_API_URL,
        description="3D AI Studio API address; 3D_AI_STUDIO_API_URL overrides the default")
    image3d_token: StringProperty(
        name="image3d.io Token", subtype="PASSWORD",
        description="Bearer token for image3d.io (expires hourly); IMAGE3D_TOKEN when empty")
    image3d_url: StringProperty(
        name="image3d.io URL", default=config.DEFAULT_IMAGE3D_URL,
        description="image3d.io API address; IMAGE3D_API_URL overrides the default")
    rate_limit: IntProperty(
        name="Requests per Minute", default=config.DEFAULT_RATE_LIMIT, min=1, max=600,
        description="Your account's request rate; submits and status polls share it")
    download_folder: StringProperty(
        name="Download Folder", subtype="DIR_PATH",
        description="Where results are saved; empty = the extension's own user folder")
    data_folder: StringProperty(
        name="Job Journal Folder", subtype="DIR_PATH",
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
    show_advanced: BoolProperty(name="Advanced", default=False)

    def draw(self, context):
        layout = self.layout
        col = layout.column()
        col.prop(self, "api_key")
        if not self.api_key and config.env_value("3D_AI_STUDIO_API_KEY"):
            col.label(text="Using 3D_AI_STUDIO_API_KEY from the environment", icon="INFO")
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
        col.prop(self, "show_advanced")
        if self.show_advanced:
            col.prop(self, "api_url")
            col.prop(self, "image3d_url")
        if not online.network_allowed():
            what, where = online.offline_hint()
            layout.box().label(text=f"{what}: {where}", icon="ERROR")


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


def _env_or(field_value: str, default: str, env_name: str) -> str:
    # A field left at its default yields to the environment, an edited one wins.
    value = (field_value or "").strip()
    if value and value != default:
        return value.rstrip("/")
    return (config.env_value(env_name) or default).strip().rstrip("/")


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
    """A bridge ``Settings`` built from the preferences (environment filling gaps)."""
    prefs = get_prefs(context)
    key = (prefs.api_key if prefs else "").strip() or config.env_value("3D_AI_STUDIO_API_KEY")
    token = (prefs.image3d_token if prefs else "").strip() or os.environ.get("IMAGE3D_TOKEN", "").strip()
    return config.Settings(
        api_key=key,
        api_url=_env_or(prefs.api_url if prefs else "", config.DEFAULT_API_URL, "3D_AI_STUDIO_API_URL"),
        image3d_token=token,
        image3d_url=_env_or(prefs.image3d_url if prefs else "", config.DEFAULT_IMAGE3D_URL, "IMAGE3D_API_URL"),
        home=home or engine_home(prefs),
        rate_limit=prefs.rate_limit if prefs else config.DEFAULT_RATE_LIMIT,
    )


class AISTUDIO_OT_use_cli_journal(bpy.types.Operator):
    """Share one job journal with the command line (python -m bridge)"""

    bl_idname = "aistudio.use_cli_journal"
    bl_label = "Use the Command Line's Journal"
    bl_options = {"INTERNAL"}

    folder: StringProperty(name="Folder", subtype="DIR_PATH")

    def execute(self, context):
        prefs = get_prefs(context)
        if prefs is None:
            return {"CANCELLED"}
        prefs.data_folder = self.folder
        self.report({"INFO"}, f"Jobs are journaled in {self.folder}; the add-on follows them from now on.")
        return {"FINISHED"}


classes = (AISTUDIO_AddonPreferences, AISTUDIO_OT_use_cli_journal)
