"""Contacts: cases, contacts, messages, the event log, queues and the one inbound entry point."""
