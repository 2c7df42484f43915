"""Charts, HTML and PDF reports: render results of the Python API; compute nothing new."""
