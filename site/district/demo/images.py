"""Banner images for the demo, drawn with Pillow (nothing is downloaded)."""

import hashlib
from io import BytesIO

from django.core.files.images import ImageFile
from PIL import Image as PILImage
from PIL import ImageDraw, ImageFont
from wagtail.images import get_image_model

WIDTH, HEIGHT = 960, 400


def _palette(seed: str) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    digest = hashlib.sha256(seed.encode()).digest()
    sky = (170 + digest[0] % 60, 200 + digest[1] % 50, 230 + digest[2] % 25)
    wall = (200 + digest[3] % 40, 80 + digest[4] % 50, 60 + digest[5] % 40)
    return sky, wall


def draw_center_banner(code: str) -> bytes:
    """A building under a sky, with the center's code: distinct per center, deterministic."""
    sky, wall = _palette(code)
    image = PILImage.new("RGB", (WIDTH, HEIGHT), sky)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 320, WIDTH, HEIGHT), fill=(120, 170, 110))
    draw.rectangle((300, 120, 660, 330), fill=wall)
    draw.polygon([(280, 125), (480, 50), (680, 125)], fill=(150, 30, 30))
    for row in range(3):
        for column in range(5):
            x, y = 325 + column * 68, 140 + row * 52
            draw.rectangle((x, y, x + 40, y + 32), fill=(250, 240, 200))
    draw.rectangle((455, 270, 505, 330), fill=(90, 50, 30))
    font = ImageFont.load_default(size=44)
    draw.text((40, 30), code, fill=(30, 30, 30), font=font)
    buffer = BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def get_or_create_center_image(code: str, title: str):
    """One image per center code, drawn the first time only."""
    image_model = get_image_model()
    file_name = f"demo-center-{code.lower()}.png"
    existing = image_model.objects.filter(title=title).first()
    if existing:
        return existing
    content = ImageFile(BytesIO(draw_center_banner(code)), name=file_name)
    return image_model.objects.create(title=title, file=content)
