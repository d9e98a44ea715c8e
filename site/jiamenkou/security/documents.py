"""The document library's upload form: Wagtail's, with the content checked
(jiamenkou/security/uploads.py). Named in WAGTAILDOCS_DOCUMENT_FORM_BASE."""

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from wagtail.documents.forms import BaseDocumentForm

from jiamenkou.security.uploads import UnsafeFile, check_document


class CheckedDocumentForm(BaseDocumentForm):
    """:func:`check_document` on a newly uploaded file (not on a title-only edit)."""

    def clean_file(self):
        file = self.cleaned_data.get("file")
        if isinstance(file, UploadedFile):
            try:
                check_document(file, file.name)
            except UnsafeFile as refused:
                raise ValidationError(refused.message, code="unsafe_file") from None
        return file
