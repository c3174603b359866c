"""Frames from other cameras, as a user hands them over: any 2-D FITS shape and PNG/TIFF images through `segment`
and `night`, each map back on the frame's own pixels, a corrupt image one line naming it."""
import csv, subprocess
from pathlib import Path

import numpy as np
import pytest
from astropy.io import fits
from PIL import Image


def run(cli, *args):
    return subprocess.run([cli, *map(str, args)], capture_output=True, text=True, timeout=600)


@pytest.fixture(scope='module')
def frames(tmp_path_factory):
    d = tmp_path_factory.mktemp('cams') / 'in'
    d.mkdir()
    yy, xx = np.mgrid[:480, :640]
    cam = (3000 + 2 * xx + yy).astype(np.uint16)
    cam[150:330, 200:460] += 2500  # a bright cloud in the middle of a 16-bit 480×640 frame
    Image.fromarray(cam).save(d / 'cam16.png')
    sky = np.random.default_rng(0).normal(120, 3, (600, 600))
    sky[200:400, 100:300] += 80
    Image.fromarray(np.stack([sky.astype(np.uint8)] * 3, -1)).save(d / 'allsky.png')  # a square colour all-sky PNG
    fits.PrimaryHDU(np.random.default_rng(1).normal(5000, 40, (1040, 1392)).astype(np.float32)).writeto(d / 'big.fits')
    (d / 'broken.tif').write_bytes(b'II*\x00 not a tiff at all')
    return d


def test_segment_any_shape(cli, frames, tmp_path):
    r = run(cli, 'segment', frames, '-o', tmp_path / 'maps')
    assert r.returncode == 1, r.stderr  # the broken image fails, the rest are done
    errs = [l for l in r.stderr.splitlines() if l.strip()]
    assert len(errs) == 1 and 'broken.tif: not a readable image' in errs[0], r.stderr
    for name, shape in (('cam16', (480, 640)), ('allsky', (600, 600)), ('big', (1040, 1392))):
        with fits.open(tmp_path / 'maps' / f'{name}_seg.fits') as h:
            assert h['PROB'].data.shape == shape and h['MASK'].data.shape == shape, name
            assert h[0].header['GEOMRULE'] == 'fit' and h[0].header['GEOMSHAP'] == f'{shape[0]}x{shape[1]}'
            p = h['PROB'].data
            assert np.isfinite(p).all() and 0 <= p.min() and p.max() <= 1
    covers = {l.split()[-1].split('/')[-1]: float(l.split()[1]) for l in r.stdout.splitlines()}
    assert len(covers) == 3 and all(0 <= c <= 1 for c in covers.values())


def test_night_any_shape(cli, frames, tmp_path):
    r = run(cli, 'night', frames, '-o', tmp_path / 'night', '--quiet', '--segment-all')
    assert r.returncode == 1, r.stderr
    with open(tmp_path / 'night' / 'night.csv', newline='') as f:
        rows = {Path(x['file']).name: x for x in csv.DictReader(f)}
    assert set(rows) == {'cam16.png', 'allsky.png', 'big.fits', 'broken.tif'}
    assert 'not a readable image' in rows['broken.tif']['error']
    for n in ('cam16.png', 'allsky.png', 'big.fits'):
        assert rows[n]['error'] == '' and 0 <= float(rows[n]['cover']) <= 1, rows[n]
