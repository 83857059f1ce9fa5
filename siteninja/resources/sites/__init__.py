"""The public site delivery resource."""
