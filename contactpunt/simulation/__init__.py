"""A contact-centre simulator that drives the real services."""
