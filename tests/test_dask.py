"""The Dask backend on a local dask.distributed cluster: how a campaign is spread over machines."""
import numpy as np
import pytest
from astropy.io import fits

distributed = pytest.importorskip('distributed')


def test_preprocess_on_a_dask_cluster(tmp_path):
    from iris_clouddeep.simulate import simulate_night, NightConfig
    from iris_clouddeep.parallel import preprocess_dir
    raw = simulate_night(tmp_path / 'raw', NightConfig(n_frames=6, cadence=10.), seed=2, progress=False)
    (tmp_path / 'raw' / 'broken.fits').write_bytes(b'\x00' * 100)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        rep = preprocess_dir(tmp_path / 'raw', tmp_path / 'dask', backend='dask', progress=False)
        assert len(client.scheduler_info()['workers']) == 2
    assert (len(rep.done), len(rep.failed)) == (6, 1) and 'broken.fits' in rep.failed[0][0]
    ref = preprocess_dir(tmp_path / 'raw', tmp_path / 'local', jobs=1, progress=False)
    assert len(ref.done) == 6
    for p in raw:  # same products whichever backend made them
        a, b = (fits.getdata(tmp_path / d / f'{p.stem}_masked.fits', 'MASK') for d in ('dask', 'local'))
        assert np.array_equal(a, b)
