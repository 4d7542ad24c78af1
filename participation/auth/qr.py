"""QR codes of authenticator-app links, drawn on the server as SVG (no script in the page).

The image goes into the page as a data: URI, which the Content-Security-Policy's img-src allows
(core/security.py); the same link's secret is shown as text for typing by hand.
"""

import base64

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from qrcode.image.svg import SvgPathFillImage


def qr_svg(text):
    """An SVG document of `text` as a QR code: one path on a white background (a dark page
    must not swallow the quiet zone that readers need), four modules of margin."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4)
    code.add_data(text)
    code.make(fit=True)
    return code.make_image(image_factory=SvgPathFillImage).to_string(encoding="unicode")


def svg_data_uri(svg):
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")
