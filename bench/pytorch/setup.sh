#!/usr/bin/env bash
# Create bench/pytorch/.venv and install torch from PyPI (idempotent).
set -euo pipefail
cd "$(dirname "$0")"
PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    "$PY" -m venv .venv
fi
if ! .venv/bin/python -c 'import torch' >/dev/null 2>&1; then
    .venv/bin/python -m pip install --upgrade pip
    # Plain PyPI install (pulls the CUDA runtime wheels too; unused on CPU).
    .venv/bin/python -m pip install torch numpy
fi
.venv/bin/python -c 'import sys, torch; print("python", sys.version.split()[0]); print("torch", torch.__version__)'
