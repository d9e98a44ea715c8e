"""iCalendar feeds per center, street and activity (to be written)."""

urlpatterns = []
