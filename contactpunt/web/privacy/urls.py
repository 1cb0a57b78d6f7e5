"""The customer-data page's URLs, under /customer-data/."""

from django.urls import path

from contactpunt.web.privacy import views

app_name = "privacy"

urlpatterns = [
    path("", views.search, name="search"),
    path("<int:customer_id>/", views.customer, name="customer"),
    path("<int:customer_id>/export/", views.export, name="export"),
    path("<int:customer_id>/erase/", views.erase, name="erase"),
]
