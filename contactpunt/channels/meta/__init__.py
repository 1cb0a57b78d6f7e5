"""WhatsApp (Cloud API), Facebook Messenger and page comments, Instagram messages and comments, through Meta.

Setting up, per app registered with Meta:
1. In the admin, add a Meta app (app id, app secret, a verify token you choose) and, per Facebook page, Instagram
   account or WhatsApp phone number, a Meta account with its id, the queue its contacts go to and an access token.
2. In Meta's app dashboard, set the webhook callback URL to https://<your host>/channels/meta/webhook/<app id>/
   with the same verify token, and subscribe to: WhatsApp `messages`; Page `messages`, `message_deliveries`,
   `message_reads`, `messaging_postbacks` and `feed`; Instagram `messages` and `comments`.
Incoming: views.webhook -> intake (raw body kept, then payloads -> contacts.services.inbound.receive_contacts).
Outgoing: sender.send_meta, registered for SOCIAL and WHATSAPP in the channel drain (contactpunt.channels.senders).
"""
