"""The ``sanctrace`` command line."""

from sanctrace.cli import help as _help  # noqa: F401  (readable placeholders in --help)
