"""Quality in headless Chromium: two reviewers score the same contacts of a calibration round on the review page
(the case's timeline beside the form) and the round shows Krippendorff's alpha per criterion, the criterion they
read differently flagged for rewriting."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from contactpunt.conftest import make_user
from contactpunt.contacts.tests.workspace_data import mail
from contactpunt.people.models import Role
from contactpunt.quality.models import Review
from contactpunt.quality.services import CriterionSpec, create_scorecard, start_calibration
from contactpunt.web.tests.browser import login

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators"),
]

# per reviewer, per contact: (clear, friendly); they agree on "clear" and not on "friendly"
GIVEN = {"lotte": [(4, 0), (2, 4), (0, 1)], "marco": [(4, 4), (2, 0), (0, 3)]}


def test_a_calibration_round_in_the_browser(server_url, browser, team, email_queue) -> None:
    from playwright.sync_api import expect

    lotte = make_user("lotte", Role.TEAM_LEAD, team)
    marco = make_user("marco", Role.MANAGER, team)
    card = create_scorecard(name="Kwaliteit", criteria=[CriterionSpec("Duidelijk"), CriterionSpec("Vriendelijk")])
    cases = [mail(email_queue, timezone.now() - dt.timedelta(hours=n + 1), f"m{n}") for n in range(3)]
    contacts = [case.contacts.get() for case in cases]
    round_ = start_calibration(name="Maart", scorecard=card, contacts=contacts, reviewers=[lotte, marco], by=marco,
                               now=timezone.now())  # fmt: skip
    clear, friendly = (c.pk for c in card.criteria.all())
    for username in ("lotte", "marco"):
        page = login(browser, server_url, username, next_url=f"/quality/calibration/{round_.pk}/")
        for n, contact in enumerate(contacts):
            review = Review.objects.get(calibration=round_, contact=contact, reviewer__username=username)
            page.goto(f"{server_url}/quality/reviews/{review.pk}/")
            expect(page.locator(".review-timeline")).to_contain_text(cases[n].token)
            values = GIVEN[username][n]
            page.locator(f"input[name=criterion-{clear}][value='{values[0]}']").check()
            page.locator(f"input[name=criterion-{friendly}][value='{values[1]}']").check()
            page.locator("#save-review").click()
            page.wait_for_url(f"{server_url}/quality/calibration/{round_.pk}/")
    rows = page.locator("#agreement tbody tr")
    expect(rows.nth(0)).to_contain_text("1,000")
    expect(rows.nth(0)).to_contain_text("gelijk gescoord")
    expect(rows.nth(1)).to_contain_text("criterium herschrijven")
    # "friendly": (0, 4, 1) against (4, 0, 3) on an ordinal scale, alpha = 1 - D_o / D_e = -2/3 (below chance)
    expect(page.locator("#agreement thead")).to_contain_text("Alfa")
    assert re.fullmatch(r"[-\u2212]0,667", rows.nth(1).locator("td.num").first.inner_text().strip())
    assert Review.objects.filter(calibration=round_, done_at__isnull=False).count() == 6
