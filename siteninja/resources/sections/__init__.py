"""The sections resource."""
