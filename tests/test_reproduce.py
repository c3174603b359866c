"""`iris-clouddeep reproduce`: a failing paper notebook is named with its cell and error while the others run,
everything lands in the output folder with an index page, and a rerun skips what is done."""
import csv, os, subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENV = dict(os.environ, TF_CPP_MIN_LOG_LEVEL='3', MPLBACKEND='Agg')


def run(cli, *args):
    return subprocess.run([cli, 'reproduce', *args, '--quiet'], capture_output=True, text=True, env=ENV)


def test_a_failing_notebook_is_named_and_the_rest_go_on(cli, tmp_path):
    out = tmp_path / 'paper'
    only = ['--only', 'fig02_raw_frame,fig09_training_curves', '-o', str(out)]
    r = run(cli, *only, '--param', 'fig02_raw_frame:data_dir="/no/such/folder"')
    assert r.returncode == 1, r.stderr
    errors = [l for l in r.stderr.splitlines() if l.startswith('error:')]
    assert len(errors) == 1, r.stderr
    assert errors[0].startswith('error: fig02_raw_frame: cell ') and 'IndexError' in errors[0], r.stderr
    for ext in ('png', 'pdf'):
        assert (out / 'fig09_training_curves' / f'fig09_training_curves.{ext}').stat().st_size > 1000
    page = (out / 'index.html').read_text()
    assert 'src="fig09_training_curves/fig09_training_curves.png"' in page and 'IndexError' in page
    assert (out / 'notebooks' / 'fig09_training_curves.ipynb').exists()
    r = run(cli, *only)  # the bad parameter gone: only the failed item runs again
    assert r.returncode == 0, r.stderr
    assert '1 notebook(s) run, 1 already done, 0 failed' in r.stdout, r.stdout
    assert (out / 'fig02_raw_frame' / 'fig02_raw_frame.png').exists()
    shown = (out / 'notebooks' / 'fig02_raw_frame.ipynb').read_text()
    real = (ROOT.parent / 'shared' / 'data' / 'stardice_lwir' / 'raw').is_dir()
    assert ('(a cloud edge): 512' in shown) == real  # the printed source: the real frame where it is at hand
    with open(out / 'paper_vs_ours.csv', newline='') as f:
        rows = list(csv.DictReader(f))
    assert {r['item'] for r in rows} == {'table2_segmentation', 'table3_public'}
    assert all(r['paper'] for r in rows) and not any(r['ours'] for r in rows)  # neither item ran here


def test_unknown_items_are_refused(cli, tmp_path):
    r = run(cli, '-o', str(tmp_path / 'x'), '--only', 'fig99_nothing')
    assert r.returncode == 2 and 'unknown paper item' in r.stderr, r.stderr
    r = run(cli, '-o', str(tmp_path / 'x'), '--param', 'fig02_raw_frame=3')
    assert r.returncode == 2 and 'ITEM:NAME=VALUE' in r.stderr, r.stderr
