"""The web chat channel: the embeddable widget, its websocket and the written fallback."""
