/* dom.core._native: pulled liquidity's once-a-second reads of a band and its mids' range:
 * band_sizes(), band_hits() and mid_range() (spoof_stats.py holds their Python twins). */
#include "_native.h"

#define LIM62 (1LL << 62)
#define LIM61 (1LL << 61)  /* a mid: their range is then within 2^62 */

/* A band's levels: a list of (px, q) pairs; 1, or 0 for anything else. */
static int band_ok(PyObject *band)
{
    if (!PyList_CheckExact(band))
        return 0;
    for (Py_ssize_t i = 0, n = PyList_GET_SIZE(band); i < n; i++) {
        PyObject *lv = PyList_GET_ITEM(band, i);
        if (!PyTuple_CheckExact(lv) || PyTuple_GET_SIZE(lv) != 2)
            return 0;
    }
    return 1;
}

/* band_sizes(band) -> list | NotImplemented: [q for _, q in band] (band a list of 2-tuples). */
PyObject *band_sizes(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 1) {
        PyErr_SetString(PyExc_TypeError, "band_sizes(band)");
        return NULL;
    }
    PyObject *band = args[0];
    if (!band_ok(band))
        Py_RETURN_NOTIMPLEMENTED;
    Py_ssize_t n = PyList_GET_SIZE(band);
    PyObject *out = PyList_New(n);
    if (out == NULL)
        return NULL;
    for (Py_ssize_t i = 0; i < n; i++)
        PyList_SET_ITEM(out, i, Py_NewRef(PyTuple_GET_ITEM(PyList_GET_ITEM(band, i), 1)));
    return out;
}

/* band_hits(band, t, cands, side) -> list | NotImplemented: the levels lv of band, in order, with
 * lv[1] >= t or (side, lv[0]) a key of cands. NotImplemented, nothing done, when band is not a
 * list of 2-tuples, cands not a dict, t or a size not an exact int within +-2^62. */
PyObject *band_hits(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 4) {
        PyErr_SetString(PyExc_TypeError, "band_hits(band, t, cands, side)");
        return NULL;
    }
    PyObject *band = args[0], *cands = args[2], *side = args[3];
    long long t, q;
    int r;
    if (!band_ok(band) || !PyDict_CheckExact(cands))
        Py_RETURN_NOTIMPLEMENTED;
    if ((r = in_range(args[1], LIM62, &t)) <= 0)
        return r < 0 ? NULL : Py_NewRef(Py_NotImplemented);
    Py_ssize_t n = PyList_GET_SIZE(band);
    for (Py_ssize_t i = 0; i < n; i++)
        if ((r = in_range(PyTuple_GET_ITEM(PyList_GET_ITEM(band, i), 1), LIM62, &q)) <= 0)
            return r < 0 ? NULL : Py_NewRef(Py_NotImplemented);
    PyObject *out = PyList_New(0);
    if (out == NULL)
        return NULL;
    int any = PyDict_GET_SIZE(cands) > 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *lv = PyList_GET_ITEM(band, i);
        in_range(PyTuple_GET_ITEM(lv, 1), LIM62, &q);  /* (checked above) */
        int hit = q >= t;
        if (!hit && any) {
            PyObject *key = PyTuple_Pack(2, side, PyTuple_GET_ITEM(lv, 0));
            hit = key == NULL ? -1 : PyDict_Contains(cands, key);
            Py_XDECREF(key);
        }
        if (hit < 0 || (hit && PyList_Append(out, lv) < 0)) {
            Py_DECREF(out);
            return NULL;
        }
    }
    return out;
}

/* mid_range(mids, before) -> int | NotImplemented: max - min of m over the (t, m) of mids with
 * t < before, 0 when none. NotImplemented when mids is not a list or a collections.deque (exact)
 * of 2-tuples of exact ints within +-2^62 (m within +-2^61), or before not such an int. */
PyObject *mid_range(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 3) {
        PyErr_SetString(PyExc_TypeError, "mid_range(mids, before, deque)");
        return NULL;
    }
    PyObject *mids = args[0];
    long long before, t, m, lo = 0, hi = 0;
    int r, any = 0;
    if (!(PyList_CheckExact(mids) || (PyType_Check(args[2]) && Py_TYPE(mids) == (PyTypeObject *)args[2])))
        Py_RETURN_NOTIMPLEMENTED;
    if ((r = in_range(args[1], LIM62, &before)) <= 0)
        return r < 0 ? NULL : Py_NewRef(Py_NotImplemented);
    PyObject *it = PyObject_GetIter(mids), *x;
    if (it == NULL)
        return NULL;
    r = 1;
    while (r > 0 && (x = PyIter_Next(it)) != NULL) {
        if (!PyTuple_CheckExact(x) || PyTuple_GET_SIZE(x) != 2)
            r = 0;
        else if ((r = in_range(PyTuple_GET_ITEM(x, 0), LIM62, &t)) > 0 && (r = in_range(PyTuple_GET_ITEM(x, 1), LIM62, &m)) > 0
                 && (r = m >= -LIM61 && m <= LIM61) > 0 && t < before) {
            if (!any || m < lo)
                lo = m;
            if (!any || m > hi)
                hi = m;
            any = 1;
        }
        Py_DECREF(x);
    }
    Py_DECREF(it);
    if (r < 0 || PyErr_Occurred())
        return NULL;
    if (r == 0)
        Py_RETURN_NOTIMPLEMENTED;
    return PyLong_FromLongLong(hi - lo);
}

/* band_median_top(band) -> (n, med, top) | NotImplemented: of the band's level sizes (band a list of
 * 2-tuples whose sizes are exact ints within +-2^52), how many, int() of their median (the middle
 * one, or the mean of the two: (a + b) / 2 as a float, then toward 0, which for such ints is C's
 * integer division) and the largest; (0, 0, None) for an empty band. What SpoofDetector._stats reads
 * of the sorted sizes (spoof_stats.band_median_top_py), by selection rather than a sort. */
PyObject *pjd_band_median_top(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 1) {
        PyErr_SetString(PyExc_TypeError, "band_median_top(band)");
        return NULL;
    }
    PyObject *band = args[0];
    if (!band_ok(band))
        Py_RETURN_NOTIMPLEMENTED;
    Py_ssize_t n = PyList_GET_SIZE(band);
    if (n == 0)
        return Py_BuildValue("(iiO)", 0, 0, Py_None);
    long long stack[256], *v = n <= 256 ? stack : PyMem_Malloc(n * sizeof(long long)), top = 0, med;
    if (v == NULL)
        return PyErr_NoMemory();
    PyObject *res = NULL;
    for (Py_ssize_t i = 0; i < n; i++) {
        int k = in_range_fast(PyTuple_GET_ITEM(PyList_GET_ITEM(band, i), 1), 1LL << 52, &v[i]);
        if (k <= 0) {
            if (k == 0)
                res = Py_NewRef(Py_NotImplemented);
            goto done;
        }
        if (i == 0 || v[i] > top)
            top = v[i];
    }
    med = wdh_select(v, n, n / 2);
    if (n % 2 == 0) {  /* the mean of the two middle ones: the largest of the smaller half with it */
        long long lo = v[0];
        for (Py_ssize_t i = 1; i < n / 2; i++)
            if (v[i] > lo)
                lo = v[i];
        med = (lo + med) / 2;
    }
    res = Py_BuildValue("(nLL)", n, med, top);
done:
    if (v != stack)
        PyMem_Free(v);
    return res;
}
