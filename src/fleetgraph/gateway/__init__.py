"""The tool gateway: one registry and one enforcement point for every tool call."""
