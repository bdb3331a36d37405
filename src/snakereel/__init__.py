"""snakereel: written scripts to narrated, captioned vertical short videos."""

__version__ = "0.1.0"
