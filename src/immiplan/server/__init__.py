"""The web planner: a JSON API over the projection, the cut and saved scenarios, and a page.

>>> from immiplan.server import Settings, create_app
>>> app = create_app(Settings(database_url="sqlite:///planner.sqlite3"))  # doctest: +SKIP

``immiplan serve`` runs it on uvicorn (:mod:`immiplan.cli.serve`); ``docs/server.md``
describes the API, storage, tokens and limits.
"""

from immiplan.server.app import create_app
from immiplan.server.settings import Settings

__all__ = ["Settings", "create_app"]
