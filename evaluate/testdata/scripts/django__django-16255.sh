#!/bin/bash
set -uxo pipefail
if [ -d /opt/miniconda3 ]; then source /opt/miniconda3/bin/activate && conda activate testbed; fi
cd /testbed
git config --global --add safe.directory /testbed
cd /testbed
git status
git show
git -c core.fileMode=false diff 444b6da7cc229a58a2c476a52e45233001dc7073
if [ -d /opt/miniconda3 ]; then source /opt/miniconda3/bin/activate && conda activate testbed; fi
python -m pip install -e .
git checkout 444b6da7cc229a58a2c476a52e45233001dc7073 tests/sitemaps_tests/test_http.py tests/sitemaps_tests/urls/http.py
git apply -v - <<'EOF_CTXSWEEP_TEST_PATCH'
<<test_patch of django__django-16255>>
EOF_CTXSWEEP_TEST_PATCH
: '>>>>> Start Test Output'
./tests/runtests.py --verbosity 2 --settings=test_sqlite --parallel 1 sitemaps_tests.test_http sitemaps_tests.urls.http
ctxsweep_test_exit=$?
: '>>>>> End Test Output'
echo ">>>>> Test Exit Code: $ctxsweep_test_exit"
git checkout 444b6da7cc229a58a2c476a52e45233001dc7073 tests/sitemaps_tests/test_http.py tests/sitemaps_tests/urls/http.py
