"""Redirects of a tenant's site paths."""
