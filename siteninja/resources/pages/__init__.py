"""The pages resource."""
