"""Text-to-speech engines. Each returns audio plus the timing of every word."""

from .base import Speech, WordTiming, load_engine

__all__ = ["Speech", "WordTiming", "load_engine"]
