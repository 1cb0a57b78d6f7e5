"""Telephony channel: parsers that turn call logs (Technion, Asterisk queue_log, mapped CSV) into call records."""
