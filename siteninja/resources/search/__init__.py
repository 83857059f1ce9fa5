"""Full-text search over a tenant's pages."""
