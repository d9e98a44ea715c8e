"""Routes under /api/activities/ (to be written)."""

app_name = "activities_api"

urlpatterns = []
