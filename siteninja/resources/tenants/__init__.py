"""The tenants resource."""
