"""List parsers, one module per format. ``FORMATS`` maps ``--format`` names to modules."""
