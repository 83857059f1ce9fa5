"""SiteNinja: the multi-tenant API behind a website builder."""

from siteninja.app import create_app

__all__ = ["create_app"]
