"""The optional C accelerator of the book (``dom/core/_native.c``; see dom/core/accel.py).

Everything else is in pyproject.toml. ``optional=True``: without a compiler (or Python headers)
the build prints a warning and installs dom without it; dom then runs its pure-Python paths,
which give the same results. Build it in a checkout with ``python3 setup.py build_ext --inplace``.
"""

from setuptools import Extension, setup

setup(ext_modules=[Extension("dom.core._native", ["dom/core/_native.c"], optional=True,
                             extra_compile_args=["-O2"])])
