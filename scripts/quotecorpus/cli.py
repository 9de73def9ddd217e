"""The `quotecorpus` command: a thin layer that turns library errors into one clear line and an exit code."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import click

from quotecorpus import __version__
from quotecorpus.errors import QuotecorpusError
from quotecorpus.pipeline.build import Paths, build, check_tei_current


def _paths(corpus: str | None, tei: str | None, db: str | None) -> Paths:
    d = Paths()
    return Paths(Path(corpus) if corpus else d.corpus, Path(tei) if tei else d.tei, Path(db) if db else d.db)


def clear_errors(fn):
    """Library errors become a message on stderr and the error's exit code, never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except QuotecorpusError as e:
            click.echo(f"Error: {e}", err=True)
            sys.exit(e.exit_code)

    return wrapper


path_options = [
    click.option("--corpus", type=click.Path(file_okay=False), help="Folder of curated records [default: corpus/]"),
    click.option("--tei", type=click.Path(file_okay=False), help="Folder for the TEI edition [default: tei/]"),
    click.option("--db", type=click.Path(dir_okay=False), help="SQLite database to write [default: build/corpus.db]"),
]


def with_paths(fn):
    for opt in reversed(path_options):
        fn = opt(fn)
    return fn


class _Group(click.Group):
    def invoke(self, ctx: click.Context):
        # Ctrl-C outside a build's own handling (before it, or while its result is printed) exits 130 as
        # an interrupted command does, not with click's "Aborted!" and exit 1.
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            click.echo("\ninterrupted (SIGINT)", err=True)
            ctx.exit(130)


@click.group(cls=_Group)
@click.version_option(__version__)
def cli():
    """quotecorpus: Russian, German and Polish quotations with their English, as TEI, SQLite and Datasette."""


@cli.command(name="build")
@with_paths
@click.option("--force", is_flag=True, help="Rebuild everything, even if nothing changed (without it, only what changed is redone).")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing on success.")
@clear_errors
def build_cmd(corpus, tei, db, force, quiet):
    """Validate the records, write tei/ and build the database.

    Example: quotecorpus build
    """
    paths = _paths(corpus, tei, db)
    result = build(paths, force=force, progress=None if quiet else lambda s: click.echo(f"  {s}", err=True))
    if quiet:
        return
    if result.rebuilt:
        counts = ", ".join(f"{n} {k}" for k, n in result.counts.items() if k != "nested")
        if result.counts.get("nested"):
            counts += f" and {result.counts['nested']} quoted inside them"
        how = ""
        if result.incremental:
            how = f"; from the last build: {result.records_read} records read, {result.entries_encoded} entries written anew"
        click.echo(f"Built {paths.db} and {len(result.tei_files)} TEI files ({counts}{how}).")
    else:
        click.echo(f"Up to date: {paths.db}")


@cli.command()
@with_paths
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8001, show_default=True, type=int)
@click.option("--base-url", envvar="QUOTECORPUS_BASE_URL", help="The public address, for citations and links (default: relative links).")
@clear_errors
def serve(corpus, tei, db, host, port, base_url):
    """Build (if needed), then serve the corpus with Datasette and the reading room.

    A --db that `quotecorpus build` did not make (e.g. one made by `quotecorpus load`) is served
    as it is, under its own name: never rebuilt over. Exit 9 when the port is in use.

    Example: quotecorpus serve --port 8001
    """
    from quotecorpus.pipeline.publish import is_built
    from quotecorpus.web.serving import address, listen, serve

    paths = _paths(corpus, tei, db)
    sock = listen(host, port)  # a busy port is said before anything is built or announced
    if paths.db.exists() and not is_built(paths):
        click.echo(f"Serving {paths.db} as it is (it was not made by quotecorpus build)", err=True)
    else:
        build(paths, progress=lambda s: click.echo(f"  {s}", err=True))
    click.echo(f"Serving {address(host, sock)}", err=True)  # the reading room's home page
    serve(paths, sock, base_url)


@cli.command(name="release")
@with_paths
@click.option("--out", type=click.Path(file_okay=False), help="Folder to write the bundle into [default: build/release/]")
@click.option("--base-url", envvar="QUOTECORPUS_BASE_URL", help="The public address, for the citation in the bundle's README.")
@clear_errors
def release_cmd(corpus, tei, db, out, base_url):
    """Build, then write the release bundle of this version: TEI, SQLite, TMX, a CSV per table, a README
    with the citation, SHA256SUMS; as a folder quotecorpus-VERSION/ and a .zip of it.

    Exit 7 when this version's bundle is already in the folder: a release is never overwritten.
    `serve` offers the bundle it finds in build/release/ on the home page.

    Example: quotecorpus release --out /tmp/releases
    """
    from quotecorpus.pipeline.release import release

    paths = _paths(corpus, tei, db)
    bundle = release(paths, Path(out) if out else None, base_url or "", progress=lambda s: click.echo(f"  {s}", err=True))
    size = bundle.zip.stat().st_size
    click.echo(f"Wrote {bundle.folder}/ ({len(bundle.files)} files) and {bundle.zip} ({size / 1e6:.1f} MB, sha256 {bundle.zip_sha256})")


@cli.command(name="metadata")
@clear_errors
def metadata_cmd():
    """Regenerate metadata.json from the profile (tables, columns, facets) and the canned queries.

    Example: quotecorpus metadata
    """
    from quotecorpus.db.metadata import render
    from quotecorpus.layout import METADATA

    METADATA.write_text(render(), encoding="utf-8")
    click.echo(f"Wrote {METADATA}")


@cli.command(name="validate")
@with_paths
@click.option("--full", is_flag=True, help="Also validate against the full tei_all.rng (compiling it takes ~10 s).")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False))
@clear_errors
def validate_cmd(corpus, tei, db, full, files):
    """Validate the records and tei/ (or the TEI FILES given) against the schema and our Schematron.

    Exit 3: refused XML (a DOCTYPE or entities in any encoding, a namespace bomb, not well-formed);
    exit 4: invalid TEI (TEI P5, or quotecorpus.sch: ids, pointers, languages, a quotation's page, text
    and transliteration), or a file that is not TEI at all (an HTML page, a TMX file, CSV); exit 5:
    valid TEI outside the quotecorpus profile (an element, attribute or value it does not hold; a
    derived text that differs from the profile's).

    Example: quotecorpus validate --full
    """
    from quotecorpus.records.validate import load_and_validate
    from quotecorpus.tei import validate as tei_validate
    from quotecorpus.tei.read import read

    paths = _paths(corpus, tei, db)
    if not files:
        stale = check_tei_current(paths, load_and_validate(paths.corpus))
        if stale:
            raise click.ClickException(f"tei/ is not what corpus/ produces (run quotecorpus build): {', '.join(stale)}")
        files = sorted(str(p) for p in paths.tei.glob("*.xml"))
    schemas = [tei_validate.TEI_SUBSET] + ([tei_validate.TEI_ALL] if full else [])
    for f in files:
        for rng in schemas:
            tei_validate.validate_file(Path(f), f, rng)
    # what the schemas cannot see: derived texts (names, dates in words, romanizations)
    read([(tei_validate.parse_safely(Path(f)).getroot(), f) for f in files])
    rules = f"{tei_validate.SCHEMATRON.name} + {tei_validate.PROFILE_SCHEMATRON.name}"
    click.echo(f"Valid: records and {len(files)} TEI file(s) ({' and '.join(s.name for s in schemas)} + {rules}).")


def _read_tei(files) -> list[tuple]:
    """Validate TEI files (in pieces: any length), then parse them: (root, name) of each, or the
    first error (exit 3, 4 or 5)."""
    from quotecorpus.tei import validate as tei_validate

    for f in files:
        tei_validate.validate_file(Path(f), f)
    return [(tei_validate.parse_safely(Path(f)).getroot(), f) for f in files]


@cli.command(name="load")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--db", required=True, type=click.Path(dir_okay=False), help="The database to create (must not exist).")
@clear_errors
def load_cmd(files, db):
    """Load TEI files in the quotecorpus profile (ours or another edition's) into a new database.

    The files are validated first; a file outside the profile is refused with its line, and no
    database is left behind.

    Example: quotecorpus load tei/nowak-2025.xml --db nowak.db
    """
    from quotecorpus.db import load

    if Path(db).exists():
        raise click.ClickException(f"{db} exists; give a new file name")
    load.load(_read_tei(files), Path(db))
    click.echo(f"Loaded {len(files)} file(s) into {db}")


@cli.command(name="import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--corpus", "target", required=True, type=click.Path(file_okay=False), help="Folder of curated records to write into.")
@clear_errors
def import_cmd(files, target):
    """Import TEI in the quotecorpus profile as curated YAML records, and say what changed.

    Records are merged by id into the records already in --corpus: each added, changed (with
    its fields) or removed record is listed. An article's own TEI file (or a teiCorpus) holds all
    its quotations, so quotations missing from it are removed; a `.tei` selection only adds and
    updates.

    Example: quotecorpus import tei/himmer-1976.xml tei/nowak-2025.xml --corpus corpus
    """
    from quotecorpus.tei.importer import import_tei

    changes = import_tei(_read_tei(files), Path(target))
    for c in changes:
        click.echo(str(c))
    click.echo(f"Imported {len(files)} file(s) into {target}: {len(changes)} change(s).", err=True)


@cli.command(name="transliterate")
@click.argument("text")
@click.option("--scheme", default="ala-lc", show_default=True, type=click.Choice(["ala-lc", "ala-lc-diacritics", "iso9", "all"]))
@click.option("--language", default="ru", show_default=True, help="Language of TEXT (ALA-LC: ru only; iso9: any Cyrillic).")
@clear_errors
def transliterate_cmd(text, scheme, language):
    """Romanize Cyrillic TEXT: ALA-LC without diacritics (default), ALA-LC with diacritics, or ISO 9:1995.

    With --scheme all, prints one line per scheme: name, BCP 47 tag, romanization.

    Example: quotecorpus transliterate --scheme iso9 "Советско-германские отношения"
    """
    from quotecorpus.text.translit import TransliterationError, romanize_all, transliterate

    try:
        if scheme == "all":
            for s, tag, out in romanize_all(text, language):
                click.echo(f"{s.name}\t{tag}\t{out}")
        else:
            click.echo(transliterate(text, scheme, language))
    except TransliterationError as e:
        raise click.UsageError(str(e)) from None


@cli.command(name="audit-languages")
@with_paths
@clear_errors
def audit_languages_cmd(corpus, tei, db):
    """List every quotation whose curated language the detector disputes, and whether it is explained.

    Exits 1 if a disagreement has no detection_note. The language_audit canned query shows the same list.

    Example: quotecorpus audit-languages
    """
    from quotecorpus.db.langaudit import disagreements

    paths = _paths(corpus, tei, db)
    build(paths)
    rows = disagreements(paths.db)
    unexplained = [r for r in rows if not r["detection_note"]]
    for r in rows:
        why = r["detection_note"] or "UNEXPLAINED: fix the language or add a detection_note"
        click.echo(f"{r['id']}\tcurated {r['language']}\tdetected {r['detected_language']} ({r['detected_probability']})\t{why}")
    click.echo(f"{len(rows)} disagreement(s), {len(unexplained)} unexplained", err=True)
    if unexplained:
        sys.exit(1)


@cli.command()
@click.argument("text")
def detect(text):
    """Detect the language of TEXT with seeded langdetect: prints the language and its probability.

    Example: quotecorpus detect "Польша должна перестать быть барьером"
    """
    from quotecorpus.text.langid import MIN_LETTERS, MIN_WORDS
    from quotecorpus.text.langid import detect as run

    found = run(text)
    if found.language is None:
        click.echo(f"not judged ({found.status}: needs at least {MIN_WORDS} words and {MIN_LETTERS} letters)")
        sys.exit(1)
    click.echo(f"{found.language}\t{found.probability:.4f}")


@cli.command(name="audit")
@click.argument("article_text", type=click.Path(exists=True, dir_okay=False))
@click.option("--corpus", type=click.Path(file_okay=False), help="Folder of curated records [default: corpus/]")
@click.option("--article", help="Article id [default: the file's name without .txt]")
@click.option("--all", "show_all", is_flag=True, help="Also list the passages that are accounted for.")
@clear_errors
def audit_cmd(article_text, corpus, article, show_all):
    """List every Cyrillic run and quoted passage of ARTICLE_TEXT that the corpus neither holds nor excludes.

    Example: quotecorpus audit ../shared/articles/nowak-2025.txt
    """
    from quotecorpus.errors import AuditFailed
    from quotecorpus.records.audit import audit
    from quotecorpus.records.validate import load_and_validate
    from quotecorpus.text.articletext import ArticleText

    paths = _paths(corpus, None, None)
    text = ArticleText.read(Path(article_text))
    article = article or text.name
    records = load_and_validate(paths.corpus)
    if article not in records.ids("articles"):
        raise click.BadParameter(f"no article '{article}' in the corpus", param_hint="--article")
    report = audit(records, text, article)
    missing = set(report.unaccounted)
    for item in report.items if show_all else report.unaccounted:
        mark = "UNACCOUNTED " if item in missing else ""
        click.echo(f"{article_text}:{item.line}: {mark}{item.kind}: {item.text}")
    for p in report.stale + report.not_verbatim:
        click.echo(f"{p}", err=True)
    summary = (
        f"{article}: {len(report.items)} passages, {len(report.unaccounted)} unaccounted, "
        f"{len(report.stale)} stale exclusion(s), {len(report.not_verbatim)} text(s) not verbatim"
    )
    if not report.ok:
        raise AuditFailed(summary)
    click.echo(summary)


@cli.command(name="propose")
@click.argument("article_text", type=click.Path(exists=True, dir_okay=False))
@click.option("--article", help="Article id in articles.yaml [default: the file's name without .txt]")
@click.option("--corpus", type=click.Path(file_okay=False), help="Folder of curated records [default: corpus/]")
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Folder for the drafts (never inside the corpus).")
@clear_errors
def propose_cmd(article_text, article, corpus, out):
    """Draft records for an article from its extracted text, for a curator to review.

    Every Russian, German and Polish passage (quoted, Cyrillic, a foreign term) with page and footnote,
    its English where the article pairs one, and every quotation given only in English; speaker,
    addressee, date and document suggested from the registers with their evidence lines and confidence.
    Writes OUT/quotations/ARTICLE.yaml; records the corpus holds are not proposed again. Each draft has
    a `proposed:` block: validate and build refuse it until the curator has removed it.

    Example: quotecorpus propose ../shared/articles/new-2026.txt --article new-2026 --out drafts
    """
    from quotecorpus.propose.run import propose
    from quotecorpus.records.validate import load_and_validate

    paths = _paths(corpus, None, None)
    article = article or Path(article_text).stem
    result = propose(Path(article_text), article, load_and_validate(paths.corpus), Path(out))
    for rid, text in result.drafts.already:
        click.echo(f"already in the corpus: {rid}: {text[:70]}", err=True)
    click.echo(f"Wrote {len(result.drafts.records)} draft(s) to {result.path} ({len(result.drafts.already)} already in the corpus)")


@cli.command()
def schema():
    """Regenerate the schemas derived from the profile (scripts/quotecorpus/profile/).

    tei/schema/tei_quotecorpus.rng: tei_all.rng with every element outside the profile made
    notAllowed; tei/schema/quotecorpus-profile.sch: the Schematron of every element, attribute and
    closed value of the profile.

    Example: quotecorpus schema
    """
    from quotecorpus.tei import rules as tei_rules
    from quotecorpus.tei import validate as tei_validate

    tei_validate.TEI_SUBSET.write_bytes(tei_validate.build_subset())
    tei_validate.PROFILE_SCHEMATRON.write_bytes(tei_rules.schematron())
    click.echo(f"Wrote {tei_validate.TEI_SUBSET} and {tei_validate.PROFILE_SCHEMATRON}")


def main() -> None:
    cli()
