"""quotecorpus: a multilingual quotation and translation corpus (corpus/ → TEI → SQLite → Datasette)."""

# The release, defined here and nowhere else: pyproject.toml reads the version from this line
# (setuptools' `attr:`), and metadata.json, every TEI header, every citation, the home page and the
# release bundle are made from these names. A release is citable only if what it is called cannot
# differ between them; tests/test_release.py checks that nothing else states another version.
# Change both together for a new release: a release bundle of a version is never overwritten.
__version__ = "1.1"
RELEASE_DATE = "2026-12-01"  # ISO 8601: the day this version was released
EDITION = f"quotecorpus, version {__version__} ({RELEASE_DATE})"  # how every citation names the release
