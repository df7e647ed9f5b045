"""AI Guide's figure engine: specs, data store, real-model computation and HTML renderers.

Nothing in this package imports MkDocs, so the same engine can be wired as a MkDocs hook
(see ``hooks/figures.py``) or as a SuperFences custom fence (see ``aiguide.fence``).
"""

__version__ = "0.1.0"
