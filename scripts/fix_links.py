"""Point the site's cross-references at its own pages.

nbdev links a symbol to `{doc_host}{doc_baseurl}/{module}.html#{name}`, the page name that nbdev's Quarto
build gives a notebook (its number dropped). This site keeps the notebooks' names (`00_io.html`), so every
such link is rewritten to the page that documents the module, relative to the page that links it. A link to a
name the page does not document (a private helper, a method without its own heading) becomes plain code.

usage: python scripts/fix_links.py SITE_FOLDER
"""
import configparser, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ANCHOR = re.compile(r'<a href="([^"#]*\.html)#([^"]+)"[^>]*>(.*?)</a>', re.S)


def rewrite(site: Path, base: str, pages: dict) -> int:
    "Rewrite the published-host links of every page; how many."
    link = re.compile(f'{base}([A-Za-z0-9_]+)\\.html(#[^"\\s)<]*)?')  # in links, and in docstrings' text
    fixed = 0
    for page in site.rglob('*.html'):
        up = '../' * (len(page.relative_to(site).parts) - 1)
        text = page.read_text(encoding='utf-8')
        new, n = link.subn(lambda m: f'{up}{pages.get(m.group(1), m.group(1))}.html{m.group(2) or ""}', text)
        if n:
            page.write_text(new, encoding='utf-8')
            fixed += n
    return fixed


def unlink_missing(site: Path) -> int:
    "Turn links to anchors that do not exist into their text; how many."
    ids = {p.resolve(): set(re.findall(r'\bid="([^"]+)"', p.read_text(encoding='utf-8'))) for p in site.rglob('*.html')}
    gone = 0
    for page in site.rglob('*.html'):
        text = page.read_text(encoding='utf-8')

        def keep(m):
            nonlocal gone
            target = (page.parent / m.group(1)).resolve()
            if target not in ids or m.group(2) in ids[target]:
                return m.group(0)
            gone += 1
            return m.group(3)

        new = ANCHOR.sub(keep, text)
        if new != text:
            page.write_text(new, encoding='utf-8')
    return gone


def main():
    site = Path(sys.argv[1])
    cfg = configparser.ConfigParser(delimiters=['='])
    cfg.read(ROOT / 'settings.ini')
    d = cfg['DEFAULT']
    base = re.escape(d['doc_host'].rstrip('/') + d['doc_baseurl'].rstrip('/') + '/')
    pages = {re.sub(r'^\d+[a-z]?_', '', p.stem): p.stem for p in (ROOT / 'nbs').glob('[0-9]*.ipynb')}
    fixed, gone = rewrite(site, base, pages), unlink_missing(site)
    print(f"{fixed} cross-reference(s) pointed at the site's own pages, {gone} to undocumented names made plain")


if __name__ == '__main__':
    main()
