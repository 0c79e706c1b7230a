/* The walls' once-a-second statistics of one side's band in one call (wall_side.py,
 * side_stats_py is the same work in Python):
 *
 *   side_stats(band, best, bid, out, buckets, cap, getrandbits, smp, now, horizon)
 *       -> (median, largest, over) | NotImplemented
 *
 * band: a list of (px, q) tuples, best first; best, bid, out, buckets, cap: band_buckets'
 * (_native_stats.c: each organic level's size to its distance bucket; over, the buckets past cap).
 * median: the band sizes' median (median_sorted of them sorted: the middle one, an int, or the
 * mean of the two, a float); largest: the largest size. Then, as the Python path does, up to five
 * organic sizes (all the sizes when none is organic) drawn by sample_few(getrandbits, ...) go to
 * smp.add_many(now, ...), and smp.expire(horizon). The sizes are not sorted: two selections.
 *
 * NotImplemented, nothing done, when band is not a non-empty list of 2-tuples whose sizes are
 * exact ints within +-2^61, or band_buckets declines (its own checks); the Python path then.
 * Every global name here starts with wj_. */
#include "_native.h"

#define WJ_LIM (1LL << 61)
#define WJ_STACK 256

/* The i-th smallest of v[0..n) (v reordered: v[0..i) hold the smaller ones), Hoare's selection. */
static long long wj_select(long long *v, Py_ssize_t n, Py_ssize_t i)
{
    Py_ssize_t lo = 0, hi = n - 1;
    while (lo < hi) {
        long long pivot = v[lo + (hi - lo) / 2];
        Py_ssize_t a = lo, b = hi;
        while (a <= b) {
            while (v[a] < pivot)
                a++;
            while (v[b] > pivot)
                b--;
            if (a <= b) {
                long long t = v[a];
                v[a] = v[b];
                v[b] = t;
                a++;
                b--;
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

static PyObject *wj_s_add_many, *wj_s_expire;

static PyObject *wj_side_stats(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 10) {
        PyErr_SetString(PyExc_TypeError, "side_stats(band, best, bid, out, buckets, cap, getrandbits, smp, now, horizon)");
        return NULL;
    }
    PyObject *band = args[0];
    if (!PyList_CheckExact(band) || PyList_GET_SIZE(band) == 0)
        Py_RETURN_NOTIMPLEMENTED;
    Py_ssize_t n = PyList_GET_SIZE(band);
    long long stack[WJ_STACK], *v = n <= WJ_STACK ? stack : PyMem_Malloc((size_t)n * sizeof(long long));
    if (v == NULL)
        return PyErr_NoMemory();
    PyObject *res = NULL, *got = NULL, *med = NULL, *top = NULL, *smp = NULL, *k = NULL, *r1;
    long long hi = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *lv = PyList_GET_ITEM(band, i);
        int r = 0;
        if (!PyTuple_CheckExact(lv) || PyTuple_GET_SIZE(lv) != 2 || (r = in_range_fast(PyTuple_GET_ITEM(lv, 1), WJ_LIM, &v[i])) <= 0) {
            if (r == 0)
                res = Py_NewRef(Py_NotImplemented);
            goto done;
        }
        if (i == 0 || v[i] > hi)
            hi = v[i];
    }
    got = band_buckets(NULL, args, 6); /* (checks the rest first: nothing done on a refusal) */
    if (got == NULL || got == Py_NotImplemented) {
        res = got;
        got = NULL;
        goto done;
    }
    /* (the sizes were read before band_buckets ran: it runs no Python code, the band is as read) */
    Py_ssize_t m = n / 2;
    long long a = wj_select(v, n, m);
    if (n % 2)
        med = PyLong_FromLongLong(a);
    else {
        long long b = v[0]; /* the largest of the m smaller ones: the (m-1)-th */
        for (Py_ssize_t i = 1; i < m; i++)
            if (v[i] > b)
                b = v[i];
        med = PyFloat_FromDouble((double)(b + a) / 2.0);
    }
    if (med == NULL || (top = PyLong_FromLongLong(hi)) == NULL)
        goto done;
    PyObject *organic = PyTuple_GET_ITEM(got, 1), *pop = PyList_GET_SIZE(organic) ? organic : PyTuple_GET_ITEM(got, 0);
    Py_ssize_t np = PyList_GET_SIZE(pop);
    if ((k = PyLong_FromSsize_t(np < 5 ? np : 5)) == NULL)
        goto done;
    PyObject *sa[3] = {args[6], pop, k};
    smp = sample_few(NULL, sa, 3);
    if (smp == NULL)
        goto done;
    if (smp == Py_NotImplemented) { /* (a list and 0 <= k <= 5: not met) */
        PyErr_SetString(PyExc_SystemError, "side_stats: sample_few declined");
        goto done;
    }
    PyObject *am[3] = {args[7], args[8], smp};
    if ((r1 = PyObject_VectorcallMethod(wj_s_add_many, am, 3, NULL)) == NULL)
        goto done;
    Py_DECREF(r1);
    PyObject *ex[2] = {args[7], args[9]};
    if ((r1 = PyObject_VectorcallMethod(wj_s_expire, ex, 2, NULL)) == NULL)
        goto done;
    Py_DECREF(r1);
    res = PyTuple_Pack(3, med, top, PyTuple_GET_ITEM(got, 2));
done:
    Py_XDECREF(got);
    Py_XDECREF(med);
    Py_XDECREF(top);
    Py_XDECREF(smp);
    Py_XDECREF(k);
    if (v != stack)
        PyMem_Free(v);
    return res;
}

static PyMethodDef wj_functions[] = {
    {"side_stats", (PyCFunction)(void (*)(void))wj_side_stats, METH_FASTCALL,
     "The walls' once-a-second statistics of a side's band (wall_side.py side_stats_py)."},
    {NULL, NULL, 0, NULL},
};

/* side_stats added to the module m: 0; -1 with an error set. */
int wj_register(PyObject *m)
{
    if ((wj_s_add_many = PyUnicode_InternFromString("add_many")) == NULL
        || (wj_s_expire = PyUnicode_InternFromString("expire")) == NULL)
        return -1;
    return PyModule_AddFunctions(m, wj_functions);
}
