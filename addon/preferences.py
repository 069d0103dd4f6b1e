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
        col.label(text=f"Results go to: {download_folder(self)}", icon="FILE_FOLDER")
        col.prop(self, "show_advanced")
        if self.show_advanced:
            col.prop(self, "api_url")
            col.prop(self, "image3d_url")
        if not bpy.app.online_access:
            box = layout.box()
            box.label(text="Online access is off: Preferences > System > Network > Allow Online Access",
                      icon="ERROR")


def get_prefs(context=None) -> AISTUDIO_AddonPreferences | None:
    context = context or bpy.context
    addon = context.preferences.addons.get(ADDON_ID)
    return addon.preferences if addon is not None else None


def _env_or(field_value: str, default: str, env_name: str) -> str:
    # A field left at its default yields to the environment, an edited one wins.
    value = (field_value or "").strip()
    if value and value != default:
        return value.rstrip("/")
    return (config.env_value(env_name) or default).strip().rstrip("/")


def download_folder(prefs=None) -> Path:
    """The folder results are downloaded to (created on demand)."""
    if prefs is not None and prefs.download_folder.strip():
        return Path(bpy.path.abspath(prefs.download_folder.strip()))
    return user_folder("results")


def user_folder(name: str) -> Path:
    """A writable folder of the extension's own (temp pictures, results)."""
    if RUNNING_AS_EXTENSION:
        return Path(bpy.utils.extension_path_user(ADDON_ID, path=name, create=True))
    path = Path(tempfile.gettempdir()) / "ai_studio_bridge" / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def engine_home() -> Path:
    """The journal's folder: shared with the CLI (AISTUDIO_HOME or its default)."""
    home = os.environ.get("AISTUDIO_HOME")
    return Path(home).expanduser() if home else config.default_home()


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
        home=home or engine_home(),
        rate_limit=prefs.rate_limit if prefs else config.DEFAULT_RATE_LIMIT,
    )


classes = (AISTUDIO_AddonPreferences,)
