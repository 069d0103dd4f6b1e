"""Settings from the environment (and a ``.env`` file), with one source of defaults.

The add-on builds a :class:`Settings` from its preferences instead; the CLI
calls :func:`load_settings`. The key lives only in memory: ``repr`` hides it
so it cannot leak into a log line or a traceback.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from .errors import ConfigError

DEFAULT_API_URL = "https://api.3daistudio.com"
DEFAULT_IMAGE3D_URL = "https://image3d.io"
DEFAULT_RATE_LIMIT = 3  # requests per minute per key, the documented default
DEFAULT_POLL_INTERVAL = 10.0


def default_home() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(base) / "ai_studio_bridge"


@dataclasses.dataclass
class Settings:
    api_key: str = dataclasses.field(default="", repr=False)
    api_url: str = DEFAULT_API_URL
    image3d_token: str = dataclasses.field(default="", repr=False)
    image3d_url: str = DEFAULT_IMAGE3D_URL
    home: Path = dataclasses.field(default_factory=default_home)
    poll_interval: float = DEFAULT_POLL_INTERVAL
    rate_limit: int = DEFAULT_RATE_LIMIT
    timeout: float = 30.0  # seconds for connect+read of API calls

    def require_key(self) -> str:
        check_credential(self.api_key, "The 3D AI Studio API key")
        if not self.api_key:
            raise ConfigError(
                "No 3D AI Studio API key is set.",
                advice="Put 3D_AI_STUDIO_API_KEY=... in a .env file, set AISTUDIO_API_KEY "
                       "in the shell, or enter it in the add-on preferences.")
        return self.api_key

    def require_image3d_token(self) -> str:
        check_credential(self.image3d_token, "The image3d.io token")
        if not self.image3d_token:
            raise ConfigError("No image3d.io token is set.",
                              advice="Set IMAGE3D_TOKEN or enter it in the add-on preferences.")
        return self.image3d_token


def credential_problem(value: str, what: str = "The API key") -> str:
    """Why ``value`` cannot be sent as a bearer credential ('' when it can).

    Keys are printable ASCII. A character inside it that is not (a zero-width
    space or a line break from a paste, a letter outside Latin-1) would make
    the request fail on this machine, or send a key the service refuses. The
    message names the character's position and code, never the key.
    """
    for index, char in enumerate(value or ""):
        if not "\x21" <= char <= "\x7e":
            name = {" ": "a space", "\n": "a line break", "\r": "a line break",
                    "\t": "a tab", "\u200b": "a zero-width space", "\ufeff": "a byte-order mark",
                    "\u00a0": "a non-breaking space"}.get(char, f"the character U+{ord(char):04X}")
            return (f"{what} has {name} at position {index + 1}: keys are letters, digits and "
                    "punctuation only. Copy it again from the service's website.")
    return ""


def check_credential(value: str, what: str = "The API key") -> str:
    """``value`` if it can be sent as a credential, else :class:`ConfigError` (nothing sent)."""
    problem = credential_problem(value, what)
    if problem:
        raise ConfigError(problem)
    return value


def read_dotenv(path: Path) -> dict[str, str]:
    """Parse a minimal ``KEY=value`` file (comments, ``export``, quotes)."""
    values: dict[str, str] = {}
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return values
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        if line.startswith("export "):
            line = line[len("export "):]
        key, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def _number(env: dict, name: str, default, cast):
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        value = cast(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}.") from None
    if value <= 0:
        raise ConfigError(f"{name} must be greater than zero, got {raw!r}.")
    return value


# The documented names start with a digit, which POSIX shells cannot
# ``export``; these spellings work in a shell and mean the same.
SHELL_ALIASES = {"AISTUDIO_API_KEY": "3D_AI_STUDIO_API_KEY",
                 "AISTUDIO_API_URL": "3D_AI_STUDIO_API_URL"}


def env_value(name: str, environ: dict | None = None) -> str:
    """``name`` from the environment, else its shell-friendly alias ('' if neither)."""
    env = os.environ if environ is None else environ
    value = env.get(name, "")
    if not value:
        for alias, documented in SHELL_ALIASES.items():
            if documented == name:
                value = env.get(alias, "")
    return value.strip()


def load_settings(environ: dict | None = None, dotenv: Path | None = None) -> Settings:
    """Settings from ``environ`` (default ``os.environ``), a ``.env`` file filling gaps.

    The ``.env`` file is looked for in the current directory unless given.
    Real environment variables win over the file; a documented name wins
    over its shell-friendly alias.
    """
    env = dict(read_dotenv(dotenv or Path.cwd() / ".env"))
    env.update(os.environ if environ is None else environ)
    for alias, name in SHELL_ALIASES.items():
        if env.get(alias) and not env.get(name):
            env[name] = env[alias]
    home = env.get("AISTUDIO_HOME")
    return Settings(
        api_key=check_credential(env.get("3D_AI_STUDIO_API_KEY", "").strip(),
                                 "3D_AI_STUDIO_API_KEY"),
        api_url=(env.get("3D_AI_STUDIO_API_URL") or DEFAULT_API_URL).rstrip("/"),
        image3d_token=check_credential(env.get("IMAGE3D_TOKEN", "").strip(), "IMAGE3D_TOKEN"),
        image3d_url=(env.get("IMAGE3D_API_URL") or DEFAULT_IMAGE3D_URL).rstrip("/"),
        home=Path(home).expanduser() if home else default_home(),
        poll_interval=_number(env, "AISTUDIO_POLL_INTERVAL", DEFAULT_POLL_INTERVAL, float),
        rate_limit=_number(env, "AISTUDIO_RATE_LIMIT", DEFAULT_RATE_LIMIT, int),
    )
