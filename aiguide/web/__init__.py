"""Files the site serves to the reader's browser, derived from the real models at build time.

Pure exports (model files in, asset bytes and a manifest out); the MkDocs wiring is in
``hooks/``. Nothing here is committed to git: the build regenerates it from the PyPI packages.
"""
