"""Routes under /api/kiosks/ (the site's urls.py includes this module there)."""

from activities.kiosk import data

app_name = "kiosk_api"

urlpatterns = [*data.urlpatterns]
