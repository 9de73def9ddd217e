"""What a hostile tester put into corpus/ and into TEI (issue 22), made on demand: the tests refuse each
case, `scripts/dev bench` times them, so the next round of hostile use starts where this one stopped.

Strange files: each function turns a copy of a corpus into the case and returns what the message must
say. Bad records at scale: the text of quotations/nowak-2025.yaml. Hostile XML: the bytes of a TEI file
whose DOCTYPE or entity names `target` (a FIFO in the tests: opening it would block).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from pathlib import Path

# --- strange files in corpus/ ----------------------------------------------------------------------


def _replace(path: Path) -> Path:
    if path.is_dir() and not path.is_symlink():
        for p in sorted(path.rglob("*"), reverse=True):
            p.rmdir() if p.is_dir() and not p.is_symlink() else p.unlink()
        path.rmdir()
    elif path.exists() or path.is_symlink():
        path.unlink()
    return path


def symlink_loop(corpus: Path) -> str:
    q = corpus / "quotations"
    (q / "x.yaml").symlink_to("nowak-2025.yaml")
    _replace(q / "nowak-2025.yaml").symlink_to("x.yaml")
    return "corpus/quotations/nowak-2025.yaml: a symbolic link in a loop of links (x.yaml)"


def dangling_symlink(corpus: Path) -> str:
    (corpus / "quotations" / "himmer-1976.yaml").symlink_to("missing.yaml")
    return "corpus/quotations/himmer-1976.yaml: a symbolic link to nothing (missing.yaml does not exist)"


def symlink_to_a_directory(corpus: Path) -> str:
    target = corpus.parent / "elsewhere"
    target.mkdir(exist_ok=True)
    (corpus / "quotations" / "himmer-1976.yaml").symlink_to(target)
    return f"corpus/quotations/himmer-1976.yaml: a symbolic link to a directory ({target})"


def directory_named_like_records(corpus: Path) -> str:
    _replace(corpus / "quotations" / "nowak-2025.yaml").mkdir()
    (corpus / "quotations" / "nowak-2025.yaml" / "inside.yaml").write_text("[]\n")
    return "corpus/quotations/nowak-2025.yaml: a directory, not a records file"


def symlink_to_dev_zero(corpus: Path) -> str:
    _replace(corpus / "quotations" / "nowak-2025.yaml").symlink_to("/dev/zero")
    return "corpus/quotations/nowak-2025.yaml: a symbolic link to a character device (/dev/zero)"


def symlink_to_dev_urandom(corpus: Path) -> str:
    _replace(corpus / "persons.yaml").symlink_to("/dev/urandom")
    return "corpus/persons.yaml: a symbolic link to a character device (/dev/urandom)"


def fifo(corpus: Path) -> str:
    os.mkfifo(_replace(corpus / "quotations" / "nowak-2025.yaml"))
    return "corpus/quotations/nowak-2025.yaml: a FIFO (named pipe), not a records file"


def fifo_outside_the_registers(corpus: Path) -> str:
    (corpus / "exclusions").mkdir(exist_ok=True)
    os.mkfifo(corpus / "exclusions" / "nowak-2025.yaml")
    return "corpus/exclusions/nowak-2025.yaml: a FIFO (named pipe)"


def socket_named_like_records(corpus: Path) -> str:
    s = socket.socket(socket.AF_UNIX)
    s.bind(str(corpus / "works.yaml.yaml"))
    s.close()
    return "corpus/works.yaml.yaml: a socket, not a records file"


def symlink_to_records_inside_the_corpus(corpus: Path) -> str:
    (corpus / "quotations" / "himmer-1976.yaml").symlink_to("nowak-2025.yaml")
    return "corpus/quotations/himmer-1976.yaml: a symbolic link to a regular file (nowak-2025.yaml)"


def symlinked_records_folder(corpus: Path) -> str:
    target = corpus.parent / "quotations-elsewhere"
    (corpus / "quotations").rename(target)
    (corpus / "quotations").symlink_to(target)
    return f"corpus/quotations: a symbolic link to a directory ({target})"


STRANGE_FILES: dict[str, Callable[[Path], str]] = {
    f.__name__: f
    for f in (
        symlink_loop,
        dangling_symlink,
        symlink_to_a_directory,
        directory_named_like_records,
        symlink_to_dev_zero,
        symlink_to_dev_urandom,
        fifo,
        fifo_outside_the_registers,
        socket_named_like_records,
        symlink_to_records_inside_the_corpus,
        symlinked_records_folder,
    )
}

# --- 200,000 bad records ---------------------------------------------------------------------------

MANY = 200_000
BAD_RECORDS_AT_SCALE: dict[str, tuple[Callable[[], str], str]] = {
    # name: (the text of a quotations file, what the message must say)
    "long_key": (lambda: "- id: nowak-2025-q001\n  " + "k" * (10 * 1024 * 1024) + ": 1\n", "… (10,485,760 characters)"),
    "scalars": (lambda: "- x\n" * MANY, "found str"),
    "nulls": (lambda: "-\n" * MANY, "found NoneType"),
    "empty_mappings": (lambda: "- {}\n" * MANY, "missing required field 'id'"),
    "unknown_keys": (lambda: "- {zz: 1}\n" * MANY, "unknown field 'zz'"),
}


def put_bad_records(corpus: Path, case: str) -> str:
    make, expected = BAD_RECORDS_AT_SCALE[case]
    (corpus / "quotations" / "nowak-2025.yaml").write_text(make(), encoding="utf-8")
    return expected


# --- hostile XML in any encoding -------------------------------------------------------------------

# name: (the codec of the text, its byte order mark, the encoding its declaration names)
ENCODINGS: dict[str, tuple[str, bytes, str | None]] = {
    "utf-8": ("utf-8", b"", "UTF-8"),
    "utf-8-bom": ("utf-8", b"\xef\xbb\xbf", None),
    "utf-16-le-bom": ("utf-16-le", b"\xff\xfe", "UTF-16"),
    "utf-16-be-bom": ("utf-16-be", b"\xfe\xff", "UTF-16"),
    "utf-16-le": ("utf-16-le", b"", "UTF-16"),  # no BOM: known by the first bytes of "<?xml"
    "utf-16-be": ("utf-16-be", b"", "UTF-16"),
    "utf-32-le-bom": ("utf-32-le", b"\xff\xfe\x00\x00", "UTF-32"),
    "utf-32-be-bom": ("utf-32-be", b"\x00\x00\xfe\xff", "UTF-32"),
    "utf-32-le": ("utf-32-le", b"", "UTF-32"),
    "utf-32-be": ("utf-32-be", b"", "UTF-32"),
    "latin-1": ("latin-1", b"", "ISO-8859-1"),  # eight bits: known by the declaration
    "ebcdic": ("cp037", b"", "IBM037"),
}
HOSTILE_KINDS = {
    "external_dtd": ('<!DOCTYPE TEI SYSTEM "{target}">', "x"),
    "parameter_entity": ('<!DOCTYPE TEI [<!ENTITY % ext SYSTEM "{target}"> %ext;]>', "x"),
    "external_entity": ('<!DOCTYPE TEI [<!ENTITY ext SYSTEM "{target}">]>', "&ext;"),
}
_BODY = '<TEI xmlns="http://www.tei-c.org/ns/1.0"><text><body><p>{p}</p></body></text></TEI>\n'


def encoded(text: str, encoding: str) -> bytes:
    """A document's text in one of ENCODINGS, with its declaration and byte order mark."""
    codec, bom, declared = ENCODINGS[encoding]
    declaration = f'<?xml version="1.0" encoding="{declared}"?>\n' if declared else ""
    return bom + (declaration + text).encode(codec)


def hostile_xml(encoding: str, kind: str, target: str) -> bytes:
    """A TEI document whose DOCTYPE (an external DTD, a parameter entity, an external entity) names `target`."""
    doctype, p = HOSTILE_KINDS[kind]
    return encoded(doctype.format(target=target) + "\n" + _BODY.format(p=p), encoding)


def namespace_bomb(n: int = 50_000) -> bytes:
    declarations = " ".join(f'xmlns:p{i}="urn:x:{i}"' for i in range(n))
    return _BODY.replace("<TEI ", f"<TEI {declarations} ").format(p="x").encode()


def long_sibling_list(n: int = 50_000) -> bytes:
    """50,000 notes in one note of a quotation: libxml2's RELAX NG validation of them is quadratic."""
    src = (Path(__file__).parents[1] / "tei" / "nowak-2025.xml").read_text(encoding="utf-8")
    return src.replace('<note type="editorial">', '<note type="editorial">' + "<note>x</note>" * n, 1).encode()
