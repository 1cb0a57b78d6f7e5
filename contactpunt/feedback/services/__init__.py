"""Every write of the feedback app: invitations, answers, opt-outs and follow-ups."""
