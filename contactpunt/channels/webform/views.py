"""The web form pages: the form on the portal, the same form to embed in a customer's site, and the confirmation.

The embedded form runs in a frame on another site, where the browser does not send our CSRF cookie; it is
CSRF-exempt and relies on what guards a public, anonymous form anyway: the signed single-use key of each
rendering, the hidden field bots fill in, and the rate per address.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from contactpunt.channels.webchat.limits import allowed_origins, take_for_address
from contactpunt.channels.webform.forms import TOO_LARGE, WebForm, new_key
from contactpunt.channels.webform.services import (
    SOURCE,
    is_accepted,
    read_reference,
    sent_reference,
    submit_written,
    webform_queue,
)
from contactpunt.channels.webform.uploads import CappedUploadHandler, cap_uploads

RATE_SETTING = "WEBFORM_RATE_PER_IP"
RATE_DEFAULT = (5, 600)


@csrf_exempt  # the CSRF check reads the body: it runs below, once the upload cap is in place
@require_http_methods(["GET", "POST"])
def form_page(request: HttpRequest) -> HttpResponse:
    """The contact form of the self-service portal."""
    cap = cap_uploads(request)
    return _checked_form(request, cap)


@csrf_protect
def _checked_form(request: HttpRequest, cap: CappedUploadHandler) -> HttpResponse:
    return _form(request, cap, embed=False)


@csrf_exempt
@xframe_options_exempt
@require_http_methods(["GET", "POST"])
def embedded_form(request: HttpRequest) -> HttpResponse:
    """The contact form for a frame on a customer's site (the sites of WEBCHAT_ALLOWED_ORIGINS may frame it)."""
    return _framable(_form(request, cap_uploads(request), embed=True))


@require_http_methods(["GET"])
def sent_page(request: HttpRequest) -> HttpResponse:
    """The confirmation with the case token; `ref` is signed, so nobody reads another visitor's confirmation."""
    return _sent(request, embed=False)


@xframe_options_exempt
@require_http_methods(["GET"])
def embedded_sent_page(request: HttpRequest) -> HttpResponse:
    return _framable(_sent(request, embed=True))


def _form(request: HttpRequest, cap: CappedUploadHandler, *, embed: bool) -> HttpResponse:
    status = 200
    if request.method == "POST":
        try:
            form = WebForm(request.POST, request.FILES)
        except RequestDataTooBig:  # only a forged post: the fields' own limits keep a browser's far below it
            form = WebForm(initial={"key": new_key(), "queue": request.GET.get("queue", "")})
            notice = _("Your message is larger than this form takes (10 MB) and did not arrive.")
            context = {"form": form, "embed": embed, "notice": notice}
            return render(request, "channels/webform/form.html", context, status=413)
        valid = form.is_valid()
        if "attachment" in cap.too_large:
            form.add_error("attachment", TOO_LARGE)
            valid, status = False, 413
        if valid:
            if form.is_spam:
                return HttpResponseRedirect(_sent_url(embed, None))
            if take_for_address(_address(request), setting=RATE_SETTING, default=RATE_DEFAULT):
                form.add_error(None, _("You have sent several messages just now. Wait a few minutes and send again."))
                status = 429
            else:
                received = submit_written(
                    written=form.written(language=translation.get_language() or ""),
                    queue=webform_queue(form.cleaned_data["queue"] or ""),
                    source=SOURCE,
                    at=timezone.now(),
                )
                if is_accepted(received) and received.case_id is not None:
                    return HttpResponseRedirect(_sent_url(embed, received.case_id))
                form.add_error(None, _("Your message could not be taken now. Your text is kept: try again later."))
                status = 503
        elif status != 413:
            status = 400
        if "key" in form.errors:
            fresh = request.POST.copy()
            fresh["key"] = new_key()
            form.data = fresh
    else:
        form = WebForm(initial={"key": new_key(), "queue": request.GET.get("queue", "")})
    return render(request, "channels/webform/form.html", {"form": form, "embed": embed}, status=status)


def _sent(request: HttpRequest, *, embed: bool) -> HttpResponse:
    token = read_reference(request.GET.get("ref", ""))
    return render(request, "channels/webform/sent.html", {"token": token, "embed": embed})


def _sent_url(embed: bool, reference: int | None) -> str:
    url = reverse("channels:webform-embed-sent" if embed else "channels:webform-sent")
    return f"{url}?ref={sent_reference(reference)}" if reference else url


def _framable(response: HttpResponse) -> HttpResponse:
    """Let the sites that may open the chat frame the form too: WEBCHAT_ALLOWED_ORIGINS and (as the chat's origin
    check does) the hosts of ALLOWED_HOSTS, on any port."""
    origins = allowed_origins()
    hosts = [_host_source(host) for host in settings.ALLOWED_HOSTS if "[" not in host]  # CSP has no IPv6 literals
    if "*" in origins or "*" in hosts:
        response["Content-Security-Policy"] = "frame-ancestors *"
        return response
    ancestors = " ".join(dict.fromkeys(["'self'", *origins, *hosts]))
    response["Content-Security-Policy"] = f"frame-ancestors {ancestors}"
    return response


def _host_source(host: str) -> str:
    """An ALLOWED_HOSTS entry as a CSP host source on any port (".example.nl" is the domain and its subdomains)."""
    if host == "*":
        return "*"
    if host.startswith("."):
        return f"*{host}:* {host[1:]}:*"
    return f"{host}:*"


def _address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", "unknown"))
