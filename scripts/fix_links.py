"""Point the site's cross-references at its own pages.

nbdev links a symbol to `{doc_host}{doc_baseurl}/{module}.html#{name}`, the page name that nbdev's Quarto
build gives a notebook (its number dropped). This site keeps the notebooks' names (`00_io.html`), so every
such link is rewritten to the page that documents the module, relative to the page that links it.

usage: python scripts/fix_links.py SITE_FOLDER
"""
import configparser, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main():
    site = Path(sys.argv[1])
    cfg = configparser.ConfigParser(delimiters=['='])
    cfg.read(ROOT / 'settings.ini')
    d = cfg['DEFAULT']
    base = re.escape(d['doc_host'].rstrip('/') + d['doc_baseurl'].rstrip('/') + '/')
    pages = {re.sub(r'^\d+[a-z]?_', '', p.stem): p.stem for p in (ROOT / 'nbs').glob('[0-9]*.ipynb')}
    link = re.compile(f'{base}([A-Za-z0-9_]+)\\.html(#[^"\\s)<]*)?')  # in links, and in docstrings' text
    fixed = 0
    for page in site.rglob('*.html'):
        up = '../' * (len(page.relative_to(site).parts) - 1)
        text = page.read_text(encoding='utf-8')

        def local(m):
            name = pages.get(m.group(1), m.group(1))
            return f'{up}{name}.html{m.group(2) or ""}'

        new, n = link.subn(local, text)
        if n:
            page.write_text(new, encoding='utf-8')
            fixed += n
    print(f'{fixed} cross-reference(s) pointed at the site\'s own pages')


if __name__ == '__main__':
    main()
