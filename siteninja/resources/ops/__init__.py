"""The ops resource."""
