"""Customers: people and accounts, their identities, merge and privacy."""
