"""`quotecorpus propose`: draft records for a new article from its extracted plain text.

One concern per module: `layout` (pages, body, footnotes), `cleanup` (the repairs the corpus rules allow),
`passages` (candidate passages), `pairing` (original and English), `attribution` (speaker, addressee,
date, document from the registers), `terms` (foreign words in the author's prose), `drafts` (matching
records the corpus holds, writing the drafts), `bench` (the leave-one-out benchmark). It reads the
registers and the text; it imports nothing of the web layer.
"""
