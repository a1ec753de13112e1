"""Rendering reports for people: a text table and HTML (filled in by the CLI work)."""
