"""`quotecorpus release`: one version of the corpus as a citable bundle, a folder and a .zip of it.

    quotecorpus-1.1/
      README.md          what is inside, how to cite it (version and date), licences, how to verify
      tei/*.xml          the TEI edition (the teiCorpus and one file per article), as the build validated it
      tei/schema/        the schemas to validate it with, and their licence note
      corpus.db          the SQLite database (served by Datasette as /corpus; `serve` serves it as /corpus-1.1 too), with
                         plain full-text tables beside ours, so that plain Datasette can search it (bundle.py)
      metadata.json      Datasette's metadata for it, made for plain Datasette: column descriptions, facets,
                         fts_table of each searchable table, research queries without our SQL functions
      quotations.tmx     TMX 1.4b of every quotation that has both an original and an English translation
      tmx14.dtd          the DTD its DOCTYPE names
      csv/<table>.csv    one per public table, its public columns in order
      CITATION.cff       how to cite it (Citation File Format 1.2.0)
      LICENSES/          the full licence texts: CC-BY-4.0.txt (the data), Apache-2.0.txt (the code)
      datapackage.json   a Frictionless Data Package of csv/: columns, types, primary and foreign keys
      ro-crate-metadata.json  RO-Crate 1.3 metadata of the bundle and every file in it
      SHA256SUMS         of every other file, for `sha256sum -c SHA256SUMS`
    quotecorpus-1.1.zip         the folder, zipped
    quotecorpus-1.1.zip.sha256  the zip's checksum (the home page shows it beside the download)

The TEI and the database come from one generation of a build (build first: with unchanged inputs the
current generation is what a fresh build makes). Everything is written under a temporary name and
renamed into place, the zip last, so that `serve` offers a bundle only when it is complete. A release
of a version is never overwritten (ReleaseExists): a changed corpus is a new version.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import shutil
import sqlite3
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from quotecorpus import EDITION, RELEASE_DATE, __version__
from quotecorpus.cite.citation import article_reference, corpus_cite
from quotecorpus.db import load as loader
from quotecorpus.db.metadata import database_sources
from quotecorpus.errors import BuildInterrupted, ReleaseExists
from quotecorpus.export.tmx import TMX_DTD, UNIT_SQL, tmx_footer, tmx_header, tmx_unit
from quotecorpus.files import sha256_file
from quotecorpus.layout import Paths, bundle_name, release_dir
from quotecorpus.pipeline import bundle as extras
from quotecorpus.pipeline import publish
from quotecorpus.pipeline.build import build
from quotecorpus.profile import counted, languages_named, tei_file_name
from quotecorpus.tei import validate as tei_validate

DATABASE = "corpus.db"  # the contract's database name: Datasette serves it as /corpus, as citations give it
SUMS = "SHA256SUMS"
CHUNK = 500  # quotations read at a time for the TMX: their texts are never all in memory at once
# The release date, as the zip's timestamps and the TMX's creationdate: they date the release, not the day the command ran.
RELEASED = dt.datetime.fromisoformat(RELEASE_DATE).replace(tzinfo=dt.UTC)

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Bundle:
    folder: Path
    zip: Path
    files: list[str]  # every file in the folder, relative, as SHA256SUMS lists them (and SHA256SUMS)
    zip_sha256: str


def _outputs(out: Path) -> list[Path]:
    name = bundle_name()
    return [out / name, out / f"{name}.zip", out / f"{name}.zip.sha256"]


def _refuse_existing(out: Path) -> None:
    found = [p for p in _outputs(out) if p.exists() or p.is_symlink()]
    if found:
        raise ReleaseExists(
            f"release {__version__} exists already: {found[0]} (a release is never overwritten: "
            "remove it, write elsewhere with --out, or change the version in scripts/quotecorpus/__init__.py)"
        )


def release(paths: Paths | None = None, out: Path | None = None, base_url: str = "", progress: Progress | None = None) -> Bundle:
    """Build, then write the bundle of this version into `out` (default: build/release/ beside the database).

    Raises ReleaseExists when any of its outputs is there already (before building anything), what
    build raises on bad input, and BuildInterrupted on SIGINT or SIGTERM, saying whether the bundle
    was written (whole) or not at all."""
    paths = paths or Paths()
    out = Path(out) if out is not None else release_dir(paths)
    say = progress or (lambda step: None)
    _refuse_existing(out)
    build(paths, progress=say)
    try:
        with publish.signals_as_exceptions():
            return _write(paths, out, base_url, say)
    except KeyboardInterrupt:
        raise _interrupted("SIGINT", out) from None
    except publish._Terminated:
        raise _interrupted("SIGTERM", out) from None


def _interrupted(signal_name: str, out: Path) -> BuildInterrupted:
    written = all(p.exists() for p in _outputs(out))  # the renames are never interrupted: all or none
    bundle = out / f"{bundle_name()}.zip"
    outcome = f"after the bundle was written whole: {bundle}" if written else f"before the bundle was written: no {bundle.name} in {out}"
    error = BuildInterrupted(f"release interrupted ({signal_name}) {outcome}")
    error.exit_code = 143 if signal_name == "SIGTERM" else 130
    return error


def _write(paths: Paths, out: Path, base_url: str, say: Progress) -> Bundle:
    name = bundle_name()
    tmp = out / f".{name}.tmp-{os.getpid()}"  # never served: serve offers only the finished zip's name
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        folder = tmp / name
        (folder / "tei").mkdir(parents=True)
        say("copy the TEI and the database of the current build")
        with publish.lock(paths, say):  # no build can remove this generation while it is copied
            generation = publish.generation(paths, publish.current(paths))
            for src in publish.tei_files(generation.tei):
                shutil.copyfile(src, folder / "tei" / src.name)
            shutil.copyfile(generation.db, folder / DATABASE)
        shutil.copytree(tei_validate.SCHEMA_DIR, folder / "tei" / "schema", ignore=shutil.ignore_patterns(".*"))
        say("add the plain full-text tables and the plain-Datasette metadata")
        fts = extras.add_plain_search(folder / DATABASE)
        meta = extras.bundle_metadata(fts, database_sources(folder / DATABASE))
        (folder / "metadata.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        extras.copy_licences(folder)
        db = sqlite3.connect(f"file:{folder / DATABASE}?mode=ro", uri=True)
        db.row_factory = sqlite3.Row
        try:
            say("write quotations.tmx")
            units = _write_tmx(db, folder / "quotations.tmx")
            shutil.copyfile(TMX_DTD, folder / TMX_DTD.name)  # what its DOCTYPE names, so that it resolves
            say("write csv/")
            tables = _write_csv(db, folder / "csv")
            articles = [f.name for f in publish.tei_files(folder / "tei") if f.name != tei_file_name("corpus")]
            (folder / "README.md").write_text(_readme(db, articles, tables, units, base_url), encoding="utf-8")
            rows = [dict(r) for r in db.execute("select * from articles order by year, id")]
            url = base_url.rstrip("/") + "/" if base_url else ""
            (folder / "CITATION.cff").write_text(extras.citation_cff(rows, url), encoding="utf-8")
            package = extras.datapackage(tables)
            (folder / "datapackage.json").write_text(json.dumps(package, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
            described = {}
            for p in sorted(folder.rglob("*")):
                if p.is_file():
                    described[p.relative_to(folder).as_posix()] = (_what(p.relative_to(folder).as_posix()), p.stat().st_size)
            crate = extras.ro_crate(described, rows, url)
            (folder / "ro-crate-metadata.json").write_text(json.dumps(crate, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        finally:
            db.close()
        files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
        (folder / SUMS).write_text("".join(f"{sha256_file(folder / f)}  {f}\n" for f in files), encoding="utf-8")
        say(f"write {name}.zip")
        zipped = tmp / f"{name}.zip"
        _zip(folder, [*files, SUMS], zipped)
        digest = sha256_file(zipped)
        (tmp / f"{name}.zip.sha256").write_text(f"{digest}  {name}.zip\n", encoding="utf-8")
        final = {p.name: p for p in _outputs(out)}
        with publish.uninterrupted():  # all three renamed, or none
            _refuse_existing(out)  # again: another release may have finished meanwhile
            os.rename(folder, final[name])
            os.rename(tmp / f"{name}.zip.sha256", final[f"{name}.zip.sha256"])
            os.rename(zipped, final[f"{name}.zip"])  # last: the zip's name is what serve looks for
        say("done")
        return Bundle(final[name], final[f"{name}.zip"], [*files, SUMS], digest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _zip(folder: Path, files: list[str], target: Path) -> None:
    """The folder as a zip of `name/...` entries, in a fixed order and dated the release date."""
    stamp = RELEASED.timetuple()[:6]
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for f in files:
            info = zipfile.ZipInfo(f"{folder.name}/{f}", date_time=stamp)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            with open(folder / f, "rb") as src, z.open(info, "w") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)


def _ids(db: sqlite3.Connection) -> Iterator[list[str]]:
    ids = [r[0] for r in db.execute("select id from quotations order by id")]
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _write_tmx(db: sqlite3.Connection, target: Path) -> int:
    """Every quotation with both an original and an English, in id order; returns how many."""
    units = 0
    provenance = f"{EDITION}: every quotation that has both an original and an English translation"
    with open(target, "wb") as f:
        f.write(tmx_header(provenance, RELEASED))
        for chunk in _ids(db):
            found = {r["id"]: dict(r) for r in db.execute(UNIT_SQL.format(marks=",".join("?" * len(chunk))), chunk)}
            for qid in chunk:
                unit = tmx_unit(found[qid])
                units += bool(unit)
                f.write(unit)
        f.write(tmx_footer())
    return units


def _write_csv(db: sqlite3.Connection, folder: Path) -> dict[str, int]:
    """One CSV per public table (load.tables(): the registers and the romanizations), its public
    columns in their order, rows by id, as Datasette's CSV gives them. Returns the rows of each."""
    folder.mkdir()
    counts = {}
    for table, columns in loader.tables().items():
        names = [c.name for c in columns]
        with open(folder / f"{table}.csv", "w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(names)
            n = 0
            for row in db.execute(f"select {', '.join(f'[{c}]' for c in names)} from [{table}] order by id"):
                writer.writerow(row)
                n += 1
        counts[table] = n
    return counts


def _what(path: str) -> str:
    """One line on what a file of the bundle is (for the RO-Crate)."""
    if path.startswith("csv/"):
        return f"The {path[4:-4]} table as CSV (UTF-8, a header row, rows by id); described in datapackage.json."
    if path.startswith("tei/schema/"):
        return "Schema to validate the TEI with (TEI P5 tei_all, our subset, our Schematron rules) or their licence note."
    if path.startswith("tei/"):
        return "TEI P5 edition: " + (
            "the whole corpus (teiCorpus)." if path == f"tei/{tei_file_name('corpus')}" else "one article's quotations."
        )
    if path.startswith("LICENSES/"):
        return f"Full text of the licence {path[9:-4]}."
    return {
        DATABASE: "The SQLite database, served by `datasette corpus.db --metadata metadata.json`.",
        "metadata.json": "Datasette metadata: tables, columns, full-text search, research questions (canned queries).",
        "quotations.tmx": "TMX 1.4b translation memory of the quotations with both an original and an English translation.",
        "tmx14.dtd": "The TMX 1.4b DTD.",
        "README.md": "What the bundle holds, how to serve and cite it.",
        "CITATION.cff": "How to cite this release (Citation File Format 1.2.0).",
        "datapackage.json": "Frictionless Data Package: the CSV files' columns, types and keys.",
    }.get(path, path)


def _readme(db: sqlite3.Connection, tei: list[str], tables: dict[str, int], units: int, base_url: str) -> str:
    """The bundle's README: what it holds (counted, not assumed), how to cite it, its licences."""
    articles = [dict(r) for r in db.execute("select * from articles order by year, id")]
    languages = {r[0]: r[1] for r in db.execute("select language, count(*) from quotations group by language")}
    base = base_url.rstrip("/")
    url = f"{base}/" if base else ""  # no public address configured: the citation gives none (never a guessed one)
    # where a server that finds this bundle in build/release/ serves it, whatever later versions change (web/versions.py)
    quotation_url = f"{base}/corpus-{__version__}/quotations/<id>" if base else "<the address of the quotation's page>"
    csvs = ", ".join(f"`{t}.csv` ({n} rows)" for t, n in tables.items())
    lines = [
        f"# {EDITION}",
        "",
        f"{languages_named(languages)} quotations, terms and abstract fragments printed in "
        f"{counted(len(articles), 'article')} on Soviet policy",
        "toward Germany in 1920–1921, each with the article's own English translation, its romanization, attribution,",
        "date and citation to page and footnote:",
        "",
        *[f"* {article_reference(a)}" for a in articles],
        "",
        f"{tables['quotations']} quotations, terms and abstract fragments; registers of {tables['persons']} persons, "
        f"{tables['documents']} documents and {tables['works']} works cited.",
        "",
        "## What is inside",
        "",
        "| file | what |",
        "|---|---|",
        "| `tei/quotecorpus.xml` | the whole corpus as one TEI P5 `teiCorpus`: the shared registers, then one `TEI` per article |",
        *[f"| `tei/{name}` | one article's quotations as a self-contained TEI P5 document |" for name in tei],
        f"| `tei/schema/` | the TEI P5 schema `{tei_validate.TEI_ALL.name}`, our subset of it `{tei_validate.TEI_SUBSET.name}`, our "
        f"Schematron rules `{tei_validate.SCHEMATRON.name}` and `{tei_validate.PROFILE_SCHEMATRON.name}`, and their licence note "
        "`README.md`: `jing tei/schema/tei_all.rng tei/*.xml` |",
        f"| `{DATABASE}` | the SQLite database loaded from the TEI, with plain full-text tables (`quotations_fts` and the like, "
        "`person_names`) for plain Datasette |",
        "| `metadata.json` | Datasette's metadata: what each table and column holds, facets, full-text search, research questions |",
        f"| `quotations.tmx` | a TMX 1.4b translation memory: the {units} quotations that have both an original and an English "
        "translation (`tuid` = quotation id), valid against `tmx14.dtd` beside it |",
        f"| `csv/` | one CSV per table (UTF-8, a header row, rows by id): {csvs} |",
        "| `CITATION.cff` | how to cite this release (Citation File Format; `cffconvert --validate`) |",
        "| `LICENSES/` | the full licence texts: `CC-BY-4.0.txt` (the data) and `Apache-2.0.txt` (the code) |",
        "| `datapackage.json` | a Frictionless Data Package of `csv/`: every column's type and description, the primary and "
        "foreign keys (`frictionless validate datapackage.json`) |",
        "| `ro-crate-metadata.json` | RO-Crate 1.3 metadata of the bundle and every file in it |",
        f"| `{SUMS}` | the SHA-256 of every other file: `sha256sum -c {SUMS}` |",
        "",
        "## Serve it",
        "",
        "With nothing but Datasette 0.65 (Python 3.8 or later), in this folder:",
        "",
        "    python -m venv venv && venv/bin/pip install datasette==0.65.5",
        f"    venv/bin/datasette {DATABASE} --metadata metadata.json",
        "",
        "then open http://127.0.0.1:8001/corpus. Every table and research question (canned query) works. " + extras.SEARCH_NOTE,
        "The full search, the quotation cards and the TEI, TMX and DTS endpoints are the quotecorpus server's "
        "(`quotecorpus serve` in the project's repository).",
        "",
        "Every TEI header names this release (`editionStmt/edition[@n='"
        + __version__
        + "']`, `publicationStmt/date[@when='"
        + RELEASE_DATE
        + "']`).",
        "",
        "## How to cite",
        "",
        "The corpus:",
        "",
        f"> {corpus_cite(articles, url, languages)}",
        "",
        "One quotation: its speaker, addressee and date, the article, page and footnote, then the release and the",
        f"quotation's address, `{EDITION}, {quotation_url}` (every quotation's page gives this line).",
        "A quotation's id is stable: it is the `id` column, the TEI `xml:id` and the TMX `tuid`.",
        "Please cite the articles themselves for their translations and arguments.",
        "",
        "## Licence",
        "",
        "Selection, curation and encoding: CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/, `LICENSES/CC-BY-4.0.txt`); "
        "the code that made it: Apache-2.0 (`LICENSES/Apache-2.0.txt`). The quoted texts and",
        "translations are short quotations from the articles above for scholarly purposes; rights in them remain with their",
        "authors, translators and publishers. The TEI schema is the TEI Consortium's (CC BY 3.0 / BSD-2-Clause), see",
        "`tei/schema/README.md`. `tmx14.dtd` is the DTD of TMX 1.4b (LISA OSCAR, now maintained by GALA), under the Creative",
        "Commons Attribution 3.0 licence.",
        "",
    ]
    return "\n".join(lines)
