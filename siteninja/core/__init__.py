"""Cross-cutting building blocks that know no resource."""
