"""The kiosk screen pages (to be written)."""

urlpatterns = []
