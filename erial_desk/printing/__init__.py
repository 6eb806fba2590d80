"""Receipts and documents: thermal raster over ESC/POS, PDF; built in its own issue."""
