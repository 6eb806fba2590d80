"""e-Rial Desk: the counter terminal of Muscat Municipality's e-Rial prepaid payment system."""

__version__ = "0.1.0"
