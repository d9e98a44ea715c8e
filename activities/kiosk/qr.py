"""QR codes for the lobby screen, drawn on the server with segno (no network on the screen).

``qr_svg`` gives a compact SVG element (one path, one unit per module, its own white quiet
zone) that the screen inlines and sizes with CSS; the data document carries one per URL.
"""

import re
from functools import lru_cache

import segno

# Low error correction: a screen does not crease or fade like paper, and fewer modules
# mean bigger ones at the same size, easier for a phone to read from a few steps away.
ERROR_LEVEL = "l"
_PATH_DATA = re.compile(r' d="([^"]+)"')


@lru_cache(maxsize=2048)
def qr_code(url: str) -> tuple[int, str]:
    """(size in modules, path data) of the QR code of ``url``; cached, codes never change."""
    code = segno.make(url, error=ERROR_LEVEL, micro=False)
    svg = code.svg_inline(scale=1, border=0, omitsize=True)
    size = code.symbol_size(scale=1, border=0)[0]
    return size, _PATH_DATA.search(svg).group(1)


def qr_path(url: str) -> str:
    """The path data of ``url``'s QR code, as the data document's ``qr`` map carries it."""
    return qr_code(url)[1]


def qr_size(url: str) -> int:
    return qr_code(url)[0]


def qr_svg(url: str, label: str = "") -> str:
    """A compact inline SVG element of ``url``'s QR code: black on white with a 2-module
    quiet zone, scaled by CSS (width/height of the element); ``label`` names it. The white
    is a rectangle, not a style attribute, which the Content-Security-Policy would refuse
    (as kiosk.js draws the codes of its data document)."""
    size, data = qr_code(url)
    named = f' role="img" aria-label="{_escape(label)}"' if label else ""
    side = size + 4
    return (
        f'<svg viewBox="-2 -2 {side} {side}"{named}>'
        f'<rect x="-2" y="-2" width="{side}" height="{side}" fill="#fff"/>'
        f'<path stroke="#000" d="{data}"/></svg>'
    )


def _escape(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )
