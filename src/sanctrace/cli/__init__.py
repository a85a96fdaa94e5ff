"""The ``sanctrace`` command line."""
