"""Layer 0: helpers every other layer may use; they import nothing of fvmprocess but ``errors``.

Internal: not part of the public API (see ``docs/architecture.md``).
"""
