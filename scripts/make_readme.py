"""Write README.md from nbs/index.ipynb without Quarto (or check that it is in sync with --check).

Markdown cells are copied, code cells become fenced Python (cells starting with `#| hide` are left out),
relative image links are rewritten to point into nbs/.
"""
import json, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEADER = '<!-- Generated from nbs/index.ipynb by scripts/make_readme.py: edit the notebook, not this file. -->\n\n'


def render(nb_path=ROOT / 'nbs' / 'index.ipynb'):
    nb = json.loads(Path(nb_path).read_text())
    out = []
    for c in nb['cells']:
        src = ''.join(c['source'])
        if c['cell_type'] == 'markdown':
            src = re.sub(r'(!\[[^\]]*\]\()(?!https?://|/)([^)]+\))', r'\1nbs/\2', src)
            out.append(src)
        elif c['cell_type'] == 'code':
            lines = src.splitlines()
            if any(l.strip() in ('#| hide', '#|hide') for l in lines if l.startswith('#|')): continue
            code = '\n'.join(l for l in lines if not l.startswith('#|')).strip()
            if code: out.append(f'```python\n{code}\n```')
    return HEADER + '\n\n'.join(out).strip() + '\n'


def main():
    text, readme = render(), ROOT / 'README.md'
    if '--check' in sys.argv:
        if not readme.exists() or readme.read_text() != text:
            sys.exit('README.md is out of sync with nbs/index.ipynb: run `python scripts/make_readme.py`')
        print('README.md in sync with nbs/index.ipynb')
    else:
        readme.write_text(text); print('wrote README.md')


if __name__ == '__main__':
    main()
