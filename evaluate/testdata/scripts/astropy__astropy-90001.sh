#!/bin/bash
set -uxo pipefail
if [ -d /opt/miniconda3 ]; then source /opt/miniconda3/bin/activate && conda activate testbed; fi
cd /testbed
git config --global --add safe.directory /testbed
cd /testbed
git status
git show
git -c core.fileMode=false diff 0123456789abcdef0123456789abcdef01234567
if [ -d /opt/miniconda3 ]; then source /opt/miniconda3/bin/activate && conda activate testbed; fi
python -m pip install -e .[test] --verbose
git checkout 0123456789abcdef0123456789abcdef01234567 astropy/utils/tests/test_misc.py
git apply -v - <<'EOF_CTXSWEEP_TEST_PATCH'
diff --git a/astropy/utils/tests/test_misc.py b/astropy/utils/tests/test_misc.py
--- a/astropy/utils/tests/test_misc.py
+++ b/astropy/utils/tests/test_misc.py
@@ -80,6 +80,20 @@ def test_inherit_docstrings():
         assert Subclass.__call__.__doc__ == "FOO"
 
 
+def test_inherit_docstrings_property():
+    class Base(metaclass=misc.InheritDocstrings):
+        @property
+        def bar(self):
+            "BAR"
+            return 1
+
+    class Subclass(Base):
+        @property
+        def bar(self):
+            return 2
+
+    assert Subclass.bar.__doc__ == "BAR"
+
+
 def test_set_locale():
     # First, test if the required locales are available
     current = locale.setlocale(locale.LC_ALL)
diff --git a/astropy/utils/tests/test_docstring_props.py b/astropy/utils/tests/test_docstring_props.py
new file mode 100644
--- /dev/null
+++ b/astropy/utils/tests/test_docstring_props.py
@@ -0,0 +1,5 @@
+from astropy.utils import misc
+
+
+def test_misc_has_inherit_docstrings():
+    assert hasattr(misc, "InheritDocstrings")
diff --git a/astropy/utils/tests/data/docstrings.txt b/astropy/utils/tests/data/docstrings.txt
new file mode 100644
--- /dev/null
+++ b/astropy/utils/tests/data/docstrings.txt
@@ -0,0 +1 @@
+BAR
EOF_CTXSWEEP_TEST_PATCH
: '>>>>> Start Test Output'
pytest -rA -vv -o console_output_style=classic --tb=no astropy/utils/tests/test_misc.py astropy/utils/tests/test_docstring_props.py
ctxsweep_test_exit=$?
: '>>>>> End Test Output'
echo ">>>>> Test Exit Code: $ctxsweep_test_exit"
git checkout 0123456789abcdef0123456789abcdef01234567 astropy/utils/tests/test_misc.py
