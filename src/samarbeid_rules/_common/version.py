"""The library's version (also ``samarbeid_rules.__version__``)."""

__version__ = "0.1.0"
