#!/usr/bin/env bash
# Create bench/sklearn/.venv and install scikit-learn from PyPI (idempotent).
set -euo pipefail
cd "$(dirname "$0")"
PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    "$PY" -m venv .venv
fi
if ! .venv/bin/python -c 'import sklearn' >/dev/null 2>&1; then
    .venv/bin/python -m pip install --upgrade pip
    .venv/bin/python -m pip install scikit-learn numpy scipy
fi
.venv/bin/python -c 'import sys, sklearn, numpy, scipy; print("python", sys.version.split()[0]); print("scikit-learn", sklearn.__version__, "numpy", numpy.__version__, "scipy", scipy.__version__)'
