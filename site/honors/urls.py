"""Public URLs of honors outside the page tree: residents' own points look-up."""

app_name = "honors"

urlpatterns: list = []
