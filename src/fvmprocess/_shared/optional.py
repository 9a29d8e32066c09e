"""Optional dependencies: one import helper whose error names the extra to install."""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["import_optional"]


def import_optional(module: str, *, extra: str, purpose: str | None = None) -> ModuleType:
    """Import ``module``, or raise an :class:`ImportError` naming the pip extra that installs it.

    Args:
        module: the module to import, e.g. ``"weasyprint"``.
        extra: the fvmprocess extra that provides it, e.g. ``"render"``.
        purpose: what it is needed for, for the message (``"PDF output"``).

    Raises:
        ImportError: the module is not installed (or fails to import).

    Example:
        >>> import_optional("json", extra="render").__name__
        'json'
    """
    try:
        return importlib.import_module(module)
    except ImportError as e:
        what = f" for {purpose}" if purpose else ""
        raise ImportError(
            f"{module} is needed{what} but could not be imported ({e}); "
            f"install it with: pip install 'fvmprocess[{extra}]'"
        ) from e
