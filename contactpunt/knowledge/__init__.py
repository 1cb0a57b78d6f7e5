"""Knowledge: FAQ articles and the self-service portal."""
