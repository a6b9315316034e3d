"""Server-rendered SVG charts of the /bao-cao page (pygal), safe to inline under CSP script-src 'self'.

pygal (LGPL-3.0, maintained by Kozea) draws complete SVG documents on the server with no browser
runtime; its only script is an optional tooltip helper, which we drop: every <script> element and
every ``on*`` attribute is removed from the tree before serialisation, so the page stays script-free
whatever pygal adds in a later version (and its import hook is removed, below). Each chart is
``role="img"`` with a <title> and <desc> (aria-labelledby), values printed on the bars for readers
without hover, and the page shows the same numbers as a table right after it (the accessible alternative)."""

from __future__ import annotations

import itertools
import sys
from collections.abc import Mapping, Sequence
from decimal import Decimal

import pygal
from lxml import etree
from markupsafe import Markup
from pygal.style import Style

from web.i18n import number_text

# pygal appends a legacy import hook (PluginImportFixer, for its map plugins, which we do not use) to
# sys.meta_path on import; Python 3.11 warns (ImportWarning) whenever an import reaches it, and 3.12
# ignores it. Take it out again so the rest of the process imports as if pygal were not there.
sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "PluginImportFixer"]

SVG = "{http://www.w3.org/2000/svg}"
#: the site's palette (web/templates/_motcua.css), system fonts, sizes readable at 360 px once scaled
STYLE = Style(background="transparent", plot_background="transparent", foreground="#1b1b1b",
              foreground_strong="#1b1b1b", foreground_subtle="#6b6b6b", colors=("#005ea2", "#b50909", "#2e8540"),
              font_family="system-ui, sans-serif", label_font_size=14, major_label_font_size=14,
              legend_font_size=15, value_font_size=13, tooltip_font_size=13)
_ids = itertools.count(1)


def _clean(root: etree._Element) -> None:
    for script in root.iter(f"{SVG}script", "script"):
        parent = script.getparent()
        if parent is not None:
            parent.remove(script)
    for node in root.iter():
        for name in [n for n in node.attrib if str(n).lower().startswith("on")]:
            del node.attrib[name]


def bars(title: str, description: str, labels: Sequence[str], series: Mapping[str, Sequence[Decimal | None]],
         lang: str = "vi", no_data: str = "Chưa có dữ liệu") -> Markup:
    """Grouped bars of rates in % (0–100), one series per indicator; None leaves a gap (no data).
    The values printed on the bars take the page's decimal mark (a comma in Vietnamese); `no_data` is
    written across an empty chart (pygal's own text is English)."""
    chart = pygal.Bar(js=[], disable_xml_declaration=True, width=720, height=320, range=(0, 100),
                      style=STYLE, legend_at_bottom=True, print_values=True, x_label_rotation=0,
                      truncate_label=-1, truncate_legend=-1, no_data_text=no_data,
                      value_formatter=lambda v: number_text(f"{v:.2f}", lang, trim=True))
    chart.x_labels = list(labels)
    for name, values in series.items():
        chart.add(name, [None if v is None else float(v) for v in values])
    root = chart.render_tree()
    _clean(root)
    for default in [c for c in root if isinstance(c.tag, str) and etree.QName(c).localname == "title"]:
        root.remove(default)  # pygal's own "Pygal": ours, below, names the chart
    n = next(_ids)
    ids = f"chart-title-{n}", f"chart-desc-{n}"
    root.set("role", "img")
    root.set("aria-labelledby", " ".join(ids))
    root.set("class", "pygal-chart mc-chart")
    desc = etree.Element(f"{SVG}desc", id=ids[1])
    desc.text = description
    head = etree.Element(f"{SVG}title", id=ids[0])
    head.text = title
    root.insert(0, desc)
    root.insert(0, head)
    return Markup(etree.tostring(root, encoding="unicode"))  # built by lxml, scripts removed
