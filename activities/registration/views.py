"""Sign-up views (to be written)."""

urlpatterns = []
