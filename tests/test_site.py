"""The built documentation site (_docs/, from scripts/build_docs.sh) in headless Chromium.

Every sidebar page loads without console errors, the library pages show function signatures, and figures
render with a non-zero size. Chromium is Debian's (`make browser`), driven by Playwright's Python API.
"""
import functools, http.server, os, shutil, threading
from pathlib import Path
from urllib.parse import urljoin

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / '_docs'
ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync']
REQUIRED = os.environ.get('IRIS_REQUIRE_SITE') == '1'  # set by scripts/test.sh: a missing site or browser fails


def _need(cond, why):
    if not cond:
        if REQUIRED: pytest.fail(why)
        pytest.skip(why)


@pytest.fixture(scope='module')
def site():
    _need((DOCS / 'index.html').exists(), f'{DOCS} not built (bash scripts/build_docs.sh)')
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *a): pass
    handler = functools.partial(Quiet, directory=str(DOCS))
    srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f'http://127.0.0.1:{srv.server_address[1]}/'
    srv.shutdown()


@pytest.fixture(scope='module')
def page(tmp_path_factory):
    chromium = shutil.which('chromium') or shutil.which('chromium-browser')
    _need(chromium is not None, 'Debian chromium not installed (make browser)')
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=ARGS)
        pg = b.new_page()
        yield pg
        b.close()




def sidebar_links(page, site):
    page.goto(site, wait_until='load')
    hrefs = page.eval_on_selector_all('#quarto-sidebar a[href]', 'els => els.map(e => e.getAttribute("href"))')
    urls = [urljoin(site, h.split('#')[0]) for h in hrefs if h and not h.startswith(('http', 'mailto', '#'))]
    return list(dict.fromkeys(urls))  # each page once, in the sidebar's order


def test_every_sidebar_page_loads_cleanly(page, site):
    links = sidebar_links(page, site)
    assert len(links) >= 13, links
    bad = {}
    for url in links:
        errors = []
        on_console = lambda m: errors.append(f'console: {m.text}') if m.type == 'error' else None
        on_error = lambda e: errors.append(f'page error: {e}')
        # a request the browser cancels itself (the last page's icon, when the next page starts) is no defect
        on_fail = lambda r: None if 'ERR_ABORTED' in (r.failure or '') else errors.append(f'request failed: {r.url}')
        listeners = {'console': on_console, 'pageerror': on_error, 'requestfailed': on_fail}
        for event, fn in listeners.items():
            page.on(event, fn)
        resp = page.goto(url, wait_until='load')
        page.wait_for_timeout(100)
        for event, fn in listeners.items():
            page.remove_listener(event, fn)
        if resp is None or resp.status != 200:
            errors.append(f'status {resp and resp.status}')
        if not page.inner_text('main').strip():
            errors.append('empty main')
        if errors: bad[url] = errors
    assert not bad, bad


PAGES = [('00_io', 'read_frame'), ('01_preprocess', 'rebin'), ('02_simulate', 'simulate_night'),
         ('03_masks', 'recipe_mask'), ('04_datasets', 'split_by_block'), ('05_parallel', 'batch_map'),
         ('15_blobs', 'cloud_stats'), ('16_pipeline', 'run_night'), ('17_live', 'watch'), ('19_cli', 'main')]


@pytest.mark.parametrize('name,fn', PAGES)
def test_api_pages_show_signatures(page, site, name, fn):
    page.goto(urljoin(site, f'{name}.html'), wait_until='load')
    head = page.query_selector(f'h3#{fn}')
    assert head is not None, f'no show_doc heading for {fn} on {name}'
    code = page.evaluate(f'() => {{ const h = document.getElementById("{fn}"); let n = h.nextElementSibling;'
                         ' while (n && !n.querySelector("code")) n = n.nextElementSibling;'
                         ' return n ? n.innerText : ""; }')
    assert code.replace(' ', '').startswith(f'def{fn}('), code[:200]


def test_figures_render(page, site):
    sizes = {}
    for name in ('index.html', '02_simulate.html', 'paper/fig02_raw_frame.html'):
        page.goto(urljoin(site, name), wait_until='load')
        page.wait_for_function('() => Array.from(document.images).every(i => i.complete)')
        sizes[name] = page.eval_on_selector_all(
            'main img', 'els => els.map(e => [e.naturalWidth, e.getBoundingClientRect().width])')
    for name, s in sizes.items():
        assert s and all(w > 0 and rw > 0 for w, rw in s), (name, s)


def _pages():
    return sorted(DOCS.rglob('*.html'))


def test_links_resolve_inside_the_site():
    "Every link to the site itself (relative, or to its published host) reaches a page that exists, and its anchor."
    import configparser, re
    _need((DOCS / 'index.html').exists(), f'{DOCS} not built (bash scripts/build_docs.sh)')
    cfg = configparser.ConfigParser(delimiters=['='])
    cfg.read(ROOT / 'settings.ini')
    host = cfg['DEFAULT']['doc_host']
    ids = {p: set(re.findall(r'\bid="([^"]+)"', p.read_text(encoding='utf-8'))) for p in _pages()}
    bad = []
    for page in _pages():
        for href in re.findall(r'\bhref="([^"]+)"', page.read_text(encoding='utf-8')):
            if href.startswith(host):
                bad.append((page.name, href))
                continue
            if href.startswith(('http:', 'https:', 'mailto:', 'data:', 'javascript:')) or href == '#':
                continue
            path, _, anchor = href.partition('#')
            target = (page.parent / path).resolve() if path else page
            if target.is_dir():
                target = target / 'index.html'
            if not target.exists() or (anchor and target.suffix == '.html' and anchor not in ids.get(target, set())):
                bad.append((page.relative_to(DOCS).as_posix(), href))
    assert not bad, f'{len(bad)} broken: {bad[:20]}'


NOISE = ('Warning:', 'WARNING:', 'Traceback (most recent call last)', 'retracing', str(ROOT), '/site-packages/')


def test_no_tool_noise_in_outputs():
    "No warning block, traceback, retracing line or machine path in any page's cell outputs."
    import re
    _need((DOCS / 'index.html').exists(), f'{DOCS} not built (bash scripts/build_docs.sh)')
    bad = {}
    for page in _pages():
        outputs = re.findall(r'<div class="cell-output[^"]*"[^>]*>(.*?)</div>', page.read_text(encoding='utf-8'), re.S)
        hits = [n for n in NOISE if any(n in o for o in outputs)]
        if hits:
            bad[page.relative_to(DOCS).as_posix()] = hits
    assert not bad, bad


def test_nothing_wider_than_its_column_and_figures_legible(page, site):
    "At 1280 px: no code block or table runs past the reading column; figures are not shrunk below 1/1.8."
    page.set_viewport_size({'width': 1280, 'height': 900})
    bad = {}
    for url in sidebar_links(page, site):
        page.goto(url, wait_until='load')
        page.wait_for_function('() => Array.from(document.images).every(i => i.complete)')
        found = page.evaluate('''() => {
          const main = document.querySelector('main.content').getBoundingClientRect();
          const scrolls = e => { for (let a = e.parentElement; a && a.tagName !== 'MAIN'; a = a.parentElement) {
            if (['auto', 'scroll'].includes(getComputedStyle(a).overflowX)) return true; } return false; };
          const wide = [...document.querySelectorAll('main pre')].filter(p => p.scrollWidth > p.clientWidth + 1).length;
          const tables = [...document.querySelectorAll('main table')]
            .filter(t => t.getBoundingClientRect().right > main.right + 1 && !scrolls(t)).length;
          const small = [...document.querySelectorAll('main .cell-output-display img')]
            .filter(i => i.naturalWidth > 0 && i.getBoundingClientRect().width < i.naturalWidth / 1.8)
            .map(i => i.naturalWidth + '->' + Math.round(i.getBoundingClientRect().width));
          return {wide, tables, small};
        }''')
        if found['wide'] or found['tables'] or found['small']:
            bad[url.replace(site, '')] = found
    assert not bad, bad


@pytest.mark.parametrize('name,part', [('12_unet.html', 'Library'), ('paper/fig10_roc.html', 'Paper'),
                                       ('guide/night.html', 'Guide')])
def test_navbar_marks_the_part_of_the_book(page, site, name, part):
    page.goto(urljoin(site, name), wait_until='load')
    marked = page.eval_on_selector_all('#quarto-header .navbar-nav a.nav-link.active',
                                       'els => els.map(e => e.textContent.trim())')
    assert marked == [part], marked


def test_every_page_names_an_icon_the_site_serves(page, site):
    "A browser asks each new site for its icon: without one, a 404 lands in the console of whichever page is first."
    for url in sidebar_links(page, site)[:3] + [site]:
        page.goto(url, wait_until='load')
        icon = page.eval_on_selector('link[rel="icon"]', 'e => e.href')
        resp = page.request.get(icon)
        assert resp.status == 200 and resp.headers['content-type'] == 'image/png', (url, icon, resp.status)


def test_pages_have_distinct_titles_and_previous_next_links(page, site):
    "Each page has its own title, and previous/next links that follow the sidebar's order."
    order = sidebar_links(page, site)
    titles, bad = {}, []
    for i, url in enumerate(order):
        page.goto(url, wait_until='load')
        titles.setdefault(page.title(), []).append(url.replace(site, ''))
        nav = page.evaluate('''() => ['previous', 'next'].map(k => {
          const a = document.querySelector(`.page-navigation .nav-page-${k} a`);
          return a ? a.href.split('#')[0] : null; })''')
        want = [order[i - 1] if i else None, order[i + 1] if i + 1 < len(order) else None]
        if nav != want:
            bad.append((url.replace(site, ''), nav, want))
    assert not bad, bad[:5]
    twice = {t: u for t, u in titles.items() if len(u) > 1}
    assert not twice, twice


def test_current_page_is_in_view_in_the_sidebar(page, site):
    "On a page far down the sidebar, its own entry is scrolled into view."
    page.set_viewport_size({'width': 1280, 'height': 900})
    for name in ('studies/domain_shift.html', 'paper/paper_vs_ours.html', '19_cli.html'):
        page.goto(urljoin(site, name), wait_until='load')
        page.wait_for_timeout(200)
        seen = page.evaluate('''() => { const a = document.querySelector('#quarto-sidebar a.active');
          if (!a) return 'no active entry';
          let box = {top: 0, bottom: window.innerHeight};
          for (let e = a.parentElement; e; e = e.parentElement) {
            if (['auto', 'scroll'].includes(getComputedStyle(e).overflowY) && e.scrollHeight > e.clientHeight) {
              box = e.getBoundingClientRect(); break; } }
          const r = a.getBoundingClientRect();
          return r.top >= Math.max(box.top, 0) - 1 && r.bottom <= Math.min(box.bottom, window.innerHeight) + 1; }''')
        assert seen is True, (name, seen)


def _prose(html: str) -> list:
    "The text of each paragraph and list item written in Markdown cells (cell outputs and code left out)."
    import re
    html = re.sub(r'<div class="cell-output.*?</div>', '', html, flags=re.S)
    html = re.sub(r'<(pre|code|script|style)\b.*?</\1>', '', html, flags=re.S)
    paras = re.findall(r'<(?:p|li)\b[^>]*>(.*?)</(?:p|li)>', html, re.S)
    return [re.sub(r'<[^>]+>', '', p) for p in paras]


def test_prose_is_readable():
    "No paragraph holds a wall of typed numbers, no Markdown table prints as text, no reference readers cannot see."
    import re
    _need((DOCS / 'index.html').exists(), f'{DOCS} not built (bash scripts/build_docs.sh)')
    bad = {}
    for page in _pages():
        for p in _prose(page.read_text(encoding='utf-8')):
            checks = {'numbers': len(re.findall(r'(?<![\w.])[−-]?\d[\d,.]*', p)) > 20,
                      'table as text': '|---' in p or '| ---' in p, 'SPEC': 'SPEC' in p}
            why = [k for k, hit in checks.items() if hit]
            if why:
                bad.setdefault(page.relative_to(DOCS).as_posix(), []).append((why, p[:80]))
    assert not bad, bad


def test_the_paper_is_cited_with_its_doi(page, site):
    "The front page links the paper by its DOI."
    page.goto(site, wait_until='load')
    hrefs = page.eval_on_selector_all('main a[href]', 'els => els.map(e => e.href)')
    assert 'https://doi.org/10.5194/amt-18-2083-2025' in hrefs, hrefs[:20]
