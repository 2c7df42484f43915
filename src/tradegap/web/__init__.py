"""The dashboard: a FastAPI app over the Python API (``tradegap serve``).

>>> from tradegap.web import create_app     # doctest: +SKIP
>>> app = create_app("/path/to/warehouse")  # doctest: +SKIP
"""

from tradegap.web.app import create_app

__all__ = ["create_app"]
