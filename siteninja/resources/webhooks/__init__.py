"""The webhooks resource."""
