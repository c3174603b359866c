import os, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


@pytest.fixture(scope='session')
def root(): return ROOT


@pytest.fixture(scope='session')
def cli():
    "Path of the installed console script."
    exe = BIN / 'iris-clouddeep'
    assert exe.exists(), f'{exe} missing: install the package (make install)'
    return str(exe)
