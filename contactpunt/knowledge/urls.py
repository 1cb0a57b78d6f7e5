"""The public portal (/help/) and the staff's knowledge pages (/knowledge/)."""

from django.urls import URLPattern, URLResolver, path

from contactpunt.knowledge import portal, staff, widget

app_name = "knowledge"

urlpatterns: list[URLPattern | URLResolver] = [
    path("help/", portal.home, name="portal"),
    path("help/c/<slug:slug>/", portal.category, name="category"),
    path("help/a/<str:article_id>/", portal.article_page, name="article"),
    path("help/a/<str:article_id>/vote/", portal.vote, name="vote"),
    path("help/contact/", portal.contact, name="contact"),
    path("help/contact/sent/", portal.contact_sent, name="contact-sent"),
    path("help/suggest/", portal.suggest, name="suggest"),
    path("help/suggest/widget/", widget.suggest, name="widget-suggest"),
    path("help/brand.css", portal.brand_css, name="brand-css"),
    # The same pages in an account group's portal view, reached by the link with the group's key.
    path("help/p/<str:portal_key>/", portal.home, name="group-portal"),
    path("help/p/<str:portal_key>/c/<slug:slug>/", portal.category, name="group-category"),
    path("help/p/<str:portal_key>/a/<str:article_id>/", portal.article_page, name="group-article"),
    path("help/p/<str:portal_key>/a/<str:article_id>/vote/", portal.vote, name="group-vote"),
    path("help/p/<str:portal_key>/contact/", portal.contact, name="group-contact"),
    path("help/p/<str:portal_key>/contact/sent/", portal.contact_sent, name="group-contact-sent"),
    path("help/p/<str:portal_key>/suggest/", portal.suggest, name="group-suggest"),
]

urlpatterns += [
    path("knowledge/", staff.article_list, name="staff-list"),
    path("knowledge/new/", staff.article_new, name="staff-new"),
    path("knowledge/articles/<str:article_id>/", staff.article_detail, name="staff-article"),
    path("knowledge/articles/<str:article_id>/edit/", staff.article_edit, name="staff-edit"),
    path("knowledge/articles/<str:article_id>/status/", staff.article_status, name="staff-status"),
    path("knowledge/articles/<str:article_id>/reviewed/", staff.article_reviewed, name="staff-reviewed"),
    path("knowledge/articles/<str:article_id>/quote/", staff.article_quote, name="staff-quote"),
    path("knowledge/todo/", staff.my_tasks, name="todo"),
    path("knowledge/changes/", staff.changes, name="changes"),
    path("knowledge/changes/read/", staff.changes_read, name="changes-read"),
    path("knowledge/quotes/<int:quote_id>/review/", staff.quote_review, name="quote-review"),
    path("knowledge/usage/", staff.usage_page, name="usage"),
    path("knowledge/portals/", staff.group_portal_list, name="group-portals"),
    path("knowledge/portals/<int:group_id>/", staff.group_portal_change, name="group-portal-change"),
    path("knowledge/cases/<str:case_id>/suggestions/", staff.case_suggestions, name="case-suggestions"),
]
