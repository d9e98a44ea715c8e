"""Residents' pages of the disclosure boards. Filled in by the public-pages work."""

from django.template.response import TemplateResponse


def board_view(board, request):
    return TemplateResponse(request, "disclosures/board.html", board.get_context(request))


def archive_view(board, request, year=None):
    return TemplateResponse(request, "disclosures/board.html", board.get_context(request))


def disclosure_view(page, request):
    return TemplateResponse(request, "disclosures/disclosure.html", page.get_context(request))


def print_view(page, request, paper="A4"):
    return TemplateResponse(request, "disclosures/disclosure.html", page.get_context(request))


def version_view(page, request, number):
    return TemplateResponse(request, "disclosures/disclosure.html", page.get_context(request))
