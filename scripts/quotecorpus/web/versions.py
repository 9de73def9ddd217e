"""Every released version readable at an address of its own: /corpus-<version>/…

`quotecorpus release` leaves each version's bundle in build/release/quotecorpus-<version>/, with its
corpus.db and its metadata.json (which names the version and its date). The server (serving.make_datasette)
serves each such database, beside the current build's `corpus`, as an extra immutable database named
`corpus-<version>`; a bundle is never overwritten, so what such an address shows never changes.

A citation of version N then names `/corpus-<version>/<table>/<id>` when that version's release is
served and holds the record (a quotation page of the current build of version N included), else the
page's own address. A page of a release says which version it is and where the current text is.

Datasette 0.65's routes take no "." in a database's name in a path (it writes `corpus-1~2E1`): an ASGI
wrapper (the plugin's asgi_wrapper) reads `/corpus-1.1/…` as that, so the citations' addresses work.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from datasette.utils import tilde_encode

from quotecorpus import RELEASE_DATE, __version__
from quotecorpus.web import config

PREFIX = "corpus-"  # a release is served as corpus-<version>: the contract's database name and its version
BUNDLE = re.compile(r"^quotecorpus-(?P<version>[0-9A-Za-z][0-9A-Za-z._-]{0,40})$")  # layout.bundle_name()


@dataclass(frozen=True)
class Release:
    version: str
    release_date: str
    db: Path

    @property
    def name(self) -> str:
        """The database name the release is served under (and the first part of its addresses)."""
        return f"{PREFIX}{self.version}"


def _order(version: str) -> tuple:
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"[.-]", version))


def released(folder: Path | None) -> list[Release]:
    """The release bundles in `folder` (build/release/), oldest version first: each folder
    quotecorpus-<version>/ with a corpus.db and a metadata.json that names the same version. A bundle is
    renamed into place whole (pipeline/release.py), so a folder of that name is complete."""
    if folder is None or not Path(folder).is_dir():
        return []
    found = []
    for bundle in Path(folder).iterdir():
        m = BUNDLE.match(bundle.name)
        if not m or not bundle.is_dir() or bundle.is_symlink() or not (bundle / "corpus.db").is_file():
            continue
        try:
            meta = json.loads((bundle / "metadata.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(meta, dict) or meta.get("version") != m["version"] or not isinstance(meta.get("release_date"), str):
            continue
        found.append(Release(m["version"], meta["release_date"], bundle / "corpus.db"))
    return sorted(found, key=lambda r: _order(r.version))


def release_of(datasette, database: str | None) -> Release | None:
    """The release a served database is (None: the current build, or another database)."""
    return next((r for r in config.server_of(datasette).releases if r.name == database), None)


def version_of(datasette, database: str | None) -> tuple[str, str]:
    """The version and release date of what a database holds: a release's own, else this code's."""
    found = release_of(datasette, database)
    return (found.version, found.release_date) if found else (__version__, RELEASE_DATE)


async def cited_paths(datasette, database: str, table: str, ids: list[str]) -> dict[str, str]:
    """The path a citation gives for each record of `table` shown from `database`: in the served release of
    that database's version when it holds the record (`/corpus-1.1/quotations/<id>`), else the database's own."""
    server = config.server_of(datasette)
    version, _ = version_of(datasette, database)
    release = next((r for r in server.releases if r.version == version), None)
    in_release: set[str] = set()
    if release is not None and release.name in datasette.databases and (database == server.current or release.name == database):
        db = datasette.get_database(release.name)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            rows = await db.execute(f"select id from [{table}] where id in ({','.join('?' * len(chunk))})", chunk)
            in_release |= {r[0] for r in rows}
    out = {}
    for i in ids:
        name = release.name if i in in_release else database
        out[i] = f"/{name}/{tilde_encode(table)}/{tilde_encode(str(i))}"
    return out


async def notice(datasette, database: str | None, table: str, row_id: str) -> dict | None:
    """What a page of a release says of itself: its version and date, the current version, and the
    address of this record in the current build (None when the current build no longer holds it)."""
    release = release_of(datasette, database)
    current = config.server_of(datasette).current
    if release is None or current not in datasette.databases:
        return None
    rows = await datasette.get_database(current).execute(f"select 1 from [{table}] where id = ?", [row_id])
    return {
        "version": release.version,
        "release_date": release.release_date,
        "current_version": __version__,
        "current_url": datasette.urls.row(current, table, tilde_encode(row_id)) if rows.first() else None,
        "current_home": datasette.urls.database(current),
    }


def dotted_names(datasette):
    """asgi_wrapper: `/corpus-1.1/…` (a served database whose name has a dot) read as Datasette's own
    `/corpus-1~2E1/…`, its routes taking no dot in a database's name."""

    def wrap(app):
        async def renamed(scope, receive, send):
            if scope.get("type") == "http":
                path = scope.get("path", "")
                for name in sorted((n for n in datasette.databases if "." in n), key=len, reverse=True):
                    prefix = "/" + name
                    rest = path[len(prefix) :] if path.startswith(prefix) else None
                    if rest is not None and (rest == "" or rest.startswith("/") or re.fullmatch(r"\.\w+", rest)):
                        new = "/" + tilde_encode(name) + rest
                        raw = scope.get("raw_path") or b""
                        if raw.startswith(prefix.encode()):
                            raw = ("/" + tilde_encode(name)).encode() + raw[len(prefix.encode()) :]
                        else:
                            raw = new.encode()
                        scope = {**scope, "path": new, "raw_path": raw}
                        break
            await app(scope, receive, send)

        return renamed

    return wrap
