"""Email channel: parsing raw RFC 822 messages and reading them from files, mbox and Maildir."""
