"""The bad-input and fault corpus: every command that reads frames, fed bad files mixed among good ones, must name
each bad file with its reason in one line, process the good ones, leave no partial output, never write its inputs;
and survive faults (kill -9 then resume, a full or read-only output filesystem, two runs at once)."""
import gzip, hashlib, os, shutil, signal, subprocess, time
from pathlib import Path

import numpy as np
import pytest
from astropy.io import fits


def run(cli, *args, **kw):
    return subprocess.run([cli, *map(str, args)], capture_output=True, text=True, timeout=900, **kw)


def digest(folder):
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(Path(folder).rglob('*')) if p.is_file()}


def hidden(folder):
    return [p for p in Path(folder).rglob('.*') if p.is_file()]


def _primary(path, data, **cards):
    h = fits.PrimaryHDU(data)
    for k, v in cards.items():
        h.header[k] = v
    h.writeto(path)


# name: (how to write it from a good raw frame, what the message must say); None: a good frame in disguise
def _cases(good):
    raw = fits.getdata(good).astype(np.int32)
    binned = np.full((128, 160), 0.07, np.float32)
    nan, inf = binned.copy(), binned.copy()
    nan[3, 3], inf[4, 4] = np.nan, np.inf
    return {
        'empty.fits': (lambda p: p.write_bytes(b''), 'empty file'),
        'text.fits': (lambda p: p.write_text('not a FITS file\n' * 50), 'not a readable FITS'),
        'truncated.fits': (lambda p: p.write_bytes(good.read_bytes()[:100_000]), 'not a readable FITS'),
        'cube.fits': (lambda p: _primary(p, np.zeros((3, 512, 640), np.int16)), 'got 3 dimensions'),
        # the models take frames of any shape down to MIN_SIDE; preprocess and scan take the Tau2's only
        'small.fits': (lambda p: _primary(p, np.zeros((10, 10), np.int16)), ('a 10×10 frame is too small',
                                                                               'unexpected shape (10, 10)')),
        'nan.fits': (lambda p: _primary(p, nan), 'NaN/inf'),
        'inf.fits': (lambda p: _primary(p, inf), 'NaN/inf'),
        'hot.fits': (lambda p: _primary(p, np.full((512, 640), 20000, np.uint16)), 'outside the 14-bit'),
        'negative.fits': (lambda p: _primary(p, np.full((512, 640), -5, np.int16)), 'outside the 14-bit'),
        'adu_float.fits': (lambda p: _primary(p, binned * 16384), 'outside 0 … 1'),
        'nodata.fits': (lambda p: fits.PrimaryHDU().writeto(p), 'no image data'),
        'bad_date.fits': (lambda p: _primary(p, raw.astype(np.uint16), **{'DATE-OBS': 'yesterday'}), 'DATE-OBS'),
        'bad_key.fits': (lambda p: _primary(p, raw.astype(np.uint16), INDEX='abc'), 'INDEX'),
        # good frames that look unusual: they must be processed
        'with space é.fits': (lambda p: shutil.copyfile(good, p), None),
        'zipped.fits.gz': (lambda p: p.write_bytes(gzip.compress(good.read_bytes())), None),
        'in_extension.fits': (lambda p: fits.HDUList([fits.PrimaryHDU(), fits.ImageHDU(raw.astype(np.int16))]).writeto(p),
                              None),
    }


@pytest.fixture(scope='module')
def corpus(tmp_path_factory, cli):
    root = tmp_path_factory.mktemp('corpus')
    r = run(cli, 'simulate', '-o', root / 'in', '--frames', 3, '--seed', 2, '--cadence', 120, '--quiet')
    assert r.returncode == 0, r.stderr
    good = sorted((root / 'in').glob('*.fits'))[0]
    cases = _cases(good)
    for name, (write, _) in cases.items():
        write(root / 'in' / name)
    os.symlink(root / 'in', root / 'in' / 'loop')  # a folder link back to itself: not followed
    (root / 'in' / 'folder.fits').mkdir()  # a folder with a FITS name: not a frame
    return root, {k: why for k, (_, why) in cases.items()}


COMMANDS = {  # command: arguments after the input folder, with {out} for the output
    'classify': [],
    'segment': ['-o', '{out}'],
    'night': ['-o', '{out}'],
    'preprocess': ['-o', '{out}'],
    'scan': ['-o', '{out}/manifest.csv'],
}


@pytest.mark.parametrize('command', list(COMMANDS))
def test_corpus(cli, corpus, command, tmp_path):
    root, why = corpus
    before = digest(root / 'in')
    out = tmp_path / 'out'
    args = [a.format(out=out) for a in COMMANDS[command]]
    if command == 'scan':
        out.mkdir()
    r = run(cli, command, root / 'in', *args, '--quiet')
    assert r.returncode == 1, (r.returncode, r.stderr[-3000:])
    assert 'Traceback' not in r.stderr, r.stderr[-3000:]
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    bad = {k: v for k, v in why.items() if v}
    for name, reason in bad.items():
        hit = [l for l in lines if name in l]
        assert len(hit) == 1 and any(r in hit[0] for r in (reason if isinstance(reason, tuple) else (reason,))), \
            (command, name, reason, hit)
    named_good = [l for l in lines if any(g in l for g, v in why.items() if v is None)]
    assert not named_good, (command, named_good)  # the unusual good frames were processed
    assert len(lines) == len(bad), (command, lines)  # one line per bad file, nothing else
    assert digest(root / 'in') == before  # inputs byte-identical
    if out.exists():
        assert not hidden(out), hidden(out)  # no partial output left


def test_kill_and_resume_preprocess(cli, tmp_path):
    r = run(cli, 'simulate', '-o', tmp_path / 'in', '--frames', 120, '--seed', 3, '--cadence', 60, '--quiet')
    assert r.returncode == 0
    clean = run(cli, 'preprocess', tmp_path / 'in', '-o', tmp_path / 'clean', '--quiet')
    assert clean.returncode == 0
    p = subprocess.Popen([cli, 'preprocess', str(tmp_path / 'in'), '-o', str(tmp_path / 'killed'), '--quiet'],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and len(list((tmp_path / 'killed').glob('*.fits'))) < 20:
        time.sleep(0.02)
    p.send_signal(signal.SIGKILL)
    p.wait()
    r = run(cli, 'preprocess', tmp_path / 'in', '-o', tmp_path / 'killed', '--quiet')
    assert r.returncode == 0, r.stderr
    assert not hidden(tmp_path / 'killed')  # temporaries of the killed run cleaned by the next one
    strip = lambda d: {k: v for k, v in digest(d).items()}
    assert strip(tmp_path / 'killed').keys() == strip(tmp_path / 'clean').keys()
    for f in (tmp_path / 'clean').glob('*.fits'):
        a, b = fits.open(f), fits.open(tmp_path / 'killed' / f.name)
        assert all(np.array_equal(x.data, y.data) for x, y in zip(a, b))


def test_two_runs_at_once(cli, tmp_path):
    r = run(cli, 'simulate', '-o', tmp_path / 'in', '--frames', 60, '--seed', 4, '--cadence', 60, '--quiet')
    assert r.returncode == 0
    ps = [subprocess.Popen([cli, 'preprocess', str(tmp_path / 'in'), '-o', str(tmp_path / 'out'), '--quiet'],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    res = [p.communicate(timeout=600) + (p.returncode,) for p in ps]
    assert all(code == 0 for _, _, code in res), res
    assert not any('FAILED' in err for _, err, _ in res)
    assert len(list((tmp_path / 'out').glob('*_masked.fits'))) == 60


def _mount(path, *opts):
    path.mkdir()
    r = subprocess.run(['mount', '-t', 'tmpfs', '-o', ','.join(opts), 'tmpfs', str(path)], capture_output=True)
    if r.returncode != 0:
        pytest.skip(f'cannot mount a tmpfs here ({r.stderr.decode().strip()})')
    return path


@pytest.mark.parametrize('command', ['simulate', 'preprocess', 'night', 'scan', 'quicklook'])
@pytest.mark.parametrize('fault', ['full', 'read-only'])
def test_unwritable_output(cli, tmp_path, command, fault):
    r = run(cli, 'simulate', '-o', tmp_path / 'in', '--frames', 6, '--seed', 5, '--cadence', 60, '--quiet')
    assert r.returncode == 0
    src = tmp_path / 'in'
    if command == 'quicklook':
        assert run(cli, 'preprocess', src, '-o', tmp_path / 'prod', '--quiet').returncode == 0
        src = tmp_path / 'prod'
    mnt = _mount(tmp_path / 'mnt', 'size=64k' if fault == 'full' else 'ro')
    if fault == 'full':
        fd = os.open(mnt / 'filler', os.O_WRONLY | os.O_CREAT)  # nothing left for the command
        try:
            while True:
                os.write(fd, b'\0' * 4096)
        except OSError:
            pass
        finally:
            os.close(fd)
    try:
        out = {'scan': mnt / 'm.csv', 'quicklook': mnt / 'q.png'}.get(command, mnt / 'out')
        r = run(cli, command, *([] if command == 'simulate' else [src]), '-o', out, '--quiet')
        assert r.returncode in (1, 2), (r.returncode, r.stderr[-2000:])
        assert 'Traceback' not in r.stderr, r.stderr[-3000:]
        assert ('No space left' in r.stderr or 'Read-only' in r.stderr), r.stderr[-2000:]
        assert not hidden(mnt)
    finally:
        subprocess.run(['umount', str(mnt)])


def test_quicklook_skips_a_bad_product(cli, tmp_path):
    assert run(cli, 'simulate', '-o', tmp_path / 'in', '--frames', 4, '--seed', 6, '--quiet').returncode == 0
    assert run(cli, 'preprocess', tmp_path / 'in', '-o', tmp_path / 'prod', '--quiet').returncode == 0
    (tmp_path / 'prod' / '2023_02_14_20_00_45_flux_9_masked.fits').write_text('broken product')
    r = run(cli, 'quicklook', tmp_path / 'prod', '-o', tmp_path / 'q.png', '--panels', 5)
    assert r.returncode == 1 and 'Traceback' not in r.stderr
    assert r.stderr.count('error:') == 1 and 'flux_9_masked.fits: not a readable FITS' in r.stderr
    assert (tmp_path / 'q.png').stat().st_size > 10_000  # the good products drawn
    r = run(cli, 'quicklook', tmp_path / 'prod', '-o', tmp_path / 'q.png')
    assert r.returncode == 2 and 'exists (use --overwrite' in r.stderr  # never replaced silently


def _children(pid:int)->list:
    "Process ids whose parent is `pid` (from /proc)."
    out = []
    for d in Path('/proc').iterdir():
        if d.name.isdigit():
            try:
                if int((d / 'stat').read_text().rsplit(')', 1)[1].split()[1]) == pid:
                    out.append(int(d.name))
            except (OSError, IndexError, ValueError):
                pass
    return out


def _running(pid:int)->bool:
    try:
        state = [l for l in Path(f'/proc/{pid}/status').read_text().splitlines() if l.startswith('State:')][0]
    except (OSError, IndexError):
        return False
    return 'zombie' not in state


@pytest.mark.skipif(not Path('/proc/self/stat').exists(), reason='needs /proc to find the workers')
def test_workers_die_with_their_parent(cli, tmp_path):
    assert run(cli, 'simulate', '-o', tmp_path / 'in', '--frames', 500, '--seed', 8, '--cadence', 10,
               '--quiet').returncode == 0
    p = subprocess.Popen([cli, 'night', str(tmp_path / 'in'), '-o', str(tmp_path / 'out'), '--jobs', '2', '--quiet'],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    table, deadline = tmp_path / 'out' / 'night.csv', time.time() + 180
    while time.time() < deadline and not (table.exists() and table.read_text().count('\n') >= 2):
        time.sleep(0.05)
    workers = _children(p.pid)
    assert workers, 'no worker processes found'
    p.send_signal(signal.SIGKILL)
    p.wait()
    time.sleep(4)
    assert not [w for w in workers if _running(w)]  # none left computing (or writing) for a dead parent
