"""`iris-clouddeep transfer` on a user's own folder of images and masks, as a user runs it."""
import csv, json, subprocess
from pathlib import Path

import numpy as np
import pytest
from skimage.io import imsave


def run(cli, *args):
    return subprocess.run([cli, *map(str, args)], capture_output=True, text=True, timeout=900)


@pytest.fixture(scope='module')
def folder(tmp_path_factory):
    "Twelve gray 96×120 PNG skies with bright smooth clouds, and their masks (255 = cloud)."
    from scipy import ndimage
    root = tmp_path_factory.mktemp('own')
    (root / 'images').mkdir(); (root / 'masks').mkdir()
    rng = np.random.default_rng(3)
    yy = np.linspace(0, 1, 96)[:, None]
    for i in range(12):
        field = ndimage.gaussian_filter(rng.normal(size=(96, 120)), 8)
        mask = field > np.quantile(field, rng.uniform(0.3, 0.9))
        img = 0.3 + 0.1 * yy + 0.4 * ndimage.gaussian_filter(mask.astype(float), 1.5) + rng.normal(0, 0.02, (96, 120))
        imsave(root / 'images' / f'sky{i:02d}.png', (np.clip(img, 0, 1) * 255).astype(np.uint8), check_contrast=False)
        imsave(root / 'masks' / f'sky{i:02d}.png', (mask * 255).astype(np.uint8), check_contrast=False)
    return root


def test_transfer_on_own_folder(cli, folder, tmp_path):
    cfg = tmp_path / 'own.jsonc'
    cfg.write_text('{"network": {"num_epochs": 2, "batch_size": 4}}  // dataset from --images/--masks')
    out = tmp_path / 'study'
    r = run(cli, 'transfer', '--config', cfg, '--images', folder / 'images', '--masks', folder / 'masks', '--folds', 2,
            '--starts', 'zero-shot,scratch', '-o', out, '--quiet')
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert [l.split()[0] for l in lines[:3]] == ['zero-shot', 'scratch', 'otsu'] and '12 held-out images' in lines[-1]
    rows = list(csv.DictReader(open(out / 'transfer.csv')))
    assert [x['start'] for x in rows] == ['zero-shot', 'scratch', 'otsu per image']
    otsu = float(rows[-1]['accuracy'])
    assert otsu > 0.9  # bright clouds on a gentle gradient: the loader pairs images and masks right
    folds = list(csv.DictReader(open(out / 'folds.csv')))
    assert sorted(int(f['n_test']) for f in folds if f['start'] == 'scratch') == [6, 6]
    summary = json.loads((out / 'transfer.json').read_text())
    assert summary['dataset'] == 'images' and summary['n_held_out'] == 12
    again = run(cli, 'transfer', '--images', folder / 'images', '--masks', folder / 'masks', '-o', out)
    assert again.returncode == 2 and 'already holds a transfer study' in again.stderr  # results never replaced silently
    assert json.loads((out / 'transfer.json').read_text()) == summary


def test_transfer_bad_inputs(cli, folder, tmp_path):
    r = run(cli, 'transfer', '--images', folder / 'images')
    assert r.returncode == 2 and r.stderr.strip() == 'iris-clouddeep transfer: error: give --images and --masks together'
    partial = tmp_path / 'masks'; partial.mkdir()
    for p in sorted((folder / 'masks').glob('*.png'))[:5]: (partial / p.name).write_bytes(p.read_bytes())
    r = run(cli, 'transfer', '--images', folder / 'images', '--masks', partial, '-o', tmp_path / 'x')
    assert r.returncode == 2 and r.stderr.count('\n') == 1 and 'no mask for 7 image(s), e.g. sky05.png' in r.stderr
    r = run(cli, 'transfer', '--images', folder / 'images', '--masks', folder / 'masks', '--folds', 5, '-o', tmp_path / 'y')
    assert r.returncode == 2 and '12 images are too few for 5 fold(s): need at least 15' in r.stderr
    r = run(cli, 'transfer', '--images', folder / 'images', '--masks', folder / 'masks', '--starts', 'zeroshot', '-o', tmp_path / 'z')
    assert r.returncode == 2 and "unknown start(s) ['zeroshot']" in r.stderr


def test_train_unet_with_a_separate_test_folder(cli, folder, tmp_path):
    from iris_clouddeep.datasets import load_image_folder
    from iris_clouddeep.unet import load_segmenter
    for part, idx in (('own', range(8)), ('held', range(8, 12))):
        for k in ('images', 'masks'):
            (tmp_path / part / k).mkdir(parents=True)
            for i in idx:
                (tmp_path / part / k / f'sky{i:02d}.png').write_bytes((folder / k / f'sky{i:02d}.png').read_bytes())
    own, held, out = tmp_path / 'own', tmp_path / 'held', tmp_path / 'run'
    cfg = tmp_path / 'few.jsonc'
    cfg.write_text('{"network": {"num_epochs": 2, "batch_size": 4}}')
    r = run(cli, 'train-unet', '--config', cfg, '--images', own / 'images', '--masks', own / 'masks',
            '--test-images', held / 'images', '--test-masks', held / 'masks', '-o', out, '--quiet')
    assert r.returncode == 0, r.stderr
    reported = json.loads((out / 'metrics.json').read_text())['rows'][0]
    seg = load_segmenter(out / 'model')
    d = load_image_folder(held / 'images', held / 'masks')
    mine = ((seg.predict(d['images']) >= seg.threshold) == (d['masks'] == 1)).mean()
    assert reported['method'] == 'unet' and abs(mine - reported['accuracy']) < 1e-9  # scored on the test folder
    r = run(cli, 'train-unet', '--images', own / 'images', '--masks', own / 'masks', '--test-images', held / 'images',
            '-o', tmp_path / 'x')
    assert r.returncode == 2 and 'give --test-images and --test-masks together' in r.stderr
