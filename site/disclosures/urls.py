"""Public URLs of disclosures that are not pages of the tree: the committee's review page
(reached by a signed link) and the boards' Atom feeds."""

app_name = "disclosures"

urlpatterns: list = []
