"""Channel adapters: email, telephony, web chat, social and WhatsApp, web form; all call contacts.services."""
