"""`iris-clouddeep classify` and `train-classifier` as a user runs them, with the shipped model."""
import json, subprocess
from pathlib import Path

import numpy as np
import pytest
from astropy.io import fits


def run(cli, *args):
    return subprocess.run([cli, *map(str, args)], capture_output=True, text=True, timeout=900)


@pytest.fixture(scope='module')
def frames(tmp_path_factory, cli):
    root = tmp_path_factory.mktemp('cls')
    assert run(cli, 'simulate', '-o', root / 'raw', '--frames', 12, '--seed', 4, '--cadence', 120, '--quiet').returncode == 0
    assert run(cli, 'preprocess', root / 'raw', '-o', root / 'prod', '--quiet').returncode == 0
    return root


def test_classify_json_raw_binned_and_bad_files(cli, frames):
    raw = sorted((frames / 'raw').glob('*.fits'))
    prod = sorted((frames / 'prod').glob('*.fits'))
    bad = frames / 'bad'; bad.mkdir(exist_ok=True)
    (bad / 'corrupt.fits').write_text('not fits at all\n' * 40)
    fits.PrimaryHDU(np.zeros((10, 10), np.int16)).writeto(bad / 'small.fits', overwrite=True)
    r = run(cli, 'classify', *raw[:4], *prod[:4], bad / 'corrupt.fits', bad / 'small.fits', '--json')
    assert r.returncode == 1 and 'Traceback' not in r.stderr
    lines = [json.loads(l) for l in r.stdout.splitlines()]
    assert len(lines) == 10
    good = [l for l in lines if 'p_cloudy' in l]
    assert len(good) == 8 and all(set(l) == {'path', 'p_cloudy', 'cloudy'} and 0 <= l['p_cloudy'] <= 1 for l in good)
    errs = r.stderr.strip().splitlines()
    assert len(errs) == 2 and 'corrupt.fits' in errs[0] and 'not a readable FITS' in errs[0] and 'small.fits' in errs[1] and '10×10 frame is too small' in errs[1]
    # a raw frame and its binned product get the same answer
    by = {Path(l['path']).name: l for l in good}
    for rp in raw[:4]:
        a, b = by[rp.name], by[f'{rp.stem}_masked.fits']
        assert abs(a['p_cloudy'] - b['p_cloudy']) < 1e-3 and a['cloudy'] == b['cloudy']


def test_classify_agrees_with_truth_on_clear_cut_frames(cli, frames):
    r = run(cli, 'classify', frames / 'raw', '--json')
    assert r.returncode == 0
    right = total = 0
    for l in map(json.loads, r.stdout.splitlines()):
        cover = fits.getheader(l['path'])['CLDCOVER']
        if cover == 0 or cover >= 0.05:
            total += 1; right += l['cloudy'] == (cover > 0)
    assert total >= 6 and right / total >= 0.8, (right, total)


def test_train_classifier_rejects_bad_config(cli, tmp_path):
    cfg = tmp_path / 'bad.jsonc'
    cfg.write_text('{"network": {"batch_size": 32, "learning_rate": 0.1}}  // learning_rate belongs in optimizer')
    r = run(cli, 'train-classifier', '--config', cfg)
    assert r.returncode == 2 and r.stderr.count('\n') == 1
    assert "unknown key(s) ['learning_rate'] in network" in r.stderr


def test_train_linear_command(cli, tmp_path):
    cfg = tmp_path / 'lin.jsonc'
    cfg.write_text('{"general": {"output_dir": "%s", "simulation": {"nights": 4, "frames_per_night": 20, "cadence": 120.0, "seed": 3}}}' % (tmp_path / 'run'))
    r = run(cli, 'train-linear', '--config', cfg)
    assert r.returncode == 0, r.stderr
    rows = (tmp_path / 'run' / 'linear' / 'metrics.csv').read_text().splitlines()
    assert rows[0].startswith('model,accuracy') and [l.split(',')[0] for l in rows[1:]] == ['svm_hinge', 'logistic', 'perceptron', 'ridge']
    for name in ('svm_hinge', 'ridge'):
        roc = (tmp_path / 'run' / 'linear' / f'roc_{name}.csv').read_text().splitlines()
        assert roc[0] == 'fpr,tpr,threshold' and len(roc) > 3  # a curve from decision scores, not one point


def test_segment_products_and_json(cli, frames, tmp_path):
    raw = sorted((frames / 'raw').glob('*.fits'))[:3]
    prod = sorted((frames / 'prod').glob('*.fits'))[:1]
    (tmp_path / 'broken.fits').write_bytes(b'SIMPLE  =                    T' + b' ' * 50)
    r = run(cli, 'segment', *raw, *prod, tmp_path / 'broken.fits', '--out', tmp_path / 'maps', '--json')
    assert r.returncode == 1 and 'Traceback' not in r.stderr and r.stderr.count('\n') == 1 and 'broken.fits' in r.stderr
    lines = [json.loads(l) for l in r.stdout.splitlines()]
    good = [l for l in lines if 'cloud_cover' in l]
    assert len(good) == 4
    for l in good:
        assert Path(l['path']).stem in Path(l['output']).name
        with fits.open(l['output']) as h:
            names = [x.name for x in h]
            assert names[:3] == ['IMAGE', 'MASK', 'PROB']
            p, m = h['PROB'].data, h['MASK'].data
            assert p.shape == (128, 160) and p.dtype.kind == 'f' and 0 <= p.min() and p.max() <= 1
            assert set(np.unique(m)) <= {0, 1} and abs(m.mean() - l['cloud_cover']) < 1e-4
    r2 = run(cli, 'segment', *raw[:1], '--out', tmp_path / 'maps')  # existing product: refused, not overwritten
    assert r2.returncode == 1 and 'exists' in r2.stderr



def test_segment_flips_is_the_mean_of_four_flipped_maps(cli, frames, tmp_path):
    from iris_clouddeep.unet import load_segmenter
    from iris_clouddeep.preprocess import binned_adu
    from iris_clouddeep.io import read_frame
    raw = sorted((frames / 'raw').glob('*.fits'))[:2]
    assert run(cli, 'segment', *raw, '-o', tmp_path / 'plain').returncode == 0
    r = run(cli, 'segment', *raw, '-o', tmp_path / 'flips', '--flips')
    assert r.returncode == 0, r.stderr
    seg = load_segmenter()
    for f in raw:
        img = binned_adu(read_frame(f))
        by_hand = np.mean([np.flip(seg.predict(np.flip(img, a))[0], a) for a in ((), (0,), (1,), (0, 1))], axis=0)
        name = f'{f.stem}_seg.fits'
        with fits.open(tmp_path / 'flips' / name) as h, fits.open(tmp_path / 'plain' / name) as h0:
            assert np.abs(h['PROB'].data - by_hand).max() < 1e-5
            assert np.abs(h['PROB'].data - h0['PROB'].data).max() > 1e-4  # not the plain map
            assert h[0].header['IRIS PAR FLIPS'] is True and h0[0].header['IRIS PAR FLIPS'] is False  # recorded

def _labelled(root, n, seed):
    "`n` gray frames per class under root/clear and root/cloudy (a bright block in the cloudy ones)."
    from skimage.io import imsave
    rng = np.random.default_rng(seed)
    for k in ('clear', 'cloudy'):
        (root / k).mkdir(parents=True)
        for j in range(n):
            im = rng.normal(80, 5, (96, 120))
            if k == 'cloudy':
                im[20:70, 10:90] += 80
            imsave(root / k / f'{j}.png', im.clip(0, 255).astype(np.uint8), check_contrast=False)


def test_train_classifier_on_a_labelled_folder(cli, tmp_path):
    _labelled(tmp_path / 'lab', 12, 0)
    cfg = tmp_path / 'few.json'
    cfg.write_text('{"network": {"num_epochs": 2}}')
    r = run(cli, 'train-classifier', '--images', tmp_path / 'lab', '--config', cfg, '-o', tmp_path / 'run', '--quiet')
    assert r.returncode == 0, r.stderr
    assert 'test: accuracy' in r.stdout and (tmp_path / 'run' / 'model' / 'classifier.json').exists()
    r = run(cli, 'classify', tmp_path / 'lab' / 'cloudy' / '0.png', '--model', tmp_path / 'run' / 'model', '--json')
    assert r.returncode == 0 and set(json.loads(r.stdout)) == {'path', 'p_cloudy', 'cloudy'}
    (tmp_path / 'empty' / 'clear').mkdir(parents=True)
    r = run(cli, 'train-classifier', '--images', tmp_path / 'empty', '-o', tmp_path / 'run2')
    assert r.returncode == 2 and r.stderr.count('\n') == 1 and 'no frames in clear/, cloudy/' in r.stderr


def test_train_classifier_with_a_separate_test_folder(cli, tmp_path):
    _labelled(tmp_path / 'lab', 10, 0)
    _labelled(tmp_path / 'held', 4, 1)
    cfg = tmp_path / 'few.json'
    cfg.write_text('{"network": {"num_epochs": 2}}')
    out = tmp_path / 'run'
    r = run(cli, 'train-classifier', '--images', tmp_path / 'lab', '--test-images', tmp_path / 'held', '--config', cfg,
            '-o', out, '--quiet')
    assert r.returncode == 0, r.stderr
    assert '(8 frames,' in r.stdout  # the test split is the separate folder: 4 clear, 4 cloudy
    config = json.loads((out / 'config.json').read_text())
    assert config['general']['test_folders'] == [str(tmp_path / 'held')]
    r = run(cli, 'train-classifier', '--config', cfg, '--test-images', tmp_path / 'held', '-o', tmp_path / 'x')
    assert r.returncode == 2 and r.stderr.count('\n') == 1 and '--test-images goes with --images' in r.stderr
