"""Public routes of activities outside the page tree (the site's urls.py includes this
module at /huodong/): iCalendar feeds and sign-ups. Each module lists its own routes."""

from activities import feeds
from activities.registration import views as registration_views

app_name = "activities"

urlpatterns = [*feeds.urlpatterns, *registration_views.urlpatterns]
