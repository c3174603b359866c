"""The `iris-clouddeep` command as a user runs it: real processes, real files."""
import hashlib, subprocess, sys
from pathlib import Path

import numpy as np
import pytest
from astropy.io import fits


def run(cli, *args):
    return subprocess.run([cli, *map(str, args)], capture_output=True, text=True, timeout=600)


def digest(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(Path(folder).iterdir())}


@pytest.fixture(scope='module')
def night(tmp_path_factory, cli):
    out = tmp_path_factory.mktemp('night') / 'raw'
    r = run(cli, 'simulate', '-o', out, '--frames', 60, '--seed', 0, '--quiet')
    assert r.returncode == 0, r.stderr
    return out


def test_simulate_writes_raw_frames_with_truth(night):
    files = sorted(night.glob('*_flux_*.fits'))
    assert len(files) == 60
    covers = []
    for p in files[::7]:
        with fits.open(p) as h:
            assert h[0].data.shape == (512, 640) and h[0].header['BZERO'] == 32768  # uint16 on disk
            assert 0 <= h[0].data.min() and h[0].data.max() <= 2**14 - 1
            t = h['TRUTH'].data
            assert t.dtype == np.uint8 and t.shape == (512, 640) and set(np.unique(t)) <= {0, 1}
            assert h[0].header['CLDCOVER'] == pytest.approx(t.mean(), abs=1e-5)
    covers = [fits.getheader(p)['CLDCOVER'] for p in files]
    assert sum(c == 0 for c in covers) >= 5 and sum(c > 0 for c in covers) >= 5  # the default mix has both


def test_simulate_is_seeded(cli, tmp_path, night):
    r = run(cli, 'simulate', '-o', tmp_path / 'again', '--frames', 60, '--seed', 0, '--quiet')
    assert r.returncode == 0
    a, b = sorted(night.iterdir())[17], tmp_path / 'again' / sorted(night.iterdir())[17].name
    assert np.array_equal(fits.getdata(a), fits.getdata(b)) and np.array_equal(fits.getdata(a, 'TRUTH'), fits.getdata(b, 'TRUTH'))
    r = run(cli, 'simulate', '-o', tmp_path / 'other', '--frames', 3, '--seed', 1, '--quiet')
    assert not np.array_equal(fits.getdata(sorted((tmp_path / 'other').iterdir())[0]), fits.getdata(sorted(night.iterdir())[0]))


def test_simulate_refuses_to_overwrite(cli, night):
    before = digest(night)
    r = run(cli, 'simulate', '-o', night, '--frames', 60, '--seed', 0)  # the same night: the same file names
    assert r.returncode == 2 and 'already exist' in r.stderr and 'Traceback' not in r.stderr
    assert digest(night) == before


def make_bad_batch(folder, good_src):
    folder.mkdir()
    for p in good_src[:3]: (folder / p.name).write_bytes(p.read_bytes())
    good = (folder / good_src[0].name).read_bytes()
    (folder / 'empty.fits').write_bytes(b'')
    (folder / 'text.fits').write_text('SIMPLE? no, just text\n' * 50)
    (folder / 'truncated.fits').write_bytes(good[:100_000])
    fits.PrimaryHDU().writeto(folder / 'nodata.fits')
    fits.PrimaryHDU(np.zeros((3, 512, 640), np.int16)).writeto(folder / 'cube.fits')
    fits.PrimaryHDU(np.zeros((100, 200), np.int16)).writeto(folder / 'shape.fits')
    fits.PrimaryHDU(np.full((512, 640), np.nan, np.float32)).writeto(folder / 'allnan.fits')
    return {'empty.fits': 'empty file', 'text.fits': 'not a readable FITS', 'truncated.fits': 'not a readable FITS',
            'nodata.fits': 'no image data', 'cube.fits': '3 dimensions', 'shape.fits': 'unexpected shape (100, 200)',
            'allnan.fits': 'NaN/inf pixels'}


def test_preprocess_bad_input_batch(cli, night, tmp_path):
    src = tmp_path / 'in'
    bad = make_bad_batch(src, sorted(night.glob('*.fits')))
    before = digest(src)
    out = tmp_path / 'out'
    r = run(cli, 'preprocess', src, '-o', out, '--jobs', 2, '--quiet')
    assert r.returncode == 1, r.stderr
    assert 'Traceback' not in r.stderr
    for name, why in bad.items():  # every bad file named, with its reason, on one line
        assert any(name in line and why in line for line in r.stderr.splitlines()), (name, r.stderr)
    assert '10 file(s): 3 written, 0 already done, 7 failed' in r.stdout
    produced = sorted(p.name for p in out.iterdir())
    assert produced == sorted(f'{p.stem}_masked.fits' for p in sorted(night.glob('*.fits'))[:3])  # no partial outputs, no temp files
    assert digest(src) == before  # inputs never modified
    with fits.open(out / produced[0]) as h:
        assert [x.name for x in h] == ['IMAGE', 'MASK', 'TRUTH']
        assert h[0].data.shape == (128, 160) and h['MASK'].header['IMGTYPE'] == 'GROUND-TRUTH'
        assert set(np.unique(h['MASK'].data)) <= {0, 1}
    r2 = run(cli, 'preprocess', src, '-o', out, '--quiet')  # resume: complete products are skipped
    assert '3 already done' in r2.stdout and r2.returncode == 1


def test_preprocess_product_matches_library(cli, night, tmp_path):
    from iris_clouddeep.masks import preprocess_frame
    from iris_clouddeep.io import read_frame
    src = sorted(night.glob('*.fits'))[20]
    r = run(cli, 'preprocess', night, '-o', tmp_path / 'p', '--quiet', '--jobs', 2)
    assert r.returncode == 0, r.stderr
    x, m, tb = preprocess_frame(read_frame(src).data, fits.getdata(src, 'TRUTH'))
    with fits.open(tmp_path / 'p' / f'{src.stem}_masked.fits') as h:
        assert np.allclose(h[0].data, x) and np.array_equal(h['MASK'].data, m) and np.array_equal(h['TRUTH'].data, tb)


def test_bad_folder_is_one_line(cli, tmp_path):
    r = run(cli, 'preprocess', tmp_path / 'nope', '-o', tmp_path / 'out')
    assert r.returncode == 2 and r.stderr.count('\n') == 1 and 'not a folder' in r.stderr


def test_import_is_light():
    code = 'import iris_clouddeep.cli, iris_clouddeep.io, iris_clouddeep.parallel, sys; print(sorted(m for m in ("tensorflow", "jax", "flax") if m in sys.modules))'
    r = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True)
    assert r.stdout.strip() == '[]', r.stdout


def test_night_models_run_without_tensorflow():
    """The night's default engine runs both shipped networks from their LiteRT files: fails when a file is missing or
    was made from other weights (the loader would convert the network afresh, through TensorFlow)."""
    code = ('import sys, numpy as np; from iris_clouddeep.pipeline import load_models;'
            'clf, seg = load_models(None, "unet_sim"); x = np.full((3, 128, 160), 1200, np.float32);'
            'p, m = clf.predict(x), seg.predict(x);'
            'print(p.shape, m.shape, sorted(k for k in ("tensorflow", "keras", "jax", "flax") if k in sys.modules))')
    r = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.strip() == '(3,) (3, 128, 160) []', r.stdout
    assert r.stderr == '', r.stderr  # nothing printed by the runtime either
