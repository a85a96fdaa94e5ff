"""sanctrace: sanctions and export-control screening and investigation."""

__version__ = "0.1.0"
