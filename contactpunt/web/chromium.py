"""How the browser tests and the README screenshots start Debian's headless Chromium."""

# No sandbox (containers run as root), and nothing that calls home: the machine has no network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
