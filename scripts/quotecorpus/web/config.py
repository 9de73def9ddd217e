"""What a served Datasette knows of its server, beside Datasette's own settings.

The public base URL is the plugin's configuration (`plugins.quotecorpus.base_url` in the metadata:
public, like the address it names). Where the server finds a release bundle to offer is a path on
the machine and must not be public (/-/metadata.json shows the plugin configuration), so the
server hands it over here, per Datasette instance, when it makes one (web/serving.make_datasette).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from pathlib import Path

PLUGIN = "quotecorpus"  # the plugin's name in Datasette's configuration


@dataclass(frozen=True)
class Server:
    release_dir: Path | None = None  # where `quotecorpus release` puts this version's bundle
    releases: tuple = ()  # the released versions served as corpus-<version> (web/versions.Release), oldest first
    current: str = "corpus"  # the name the current build's database is served under


_SERVERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def attach(datasette, server: Server) -> None:
    _SERVERS[datasette] = server


def server_of(datasette) -> Server:
    return _SERVERS.get(datasette, Server())


def base_url(datasette) -> str:
    """The configured public base URL, without its final slash ("" when none)."""
    return ((datasette.plugin_config(PLUGIN) or {}).get("base_url") or "").rstrip("/")
