"""Every write to cases, contacts and the event log goes through these verbs.

- inbound: receive_contact / receive_contacts, the one entry point for every inbound contact
- events: record_contact_event, record_agent_state
- cases: resolve_case, reopen_case, merge_cases
"""
