"""`iris-clouddeep night` as a user runs it: a simulated night with bad frames mixed in, the real dataset's layout,
resuming, the output rules."""
import csv, hashlib, json, os, signal, subprocess, time
from pathlib import Path

import numpy as np
import pytest
from astropy.io import fits

REAL = Path(__file__).resolve().parents[2] / 'shared' / 'data' / 'stardice_lwir'


def run(cli, *args, **kw):
    return subprocess.run([cli, *map(str, args)], capture_output=True, text=True, timeout=900, **kw)


def digest(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(Path(folder).iterdir())}


def table(out):
    with open(out / 'night.csv', newline='') as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope='module')
def night(tmp_path_factory, cli):
    root = tmp_path_factory.mktemp('night')
    r = run(cli, 'simulate', '-o', root / 'raw', '--frames', 40, '--seed', 21, '--cadence', 60, '--quiet')
    assert r.returncode == 0, r.stderr
    raw = root / 'raw'
    (raw / '2023_02_14_20_10_30_flux_900.fits').write_text('not fits at all\n' * 40)
    good = sorted(raw.glob('*_flux_1.fits'))[0]
    (raw / '2023_02_14_20_11_30_flux_901.fits').write_bytes(good.read_bytes()[:100_000])  # truncated
    fits.PrimaryHDU(np.zeros((10, 10), np.int16)).writeto(raw / '2023_02_14_20_12_30_flux_902.fits')
    hot = np.full((512, 640), 20000, np.uint16)
    fits.PrimaryHDU(hot).writeto(raw / '2023_02_14_20_13_30_flux_903.fits')
    return root


def test_night_bad_frames_named_rest_processed(cli, night):
    before = digest(night / 'raw')
    r = run(cli, 'night', night / 'raw', '-o', night / 'out', '--quiet')
    assert r.returncode == 1, r.stderr
    assert 'Traceback' not in r.stderr
    errs = [l for l in r.stderr.splitlines() if l.startswith('error:')]
    assert len(errs) == 4
    for name, why in (('flux_900', 'not a readable FITS'), ('flux_901', 'not a readable FITS'),
                      ('flux_902', 'a 10×10 frame is too small'), ('flux_903', 'outside the 14-bit')):
        assert any(name in e and why in e for e in errs), (name, errs)
    rows = table(night / 'out')
    assert len(rows) == 44
    bad = [r for r in rows if r['error']]
    assert len(bad) == 4 and all(r['p_cloudy'] == '' for r in bad)
    assert all(0 <= float(r['quality']) <= 1 and r['decision'] in ('photometric', 'usable', 'unusable')
               for r in rows if not r['error'])
    s = json.loads((night / 'out' / 'summary.json').read_text())
    assert (s['frames'], s['failed']) == (44, 4)
    assert (night / 'out' / 'night.png').stat().st_size > 10_000
    assert not [p for p in (night / 'out').iterdir() if p.name.startswith('.')]  # no temporary file left
    assert digest(night / 'raw') == before  # inputs untouched


def test_night_resume_and_overwrite(cli, night):
    out = night / 'out'
    before = (out / 'night.csv').read_text()
    r = run(cli, 'night', night / 'raw', '-o', out, '--quiet')
    assert r.returncode == 1  # the table still holds the failed frames
    assert (out / 'night.csv').read_text() == before
    assert 'error:' not in r.stderr  # nothing was tried again
    r = run(cli, 'night', night / 'raw', '-o', out, '--quiet', '--overwrite')
    assert (out / 'night.csv').read_text() == before  # afresh, the same table


def test_night_killed_then_resumed(cli, night):
    out = night / 'killed'
    p = subprocess.Popen([cli, 'night', str(night / 'raw'), '-o', str(out), '--quiet'], stderr=subprocess.DEVNULL)
    deadline = time.time() + 300
    while time.time() < deadline and not (out / 'night.csv').exists():
        time.sleep(0.05)
    p.send_signal(signal.SIGKILL)
    p.wait()
    r = run(cli, 'night', night / 'raw', '-o', out, '--quiet')
    assert r.returncode == 1
    assert (out / 'night.csv').read_text() == (night / 'out' / 'night.csv').read_text()


def test_night_output_rules(cli, night):
    r = run(cli, 'night', night / 'raw', '-o', night / 'raw' / 'sub')
    assert r.returncode == 2 and 'lies inside the input folder' in r.stderr and 'Traceback' not in r.stderr
    assert not (night / 'raw' / 'sub').exists()
    (night / 'empty').mkdir()
    r = run(cli, 'night', night / 'empty', '-o', night / 'o')
    assert r.returncode == 2 and 'no frames' in r.stderr
    r = run(cli, 'night', night / 'raw', '-o', night / 'o', '--field', 'box:1,2')
    assert r.returncode == 2 and "field 'box:1,2'" in r.stderr


@pytest.mark.skipif(not REAL.exists(), reason=f'{REAL} absent: the real frames are checked where they are shared')
def test_night_reads_the_real_layout(cli, tmp_path):
    files = sorted((REAL / 'segmentation').glob('*.fits'))[:6] + sorted((REAL / 'raw').glob('*.fits'))
    r = run(cli, 'night', *files, '-o', tmp_path / 'real', '--quiet', '--segment-all')
    assert r.returncode == 0, r.stderr
    rows = table(tmp_path / 'real')
    assert len(rows) == 8 and not any(r['error'] for r in rows)
    assert all(r['segmented'] == '1' for r in rows)
