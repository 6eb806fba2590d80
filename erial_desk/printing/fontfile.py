"""Where the printing font is: kept in the domain so central's PDFs use the same file."""

from erial_desk.domain.fontfile import FAMILY, PACKAGE, font_path

__all__ = ["FAMILY", "PACKAGE", "font_path"]
