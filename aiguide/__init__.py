"""AI Guide's figure engine: specs, data store, real-model computation and HTML renderers.

Nothing in this package imports MkDocs: the figures are a SuperFences custom fence
(``aiguide.fence``) and the guide's other Markdown features a Python-Markdown extension
(``aiguide.markdown``), which MkDocs and Zensical both run.
"""

__version__ = "0.1.0"
