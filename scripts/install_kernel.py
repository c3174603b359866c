"""Install the project's Jupyter kernel `iris-clouddeep` into the current environment.

The kernel is the environment's Python with `--IPKernelApp.capture_fd_output=False`, so that C++ log lines
printed by TensorFlow at import stay on the terminal instead of landing in notebook outputs (and the docs).
"""
import json, subprocess, sys
from pathlib import Path

NAME, DISPLAY = 'iris-clouddeep', 'Python 3 (iris-clouddeep)'


def main():
    subprocess.run([sys.executable, '-m', 'ipykernel', 'install', '--sys-prefix', '--name', NAME,
                    '--display-name', DISPLAY], check=True, stdout=subprocess.DEVNULL)
    spec = Path(sys.prefix) / 'share' / 'jupyter' / 'kernels' / NAME / 'kernel.json'
    k = json.loads(spec.read_text())
    k['argv'] = [sys.executable, '-m', 'ipykernel_launcher', '-f', '{connection_file}',
                 '--IPKernelApp.capture_fd_output=False']
    k['env'] = {'TF_CPP_MIN_LOG_LEVEL': '2', 'MPLBACKEND': 'module://matplotlib_inline.backend_inline'}
    spec.write_text(json.dumps(k, indent=1))
    print(f'kernel {NAME} installed: {spec}')


if __name__ == '__main__':
    main()
