"""kbtools: load, validate, index, search and render the kb troubleshooting knowledge base."""

__version__ = "0.1.0"
