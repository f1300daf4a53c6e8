"""The HTTP service of `resolver serve`: the Reconciliation Service API 0.2 and plain JSON endpoints."""

from resolver.service.app import Backend, create_app

__all__ = ["Backend", "create_app"]
