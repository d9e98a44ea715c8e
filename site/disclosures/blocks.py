"""The body of a disclosure: text, tables (pasted from Excel), attached files and images."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.contrib.table_block.blocks import TableBlock
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock

TEXT_FEATURES = ["h2", "h3", "bold", "ol", "ul", "link", "document-link"]

# Column headers whose cells are residents' names: with ``mask_names`` they show as 张*明.
NAME_HEADERS = ("姓名", "户主", "申请人", "领取人", "救助对象")


class DisclosureTableBlock(blocks.StructBlock):
    caption = blocks.CharBlock(label=_("表格标题"), required=False)
    table = TableBlock(label=_("表格"), help_text=_("可从 Excel 复制后直接粘贴"))
    mask_names = blocks.BooleanBlock(
        label=_("遮盖姓名（张*明）"),
        required=False,
        help_text=_("列标题为“姓名”“户主”“申请人”等的列只显示姓和末字，用于补贴、救助名单"),
    )

    class Meta:
        icon = "table"
        label = _("表格")
        template = "disclosures/blocks/table.html"


class AttachmentBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("文件（PDF、xlsx）"))
    caption = blocks.CharBlock(label=_("说明"), required=False)

    class Meta:
        icon = "doc-full"
        label = _("附件")
        template = "disclosures/blocks/attachment.html"


class FigureBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("图片"))
    caption = blocks.CharBlock(label=_("图片说明"), required=False)

    class Meta:
        icon = "image"
        label = _("图片")
        template = "disclosures/blocks/figure.html"


class DisclosureBodyBlock(blocks.StreamBlock):
    text = blocks.RichTextBlock(label=_("文字"), features=TEXT_FEATURES)
    table = DisclosureTableBlock()
    attachment = AttachmentBlock()
    figure = FigureBlock()
