#!/bin/bash
set -uxo pipefail
if [ -d /opt/miniconda3 ]; then source /opt/miniconda3/bin/activate && conda activate testbed; fi
cd /testbed
git config --global --add safe.directory /testbed
cd /testbed
git status
git show
git -c core.fileMode=false diff 6995257cf470d2143ad1683824962de4071c0eb7
if [ -d /opt/miniconda3 ]; then source /opt/miniconda3/bin/activate && conda activate testbed; fi
python -m pip install -e .
git checkout 6995257cf470d2143ad1683824962de4071c0eb7 testing/test_assertrewrite.py
git apply -v - <<'EOF_CTXSWEEP_TEST_PATCH'
<<test_patch of pytest-dev__pytest-11143>>
EOF_CTXSWEEP_TEST_PATCH
: '>>>>> Start Test Output'
pytest -rA testing/test_assertrewrite.py
ctxsweep_test_exit=$?
: '>>>>> End Test Output'
echo ">>>>> Test Exit Code: $ctxsweep_test_exit"
git checkout 6995257cf470d2143ad1683824962de4071c0eb7 testing/test_assertrewrite.py
