"""The ``tradegap`` command: thin wrappers that parse input, call the Python API and render."""
