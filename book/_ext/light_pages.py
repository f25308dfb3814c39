"""Keep the site's pages light: what a page transfers is what the reader needs to see it.

Loaded through _config.yml's `local_extensions`, beside course_site.

- **Explorers without a widget manager**: book/_ext/static_explorers.py.
- **Icons from a font subset, not a 1.5 MB script.** The theme loads Font Awesome's JavaScript
  (every icon as SVG data) and its webfonts, although the pages use a dozen icons. The icons are
  drawn by the theme's CSS with the webfont alone; after the build the script is dropped from
  every page and each webfont is cut down to the glyphs that the pages and the theme's CSS use.
- **Stylesheets without rules that can never match**: a rule whose every selector needs a class
  that no page or script of the site names is dropped (the theme's CSS is 0.31 MB, most of it
  Bootstrap the site never uses).
- **Search snippets from small text files.** Sphinx's search shows a snippet of every hit by
  fetching the hit's whole HTML page and reading its text, raw TeX (``\\(0.01\\)``) and menus
  included. The config turns that off (``html_show_search_summary: false``); instead each page's
  prose, with its formulas written out as plain text, goes into ``_search/<page>.js`` and the
  search page (``search_snippets.js``) loads the file of each hit, so it also works as ``file://``.
- **Nothing a page does not use**: sphinx-design's assets on pages without its components, and
  Sphinx's search index on every page but the search page (the theme's search-as-you-type is off).
- **Figures load when the reader gets near them** (``loading="lazy"``): a page transfers its text
  and the figures on screen first; the rest follow as the reader scrolls. Each keeps its place
  meanwhile (``width``/``height`` from its PNG), so the text does not move as figures arrive.
"""
import html
import json
import re
import struct
from pathlib import Path

from docutils import nodes

FONTAWESOME_JS = re.compile(r'\s*<script[^>]*src="[^"]*_static/scripts/fontawesome\.js[^"]*"[^>]*></script>')
IMG_TAG = re.compile(r"<img (?![^>]*\bloading=)")
IMG_SRC = re.compile(r'\ssrc="([^"]+)"')
IMG_SIZE = re.compile(r'\s(?:width|height)=')
# the theme's inline search-as-you-type (off: `search_as_you_type`) loads Sphinx's search on every page
INLINE_SEARCH = re.compile(r'\s*<script src="[^"]*(?:_static/searchtools|_static/language_data|searchindex)\.js"></script>')
WEBFONTS = "_static/vendor/fontawesome/webfonts"
# `.fa-bars:before,.fa-navicon:before{content:"\f0c9"}`: the icon classes of the theme's CSS
ICON_RULE = re.compile(r'((?:\.fa-[\w-]+:(?:before|after),?)+)\{content:"\\([0-9a-f]{4,5})"\}')
PRIVATE_USE = re.compile(r'\\([ef][0-9a-f]{3})\b|([\ue000-\uf8ff])')
SEARCH_DIR = "_search"


# ---------------------------------------------------------------- icons: a webfont subset

def icon_codepoints(css):
    """{icon class name: code point} of Font Awesome's icon rules in a stylesheet."""
    icons = {}
    for selectors, code in ICON_RULE.findall(css):
        for name in re.findall(r"\.fa-([\w-]+):", selectors):
            icons[name] = int(code, 16)
    return icons


def glyphs_needed(css_texts, page_texts):
    """Code points the site draws with the icon fonts: the icons whose classes the pages
    (HTML and the theme's scripts) name, and every private-use character the stylesheets use
    outside Font Awesome's own icon rules (the theme's admonition and link icons). Returns
    (code points, icon names the pages use)."""
    icons, own = {}, set()
    for css in css_texts:
        icons.update(icon_codepoints(css))
        for escaped, literal in PRIVATE_USE.findall(ICON_RULE.sub("", css)):
            own.add(int(escaped, 16) if escaped else ord(literal))
    named = {name for text in page_texts for name in re.findall(r"\bfa-([a-z0-9-]+)", text)}
    return own | {icons[name] for name in named if name in icons}, named


def _subset_font(path, codepoints):
    from fontTools import subset

    options = subset.Options()
    options.flavor = "woff2" if path.suffix == ".woff2" else None
    options.layout_features = ["*"]
    font = subset.load_font(str(path), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=codepoints)
    subsetter.subset(font)
    subset.save_font(font, str(path), options)


def _light_icons(outdir):
    static = outdir / "_static"
    css = [p.read_text(errors="ignore") for p in static.rglob("*.css") if "widgets" not in p.parts]
    pages = [p.read_text(errors="ignore") for p in outdir.rglob("*.html")]
    scripts = [p.read_text(errors="ignore") for p in (static / "scripts").glob("*.js") if p.name != "fontawesome.js"]
    needed, named = glyphs_needed(css, pages + scripts)
    for font in sorted((outdir / WEBFONTS).glob("fa-*")):
        if font.suffix in (".woff2", ".ttf"):
            _subset_font(font, needed)
    # and the theme's stylesheet keeps the rules of the icons in use only (1,400 rules, 80 kB)
    def used(rule):
        return rule.group(0) if set(re.findall(r"\.fa-([\w-]+):", rule.group(1))) & named else ""

    for sheet in static.rglob("*.css"):
        text = sheet.read_text(errors="ignore")
        light = ICON_RULE.sub(used, text)
        if light != text:
            sheet.write_text(light)
    for page in outdir.rglob("*.html"):
        text = page.read_text()
        light = FONTAWESOME_JS.sub("", text)
        if light != text:
            page.write_text(light)


# ---------------------------------------------------------------- stylesheets: rules that can match

CLASS_NAME = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")
NAME_TOKEN = re.compile(r"[A-Za-z_][\w-]*")
PARENTHESES = re.compile(r"\([^()]*\)")
NESTING_AT_RULES = {"media", "supports", "layer", "container"}


def names_in_use(texts):
    """(names, prefixes): every word the pages and scripts contain (class names among them), and
    those ending in "-" (a script that builds a class as ``"bs-tooltip-" + placement``)."""
    names = {token for text in texts for token in NAME_TOKEN.findall(text)}
    return names, tuple(sorted({n for n in names if n.endswith("-") and len(n) > 3}))


def may_match(selector_list, names, prefixes):
    """False when every selector of the list needs a class that no page or script names (so it
    can never match); True otherwise. Classes inside parentheses (``:not(.x)``, ``:is(...)``) do
    not count, nor does a selector with escapes."""
    flat = selector_list
    while PARENTHESES.search(flat):
        flat = PARENTHESES.sub("", flat)
    for selector in flat.split(","):
        if "\\" in selector or all(c in names or c.startswith(prefixes) for c in CLASS_NAME.findall(selector)):
            return True
    return False


def prune_css(css, names, prefixes):
    """The stylesheet without the rules that can never match (``may_match``), also inside
    @media, @supports, @layer and @container blocks (dropped when they end up empty)."""
    import tinycss2

    def prune(rules):
        kept = []
        for rule in rules:
            if rule.type == "qualified-rule":
                if may_match(tinycss2.serialize(rule.prelude), names, prefixes):
                    kept.append(tinycss2.serialize([rule]))
            elif rule.type == "at-rule" and rule.lower_at_keyword in NESTING_AT_RULES and rule.content is not None:
                inner = prune(tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True))
                if inner:
                    kept.append(f"@{rule.at_keyword}{tinycss2.serialize(rule.prelude)}{{{inner}}}")
            elif rule.type != "error":
                kept.append(tinycss2.serialize([rule]))
        return "".join(kept)

    return prune(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True))


def _light_stylesheets(outdir):
    """Every stylesheet of _static/ keeps only the rules that some page can use: most of the
    theme's Bootstrap (carousels, toasts, grid and spacing utilities at every breakpoint) never
    matches anything on this site."""
    static = outdir / "_static"
    scripts = [p for p in static.rglob("*.js") if "sre" not in p.parts]
    names, prefixes = names_in_use([p.read_text(errors="ignore") for p in [*outdir.rglob("*.html"), *scripts]])
    for sheet in static.rglob("*.css"):
        text = sheet.read_text(errors="ignore")
        light = prune_css(text, names, prefixes)
        if len(light) < len(text):
            sheet.write_text(light)


# ---------------------------------------------------------------- search snippets

TEX_SYMBOLS = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "Delta": "Δ", "epsilon": "ε",
    "varepsilon": "ε", "eta": "η", "theta": "θ", "kappa": "κ", "lambda": "λ", "mu": "μ",
    "nu": "ν", "xi": "ξ", "pi": "π", "rho": "ρ", "sigma": "σ", "Sigma": "Σ", "tau": "τ",
    "phi": "φ", "omega": "ω", "nabla": "∇", "partial": "∂", "infty": "∞", "sum": "Σ",
    "prod": "Π", "cdot": "·", "times": "×", "odot": "⊙", "pm": "±", "le": "≤", "leq": "≤",
    "ge": "≥", "geq": "≥", "ne": "≠", "neq": "≠", "approx": "≈", "to": "→", "rightarrow": "→",
    "leftarrow": "←", "in": "∈", "sqrt": "√", "ldots": "…", "cdots": "…", "star": "⋆",
    "lVert": "‖", "rVert": "‖", "Vert": "‖", "top": "ᵀ", "mathbb": "", "mathcal": "",
}
TEX_COMMAND = re.compile(r"\\([A-Za-z]+)")


def tex_to_text(tex):
    """A formula as plain text for a search snippet: Greek letters and common symbols as
    Unicode, fractions as a/b, other commands by their name, no braces or spacing commands.
    ``\\frac{\\eta}{2}`` -> ``η/2``; ``\\operatorname{relu}(x)`` -> ``relu(x)``."""
    text = re.sub(r"\\(?:begin|end)\{[^{}]*\}|\\(?:hat|bar|tilde|overline|boldsymbol|mathbf)\b", "", tex)
    group = r"\{((?:[^{}]|\{[^{}]*\})*)\}"  # a braced argument, with at most one level of braces inside
    text = re.sub(r"\\[dt]?frac" + group + group, r"(\1)/(\2)", text)
    text = re.sub(r"\\(?:text|operatorname|mathrm|texttt|textbf|mathbf)\{([^{}]*)\}", r"\1", text)
    text = re.sub(r"\\[,;:! ]|\\q?quad|&|\\\\", " ", text)
    text = re.sub(r"\\(?:left|right|bigl|bigr|Bigl|Bigr|big|Big|displaystyle|textstyle)\b", "", text)
    text = TEX_COMMAND.sub(lambda m: TEX_SYMBOLS.get(m.group(1), m.group(1)), text)
    text = re.sub(r"\((\w)\)/\((\w)\)", r"\1/\2", text)
    return re.sub(r"\s+", " ", text.replace("{", "").replace("}", "")).strip()


class _ProseText(nodes.NodeVisitor):
    """The reader's text of a page: headings, paragraphs, lists and tables, formulas as plain
    text; no code, no cell outputs other than tables, no raw HTML."""

    SKIP = (nodes.literal_block, nodes.raw, nodes.comment, nodes.system_message, nodes.image,
            nodes.target, nodes.substitution_definition)

    def __init__(self, document):
        super().__init__(document)
        self.parts = []

    def dispatch_visit(self, node):
        if isinstance(node, self.SKIP):
            raise nodes.SkipNode
        if isinstance(node, (nodes.math, nodes.math_block)):
            self.parts.append(" " + tex_to_text(node.astext()) + " ")
            raise nodes.SkipNode
        if isinstance(node, nodes.Text):
            self.parts.append(node.astext())
        elif isinstance(node, (nodes.paragraph, nodes.title, nodes.list_item, nodes.entry, nodes.caption)):
            self.parts.append(" ")

    def dispatch_departure(self, node):
        pass

    def text(self):
        return re.sub(r"\s+", " ", "".join(self.parts)).strip()


def page_text(doctree):
    visitor = _ProseText(doctree)
    doctree.walkabout(visitor)
    return visitor.text()


def _write_search_text(app, pagename, templatename, context, doctree):
    if pagename == "search":
        app.add_js_file("search_snippets.js")
    if doctree is None:
        return
    target = Path(app.outdir) / SEARCH_DIR / f"{pagename}.js"
    target.parent.mkdir(parents=True, exist_ok=True)
    call = f"window.courseSnippets && courseSnippets.add({json.dumps(pagename)}, {json.dumps(page_text(doctree), ensure_ascii=False)});\n"
    target.write_text(call.replace("</", "<\\/"), encoding="utf-8")


# ---------------------------------------------------------------- assets a page does not use

def _drop_unused_assets(app, pagename, templatename, context, doctree):
    """sphinx-design's stylesheet and script (62 kB) on pages without its components."""
    if not re.search(r'class="[^"]*\bsd-', context.get("body", "")):
        # in place: the theme's handlers that run later keep a reference to these lists
        context["css_files"][:] = [c for c in context["css_files"] if "sphinx-design" not in c.filename]
        context["script_files"][:] = [s for s in context["script_files"] if "design-tabs" not in (s.filename or "")]


def _drop_inline_search(app, outdir):
    """Sphinx's search scripts and index (78 kB) on every page but the search page, which the
    theme loads for a search-as-you-type box that this site does not turn on."""
    if app.config.html_theme_options.get("search_as_you_type"):
        return
    for page in outdir.rglob("*.html"):
        if page.name == "search.html":
            continue
        text = page.read_text()
        light = INLINE_SEARCH.sub("", text)
        if light != text:
            page.write_text(light)


# ---------------------------------------------------------------- lazy figures

def png_size(png):
    """(width, height) in pixels, from a PNG's header (its IHDR chunk)."""
    return struct.unpack(">II", png[16:24])


def _sized(page, tag):
    """An <img> tag with the width and height of its PNG, when it has neither: the browser keeps
    the figure's place before the (lazy) image arrives, so the text does not jump as it loads."""
    src = IMG_SRC.search(tag)
    if IMG_SIZE.search(tag) or not src or not src.group(1).endswith(".png"):
        return tag
    path = page.parent / html.unescape(src.group(1))
    if not path.is_file():
        return tag
    width, height = png_size(path.read_bytes()[:24])
    return tag.replace("<img ", f'<img width="{width}" height="{height}" ', 1)


def _lazy_figures(outdir):
    """Every <img> of the chapters without a loading attribute gets loading="lazy", and its size."""
    for page in (outdir / "book").glob("*.html"):
        text = page.read_text()
        lazy = IMG_TAG.sub('<img loading="lazy" ', text)
        lazy = re.sub(r"<img [^>]*>", lambda m: _sized(page, m.group(0)), lazy)
        if lazy != text:
            page.write_text(lazy)


def _after_build(app, exception):
    if exception is None and app.builder.format == "html":
        outdir = Path(app.outdir)
        _light_icons(outdir)
        _light_stylesheets(outdir)
        _drop_inline_search(app, outdir)
        if app.builder.name == "html":
            _lazy_figures(outdir)


def setup(app):
    app.connect("html-page-context", _write_search_text)
    app.connect("html-page-context", _drop_unused_assets)
    app.connect("build-finished", _after_build)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
