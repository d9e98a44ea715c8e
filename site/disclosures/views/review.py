"""The committee member's review page, reached by a signed link without logging in.

GET shows the draft under review (the reviewed revision, read-only) and the two choices;
POST records the decision (disclosures.review.decide) and says what happened. The page is
kept out of caches, search engines and other sites' Referer headers: its URL is the key.
"""

from django import forms
from django.template.response import TemplateResponse
from django.views.decorators.csrf import csrf_exempt

from disclosures import review

TEMPLATES = "disclosures/review/"
APPROVE = "approve"
RETURN = "return"


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[(APPROVE, "同意公开"), (RETURN, "退回修改")])
    comment = forms.CharField(
        label="意见或需要修改的地方",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="同意公开时可以不填；退回修改时必须写明要改什么。",
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == RETURN and not (data.get("comment") or "").strip():
            self.add_error("comment", "退回修改时请写明需要修改的地方")
        return data


def private(response):
    """The link is the key to the page: not cached, not indexed, not passed on as Referer."""
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


def draft_context(link) -> dict:
    task_state = link.task_state
    draft = task_state.revision.as_object()
    rows = list(draft.finance_rows.all())
    return {
        "link": link,
        "member": link.member,
        "draft": draft,
        "center": draft.center,
        "finance_rows": rows,
        "income_total": sum((row.income for row in rows), 0),
        "expenditure_total": sum((row.expenditure for row in rows), 0),
        "committee": link.member.committee,
        "approvals": list(review.approvals_of(task_state)),
    }


# No CSRF token: the page holds no session or cookie to ride on, and a forged POST would
# need the unguessable token in its URL. With Referrer-Policy: no-referrer, browsers send
# "Origin: null", which Django's CSRF check would refuse.
@csrf_exempt
def review_view(request, token):
    found = review.verify(token)
    if isinstance(found, str):
        return private(
            TemplateResponse(request, TEMPLATES + "problem.html", {"message": found}, status=410)
        )
    link = found
    form = DecisionForm(request.POST if request.method == "POST" else None)
    refused = None
    if request.method == "POST" and form.is_valid():
        try:
            outcome = review.decide(
                link,
                approved=form.cleaned_data["decision"] == APPROVE,
                comment=form.cleaned_data["comment"],
            )
        except review.ReviewRefused as error:
            refused = " ".join(error.messages)
        else:
            title = link.task_state.revision.as_object().title
            context = {"outcome": outcome, "member": link.member, "title": title}
            return private(TemplateResponse(request, TEMPLATES + "done.html", context))
    context = {**draft_context(link), "form": form, "refused": refused}
    return private(TemplateResponse(request, TEMPLATES + "review.html", context))
