"""The package as a user installs it: a wheel built without packaging warnings, installed for real (not
editable) into a folder of its own, finds and checks its shipped weights."""
import os, re, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOISE = ('byte-compiling is disabled', 'WARNING: Location')  # pip's and this machine's, not the package's


def test_wheel_has_no_packaging_warnings_and_ships_its_weights(tmp_path):
    pip = [sys.executable, '-m', 'pip', '--disable-pip-version-check']
    r = subprocess.run(pip + ['wheel', '--no-deps', '-v', '-w', str(tmp_path / 'wheel'), str(ROOT)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    log = (r.stdout + r.stderr).splitlines()
    warnings = [l for l in log if re.search(r'warn|deprecat', l, re.I) and not any(n in l for n in NOISE)]
    assert warnings == [], warnings
    [wheel] = (tmp_path / 'wheel').glob('iris_clouddeep-*.whl')
    subprocess.run(pip + ['install', '-q', '--no-deps', '--target', str(tmp_path / 'site'), str(wheel)], check=True,
                   capture_output=True)
    code = ("import iris_clouddeep; from iris_clouddeep.unet import read_saved_unet;"
            "from iris_clouddeep.classifier import load_classifier;"
            "[read_saved_unet(n) for n in ('unet', 'unet_sim')]; c = load_classifier(engine='lite');"
            "import sys; assert 'tensorflow' not in sys.modules, 'LiteRT file not shipped';"
            "print(iris_clouddeep.__file__, c.threshold)")
    env = dict(os.environ, PYTHONPATH=str(tmp_path / 'site'), TF_CPP_MIN_LOG_LEVEL='3')
    r = subprocess.run([sys.executable, '-c', code], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    where, threshold = r.stdout.split()[-2:]
    assert where.startswith(str(tmp_path / 'site')), where  # the installed copy, not the repository's
    assert 0 < float(threshold) < 1
