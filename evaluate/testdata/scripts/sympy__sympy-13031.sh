#!/bin/bash
set -uxo pipefail
if [ -d /opt/miniconda3 ]; then source /opt/miniconda3/bin/activate && conda activate testbed; fi
cd /testbed
git config --global --add safe.directory /testbed
cd /testbed
git status
git show
git -c core.fileMode=false diff 2dfa7457f20ee187fbb09b5b6a1631da4458388c
if [ -d /opt/miniconda3 ]; then source /opt/miniconda3/bin/activate && conda activate testbed; fi
python -m pip install -e .
git checkout 2dfa7457f20ee187fbb09b5b6a1631da4458388c sympy/matrices/tests/test_sparse.py
git apply -v - <<'EOF_CTXSWEEP_TEST_PATCH'
<<test_patch of sympy__sympy-13031>>
EOF_CTXSWEEP_TEST_PATCH
: '>>>>> Start Test Output'
PYTHONWARNINGS='ignore::UserWarning,ignore::SyntaxWarning' bin/test -C --verbose sympy/matrices/tests/test_sparse.py
ctxsweep_test_exit=$?
: '>>>>> End Test Output'
echo ">>>>> Test Exit Code: $ctxsweep_test_exit"
git checkout 2dfa7457f20ee187fbb09b5b6a1631da4458388c sympy/matrices/tests/test_sparse.py
