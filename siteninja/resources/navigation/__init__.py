"""The navigation resource."""
