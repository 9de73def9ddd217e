"""quotecorpus: a multilingual quotation and translation corpus (corpus/ → TEI → SQLite → Datasette)."""

__version__ = "0.1.0"
