"""The api_keys resource."""
