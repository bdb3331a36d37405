"""Text-to-speech engines. Each returns audio plus the timing of every word."""

__all__ = ["Speech", "WordTiming", "load_engine"]


def __getattr__(name: str):
    # Imported on first use: a tts job that asks the speech server needs no numpy.
    if name in __all__:
        from . import base

        return getattr(base, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
