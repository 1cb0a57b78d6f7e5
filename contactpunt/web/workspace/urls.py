"""The workspace's URLs, under /workspace/."""

from django.urls import path

from contactpunt.web.workspace import attachments, picker, views

app_name = "workspace"

urlpatterns = [
    path("", views.inbox_page, name="inbox"),
    path("state/", views.set_state, name="state"),
    path("next/", views.take_next, name="next"),
    path("mentions/", views.mentions, name="mentions"),
    path("waiting/", views.waiting_alert, name="waiting"),
    path("cases/<str:case_id>/", views.case_page, name="case"),
    path("cases/<str:case_id>/timeline/", views.timeline, name="timeline"),
    path("cases/<str:case_id>/presence/", views.presence, name="presence"),
    path("cases/<str:case_id>/orders/", views.orders, name="orders"),
    path("cases/<str:case_id>/templates/", picker.search, name="templates"),
    path("cases/<str:case_id>/templates/<int:template_id>/", views.filled_template, name="template"),
    path("cases/<str:case_id>/attachments/<str:attachment_id>/", attachments.download, name="attachment"),
    path("cases/<str:case_id>/open/", views.open_case, name="open"),
    path("cases/<str:case_id>/leave/", views.leave_case, name="leave"),
    path("cases/<str:case_id>/heartbeat/", views.heartbeat, name="heartbeat"),
    path("cases/<str:case_id>/reply/", views.reply, name="reply"),
    path("cases/<str:case_id>/private/", views.continue_in_private, name="private"),
    path("cases/<str:case_id>/no-response/", views.no_response_needed, name="no_response"),
    path("cases/<str:case_id>/whatsapp-template/", views.whatsapp_template, name="whatsapp_template"),
    path("cases/<str:case_id>/note/", views.note, name="note"),
    path("cases/<str:case_id>/customer-note/", views.customer_note, name="customer_note"),
    path("cases/<str:case_id>/assign/", views.assign, name="assign"),
    path("cases/<str:case_id>/transfer/", views.transfer, name="transfer"),
    path("cases/<str:case_id>/wrap-up/", views.wrap_up, name="wrap_up"),
    path("cases/<str:case_id>/resolve/", views.resolve, name="resolve"),
    path("cases/<str:case_id>/reopen/", views.reopen, name="reopen"),
    path("cases/<str:case_id>/merge/", views.merge, name="merge"),
]
