"""The seo resource."""
