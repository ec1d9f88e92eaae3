"""The offline backend: rules and maintained data, no network, no model weights."""

from eventbrief.backends.offline.backend import OfflineBackend, extract_article

__all__ = ["OfflineBackend", "extract_article"]
