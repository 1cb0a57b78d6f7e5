"""The one entry point for every inbound contact, on every channel.

`receive_contacts` takes a batch and `receive_contact` a single contact; the single call is the
batch of one, so both paths create identical rows. For each contact, in order, it:

0. routes it to the queue it asks for, or (when that queue does not exist, is not active or takes another
   channel) to the channel's fallback queue, flagged with the reason (`queues.route`): never refused for it;
1. skips it as a duplicate when (source, external_id) was seen before (idempotency);
2. identifies the customer from the normalised identities: one known customer links, none creates
   a new customer, several (or a shared identity alone) link nobody: the agent decides;
3. joins the case the thread points at (email ids, case token, chat or social conversation),
   reopening a resolved case inside the reopen window; otherwise opens a new case linked to the
   customer's previous one;
4. writes the contact, its first leg, its message and attachments, and the `queued` event,
   and announces `contact_received` after commit.

Writes are batched (a handful of INSERTs per batch, whatever its size). Two concurrent batches that
race on the same new identity or contact hit a unique constraint; the batch then runs again and
finds the other's rows.

The package holds one module per step: validate, lookups, decide, writes, and receive, which runs
them; threads holds the thread keys and case tokens.
"""

from contactpunt.contacts.services.inbound.receive import receive_contact, receive_contacts
from contactpunt.contacts.services.inbound.threads import CASE_TOKEN, message_thread_key
from contactpunt.contacts.services.inbound.validate import MAX_TEXT

__all__ = ["CASE_TOKEN", "MAX_TEXT", "message_thread_key", "receive_contact", "receive_contacts"]
