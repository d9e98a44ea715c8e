"""Routes under /kiosk/ (the site's urls.py includes this module there)."""

from activities.kiosk import views

app_name = "kiosk"

urlpatterns = [*views.urlpatterns]
