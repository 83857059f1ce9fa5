"""Revisions of pages: a snapshot per committed change, listed, shown and restored."""
