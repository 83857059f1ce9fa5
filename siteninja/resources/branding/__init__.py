"""The branding resource."""
