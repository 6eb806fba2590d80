"""One dialog a module."""
