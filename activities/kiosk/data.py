"""The kiosk's data and heartbeat endpoints (to be written)."""

urlpatterns = []
