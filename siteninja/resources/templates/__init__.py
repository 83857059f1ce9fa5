"""The templates resource."""
