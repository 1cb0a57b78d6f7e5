"""The public survey page: no login, on the signed link, in the customer's language, usable on a phone.

A GET shows the questions (and records that the link was opened); only the POST of the form stores an answer.
Every refusal is a page with a plain message and a 4xx status, and changes nothing.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from contactpunt.feedback.models import EFFORT_RANGE, RATING_RANGE, SCORE_RANGE, Invitation, SurveyKind
from contactpunt.feedback.services.answers import Problem, open_survey, opt_out, submit_answer
from contactpunt.feedback.services.tokens import read_token

MESSAGES = {
    Problem.TAMPERED: (404, _("This survey link is not valid. Please open the link exactly as we sent it to you.")),
    Problem.EXPIRED: (410, _("This survey link has expired. Thank you all the same for wanting to help us.")),
    Problem.USED: (409, _("You have already answered this survey. Your earlier answer stays as it was.")),
    Problem.ERASED: (410, _("This survey no longer exists.")),
}
FIELD_ERRORS = {
    "required": _("Please choose a score."),
    "range": _("Choose one of the values shown."),
    "length": _("Please keep your explanation under 2000 characters."),
}


def _problem(request: HttpRequest, problem: Problem) -> HttpResponse:
    status, message = MESSAGES[problem]
    return render(
        request, "feedback/survey_problem.html", {"message": message, "problem": problem.value}, status=status
    )


def _form(
    request: HttpRequest, invitation: Invitation, token: str, errors: dict[str, str], status: int = 200
) -> HttpResponse:
    survey = invitation.survey
    low, high = SCORE_RANGE[SurveyKind(survey.kind)]
    context = {
        "survey": survey,
        "token": token,
        "scores": list(range(low, high + 1)),
        "ratings": list(range(RATING_RANGE[0], RATING_RANGE[1] + 1)),
        "efforts": list(range(EFFORT_RANGE[0], EFFORT_RANGE[1] + 1)),
        "errors": {name: FIELD_ERRORS[code] for name, code in errors.items()},
        "values": request.POST if request.method == "POST" else {},
        "is_nps": survey.kind == SurveyKind.NPS,
    }
    return render(request, "feedback/survey.html", context, status=status)


@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, token: str) -> HttpResponse:
    """Show the survey (GET) or store the answer (POST)."""
    now = timezone.now()
    opened = open_survey(token, now) if request.method == "GET" else None
    if opened is not None:
        if opened.invitation is None:
            assert opened.problem is not None
            return _problem(request, opened.problem)
        with translation.override(opened.invitation.language):
            return _form(request, opened.invitation, token, {})
    result = submit_answer(token, request.POST.dict(), now)
    if result.answer is not None:
        with translation.override(result.answer.invitation.language):
            return render(request, "feedback/survey_thanks.html", {"token": token})
    assert result.problem is not None
    if result.problem is Problem.INVALID:
        invitation = Invitation.objects.select_related("survey").get(pk=_invitation_id(token))
        with translation.override(invitation.language):
            return _form(request, invitation, token, result.errors, status=400)
    return _problem(request, result.problem)


def _invitation_id(token: str) -> int:
    return read_token(token, timezone.now())


@require_POST
def stop(request: HttpRequest, token: str) -> HttpResponse:
    """The customer asks never to be surveyed again."""
    problem = opt_out(token, timezone.now())
    if problem is not None:
        return _problem(request, problem)
    return render(request, "feedback/survey_stopped.html")
