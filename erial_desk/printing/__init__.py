"""Receipts and documents: the receipt model, the thermal raster over ESC/POS, PDF documents.

``model`` and ``inputs`` are plain data; ``documents`` builds a ``Document`` from a journal entry;
``layout``/``raster`` (QtGui) and ``escpos_out`` make the bytes of a thermal printer; ``pdf``
(ReportLab) makes A4 reports and A5 receipts; ``connections`` sends them; ``queue`` holds the rules
of a print attempt. Importing this package loads neither Qt nor ReportLab.
"""
