"""The auth resource."""
