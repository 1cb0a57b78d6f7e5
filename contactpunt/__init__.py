"""Contactpunt: a single point of contact for customer-service teams."""

__version__ = "0.1.0"
