"""The AI content assistant resource."""
