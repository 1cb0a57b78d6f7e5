"""The signed, expiring link token of an invitation.

The token carries the invitation's id and its expiry, signed with the secret key (django.core.signing), so a
changed character is caught and no database lookup is needed to refuse a forged link. Single use is the
answer's own rule (an invitation has at most one answer), not the token's.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from django.core import signing

from contactpunt.feedback.models import Invitation

SALT = "contactpunt.feedback.survey-link"


class TokenProblem(StrEnum):
    TAMPERED = "tampered"
    EXPIRED = "expired"


class TokenError(Exception):
    def __init__(self, problem: TokenProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def make_token(invitation: Invitation) -> str:
    """The token of the invitation's link."""
    return signing.dumps({"i": invitation.pk, "e": int(invitation.expires_at.timestamp())}, salt=SALT)


def read_token(token: str, now: dt.datetime) -> int:
    """The invitation id of a valid token; TokenError(TAMPERED) for a forged or damaged one, TokenError(EXPIRED)
    once its expiry has passed."""
    try:
        payload = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        raise TokenError(TokenProblem.TAMPERED) from None
    if not isinstance(payload, dict) or not isinstance(payload.get("i"), int) or not isinstance(payload.get("e"), int):
        raise TokenError(TokenProblem.TAMPERED)
    if now.timestamp() >= payload["e"]:
        raise TokenError(TokenProblem.EXPIRED)
    return int(payload["i"])
