"""Text-to-speech engines. Each returns audio plus the timing of every word."""

from ..words import WordTiming
from .registry import load_engine
from .speech import Speech

__all__ = ["Speech", "WordTiming", "load_engine"]
