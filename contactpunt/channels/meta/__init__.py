"""Social (Facebook, Instagram) and WhatsApp through Meta's webhooks and Graph API."""
