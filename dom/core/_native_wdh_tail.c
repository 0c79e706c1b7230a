/* Two order statistics of the walls' baselines in C:
 *
 *   tail_hill(s, k, drop) -> float | NotImplemented
 *       The step window's tail index (dom/core/detectors/steps.py, _hill_py: the Hill estimate,
 *       trimmed or not, of a sorted window's largest samples).
 *   nth_smallest(xs, n, i) -> int | NotImplemented
 *       sorted(xs[:n])[i] (wall_state.py, DistanceBaseline.p90: a distance bucket's P90) by
 *       selection on a copy, no sort: xs a list of exact ints within +-2^62, 0 <= i < n <= len(xs);
 *       else NotImplemented (the sort then, which answers or raises as before).
 *
 * tail_hill:
 * The same float as _hill_py, bit for bit: the same ratios (two ints each exactly a double, so
 * Python's true division is this one correctly rounded division), the same libm log, the sum in
 * the same order from 0 as CPython 3.11's sum() of floats adds them (plain doubles; 3.12 sums
 * floats compensated: NotImplemented there), the trimmed term and the division as Python does
 * them. NotImplemented (the Python loop then, which answers or raises as it does) for anything
 * else: s not a list or a sequence of exact ints within +-2^53 where it is read, k or drop not an
 * exact int within 0..2^30, a ratio not positive. Every global name here starts with wdh_. */
#include <math.h>
#include "_native.h"
#include "_native_steps.h"

#define WDH_EXACT (1LL << 53)

/* s[i] as a double (exact): 1; 0 when not what is taken; -1 with an error set. */
static int wdh_item(PyObject *s, Py_ssize_t i, double *x)
{
    PyObject *o = PyList_CheckExact(s) ? Py_NewRef(PyList_GET_ITEM(s, i)) : PySequence_GetItem(s, i);
    if (o == NULL)
        return -1;
    long long v;
    int r = in_range_fast(o, WDH_EXACT, &v);
    Py_DECREF(o);
    if (r > 0)
        *x = (double)v;
    return r;
}

static PyObject *wdh_tail_hill(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 3) {
        PyErr_SetString(PyExc_TypeError, "tail_hill(s, k, drop)");
        return NULL;
    }
#if PY_VERSION_HEX >= 0x030C0000
    Py_RETURN_NOTIMPLEMENTED;
#else
    PyObject *s = args[0];
    long long k, drop;
    int r;
    if ((r = in_range_fast(args[1], 1LL << 30, &k)) <= 0 || (r = in_range_fast(args[2], 1LL << 30, &drop)) <= 0 || k < 0
        || drop < 0)
        return r < 0 ? NULL : Py_NewRef(Py_NotImplemented);
    if (!PyList_CheckExact(s) && !PySequence_Check(s))
        Py_RETURN_NOTIMPLEMENTED;
    Py_ssize_t n = PyList_CheckExact(s) ? PyList_GET_SIZE(s) : PySequence_Size(s);
    if (n < 0)
        return NULL;
    long long m = 2 * k + drop < (long long)n - 1 ? 2 * k + drop : (long long)n - 1;
    if (m - drop < 1)
        return PyFloat_FromDouble(0.0);
    double base, x, total = 0.0;
    if ((r = wdh_item(s, n - m - 1, &base)) <= 0)
        return r < 0 ? NULL : Py_NewRef(Py_NotImplemented);
    if (base <= 0)
        return PyFloat_FromDouble(0.0);
    Py_ssize_t top = n - drop;
    for (Py_ssize_t i = n - m; i < top; i++) {
        if ((r = wdh_item(s, i, &x)) <= 0)
            return r < 0 ? NULL : Py_NewRef(Py_NotImplemented);
        double q = x / base;
        if (!(q > 0) || !isfinite(q))
            Py_RETURN_NOTIMPLEMENTED;
        total += log(q);
    }
    if (drop) {
        if ((r = wdh_item(s, top - 1, &x)) <= 0)
            return r < 0 ? NULL : Py_NewRef(Py_NotImplemented);
        double q = x / base;
        if (!(q > 0) || !isfinite(q))
            Py_RETURN_NOTIMPLEMENTED;
        total += (double)drop * log(q);
    }
    return PyFloat_FromDouble(total / (double)(m - drop));
#endif
}

static void wdh_swap(long long *a, long long *b)
{
    long long t = *a;
    *a = *b, *b = t;
}

/* v[i] once v[0..n) would be sorted ascending (v reordered, v[0..i) the smaller ones): Hoare's
 * selection, the pivot the median of three (declared in _native.h: side_stats uses it too). */
long long wdh_select(long long *v, Py_ssize_t n, Py_ssize_t i)
{
    Py_ssize_t lo = 0, hi = n - 1;
    while (hi > lo) {
        Py_ssize_t mid = lo + (hi - lo) / 2;
        if (v[mid] < v[lo])
            wdh_swap(&v[mid], &v[lo]);
        if (v[hi] < v[lo])
            wdh_swap(&v[hi], &v[lo]);
        if (v[hi] < v[mid])
            wdh_swap(&v[hi], &v[mid]);
        long long p = v[mid];
        Py_ssize_t a = lo, b = hi;
        while (a <= b) {
            while (v[a] < p)
                a++;
            while (p < v[b])
                b--;
            if (a <= b) {
                wdh_swap(&v[a], &v[b]);
                a++, b--;
            }
        }
        if (i <= b)
            hi = b;
        else if (i >= a)
            lo = a;
        else
            return v[i];
    }
    return v[i];
}

static PyObject *wdh_nth_smallest(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 3) {
        PyErr_SetString(PyExc_TypeError, "nth_smallest(xs, n, i)");
        return NULL;
    }
    PyObject *xs = args[0];
    long long n, i;
    int r;
    if (!PyList_CheckExact(xs) || (r = in_range_fast(args[1], PY_SSIZE_T_MAX / 16, &n)) <= 0
        || (r = in_range_fast(args[2], PY_SSIZE_T_MAX / 16, &i)) <= 0 || !(0 <= i && i < n && n <= PyList_GET_SIZE(xs)))
        Py_RETURN_NOTIMPLEMENTED;
    long long buf[1024], *v = n <= 1024 ? buf : PyMem_Malloc(n * sizeof(long long));
    if (v == NULL)
        return PyErr_NoMemory();
    PyObject *res = NULL;
    for (Py_ssize_t j = 0; j < n; j++)  /* (nothing here runs Python code: the list stays as it is) */
        if ((r = in_range_fast(PyList_GET_ITEM(xs, j), 1LL << 62, &v[j])) <= 0) {
            res = r < 0 ? NULL : Py_NewRef(Py_NotImplemented);
            goto done;
        }
    res = PyLong_FromLongLong(wdh_select(v, n, i));
done:
    if (v != buf)
        PyMem_Free(v);
    return res;
}

static PyMethodDef wdh_tail_functions[] = {
    {"nth_smallest", (PyCFunction)(void (*)(void))wdh_nth_smallest, METH_FASTCALL,
     "sorted(xs[:n])[i] by selection (wall_state.py DistanceBaseline.p90)."},
    {"tail_hill", (PyCFunction)(void (*)(void))wdh_tail_hill, METH_FASTCALL,
     "The Hill estimate (1 / alpha) of a sorted window's largest samples, trimmed or not (steps.py _hill_py)."},
    {NULL, NULL, 0, NULL},
};

int wdh_tail_add(PyObject *m)
{
    return PyModule_AddFunctions(m, wdh_tail_functions);
}
