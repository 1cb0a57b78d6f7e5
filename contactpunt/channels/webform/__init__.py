"""The web form channel of the self-service portal."""
