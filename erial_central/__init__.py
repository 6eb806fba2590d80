"""The reference central e-Rial server (FastAPI); built in its own issue."""
