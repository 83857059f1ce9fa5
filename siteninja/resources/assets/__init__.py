"""The assets resource."""
