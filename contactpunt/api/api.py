"""The REST API, version 1."""

from ninja import NinjaAPI

api = NinjaAPI(title="Contactpunt API", version="1")
