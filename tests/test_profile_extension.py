"""A reference field added to the profile appears everywhere, with the profile and a fixture as the only edits.

A copy of the package gets one new field in profile/quotations.py — `witness`, a person present, with
its TEI slot and its column — and a copy of the small fixture corpus names a witness. Nothing else is
edited: `quotecorpus schema` regenerates the schemas, `quotecorpus build` validates, encodes and
loads it, and the reading room shows it as a link on the quotation's page and in the table's cells,
exports name a selection by it, and a search for the witness's name finds the quotation (the
profile's `<names>` are every reference to a person).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from quotecorpus.layout import ROOT

FIXTURES = Path(__file__).parent / "fixtures"

# (what the profile says, what is added after it): the field, its TEI slot, its column
EDITS = [
    ('        Field("document", "id", ref="documents"),\n', '        Field("witness", "id", ref="persons"),\n'),
    (
        '            el("ref", {"type": "document", "target": Ptr("document")}, content=Label("document")),\n',
        '            el("persName", {"ref": Ptr("witness"), "role": "witness"}, content=Label("witness")),\n',
    ),
    (
        '        Column("document", str, "The historical document quoted (see documents).", index=True),\n',
        '        Column("witness", str, "Who was present (see persons).", index=True),\n',
    ),
]

PROBE = textwrap.dedent(
    """
    import asyncio, json, re
    from quotecorpus.layout import Paths
    from quotecorpus.web.serving import make_datasette
    ds = make_datasette(Paths())
    get = lambda url: asyncio.run(ds.client.get(url))
    page = get("/corpus/quotations/nowak-2025-q002").text
    table = get("/corpus/quotations?_view=table&_size=max").text
    tei = get("/corpus/quotations.tei?witness=chicherin")
    found = get("/corpus/quotations.json?_search=Chicherin&_shape=objects").json()
    print(json.dumps({
        "page": re.findall(r'<dt>Witness</dt><dd><a href="([^"]+)">([^<]+)</a>', page),
        "cell": re.findall(r'<td class="col-witness[^"]*"[^>]*><a href="([^"]+)"', table),
        "tei_name": tei.headers.get("content-disposition"),
        "tei_witness": re.findall(r'<persName ref="#chicherin" role="witness">([^<]+)</persName>', tei.text),
        "search": [r["id"] for r in found["rows"]],
    }))
    """
)


@pytest.fixture(scope="module")
def extended(tmp_path_factory) -> Path:
    """A project folder whose package has the new field, built from the fixture corpus that uses it."""
    root = tmp_path_factory.mktemp("extended")
    shutil.copytree(ROOT / "scripts" / "quotecorpus", root / "scripts" / "quotecorpus", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "tei" / "schema", root / "tei" / "schema")
    shutil.copytree(FIXTURES / "mini", root / "corpus")
    profile = root / "scripts" / "quotecorpus" / "profile" / "quotations.py"
    text = profile.read_text(encoding="utf-8")
    for anchor, added in EDITS:
        assert text.count(anchor) == 1, anchor
        text = text.replace(anchor, anchor + added)
    profile.write_text(text, encoding="utf-8")
    records = root / "corpus" / "quotations" / "nowak-2025.yaml"
    records.write_text(records.read_text(encoding="utf-8").replace("  speaker: kopp\n", "  speaker: kopp\n  witness: chicherin\n", 1))
    return root


def _run(root: Path, *args: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(root / "scripts")}  # the copy, before the installed package
    done = subprocess.run([sys.executable, *args], cwd=root, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_a_new_reference_field_appears_everywhere(extended):
    _run(extended, "-m", "quotecorpus", "schema")
    _run(extended, "-m", "quotecorpus", "build")
    assert 'role="witness"' in (extended / "tei" / "nowak-2025.xml").read_text(encoding="utf-8")
    found = json.loads(_run(extended, "-c", PROBE).strip().splitlines()[-1])
    assert found["page"] == [["/corpus/persons/chicherin", "Georgy Chicherin"]]  # on the quotation's page
    assert found["cell"] == ["/corpus/persons/chicherin"]  # in the table's cells
    assert "witness" in found["tei_name"] or "chicherin" in found["tei_name"]  # an export named by it
    assert found["tei_witness"] == ["Georgy Chicherin"]
    assert "nowak-2025-q002" in found["search"]  # the witness's name finds the quotation
