"""immiplan: plan immigration levels and see what a plan does.

The package mirrors the domain, and data flows one way::

    system (parameters) -> plans -> selection -> projection -> outcomes -> report

``immiplan.cli`` is a thin command-line layer over the same Python API.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("immiplan")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = ["__version__"]
