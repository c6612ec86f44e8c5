#!/usr/bin/env bash
# Install GPyTorch (and scikit-learn, for bench/sklearn) into the PyTorch venv of
# bench/pytorch (created by bench/pytorch/setup.sh), idempotent.
set -euo pipefail
cd "$(dirname "$0")/../pytorch"
if [ ! -x .venv/bin/python ]; then
    bash ./setup.sh
fi
if ! .venv/bin/python -c 'import gpytorch, sklearn' >/dev/null 2>&1; then
    .venv/bin/python -m pip install gpytorch scikit-learn
fi
.venv/bin/python -c 'import sys, torch, gpytorch; print("python", sys.version.split()[0]); print("torch", torch.__version__, "gpytorch", gpytorch.__version__)'
