"""Command-line tools: `python -m scopeflow.tools.<name>`."""
