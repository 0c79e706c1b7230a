/* dom.core._native: the band a level is judged in (dom/core/detectors/band.py), read in one call
 * from the two book sides: band_read(). */
#include "_native.h"

#define BND_LIM (1LL << 61)

/* side._index.flat: a new reference to an exact list; NULL with *err 0 for anything else (the
 * index a SortedList, a missing attribute), NULL with *err 1 on a real error. */
static PyObject *bnd_flat(PyObject *side, int *err)
{
    *err = 0;
    PyObject *idx = PyObject_GetAttr(side, S_index);
    if (idx == NULL) {
        if (!PyErr_ExceptionMatches(PyExc_AttributeError))
            *err = 1;
        else
            PyErr_Clear();
        return NULL;
    }
    PyObject *flat = PyObject_GetAttr(idx, S_flat);
    Py_DECREF(idx);
    if (flat == NULL) {
        if (!PyErr_ExceptionMatches(PyExc_AttributeError))
            *err = 1;
        else
            PyErr_Clear();
        return NULL;
    }
    if (!PyList_CheckExact(flat)) {
        Py_DECREF(flat);
        return NULL;
    }
    return flat;
}

/* flat[i] as an exact int within +-BND_LIM: 1 with *v set, 0 for anything else, -1 on error. */
static inline int bnd_key(PyObject *flat, Py_ssize_t i, long long *v)
{
    return in_range(PyList_GET_ITEM(flat, i), BND_LIM, v);
}

/* bisect_left(flat, key) over keys checked as they are read, galloping from the end (the band
 * sits at the best prices, the list's end): the index, or -2 when a key read is not taken, -1 on
 * error. */
static Py_ssize_t bnd_bisect(PyObject *flat, long long key)
{
    Py_ssize_t m = PyList_GET_SIZE(flat), lo = 0, hi = m;
    long long v;
    for (Py_ssize_t step = 1; step <= m; step *= 2) {
        int ok = bnd_key(flat, m - step, &v);
        if (ok <= 0)
            return ok < 0 ? -1 : -2;
        if (v < key) {
            lo = m - step + 1;
            break;
        }
        hi = m - step;
    }
    while (lo < hi) {
        Py_ssize_t mid = lo + (hi - lo) / 2;
        int ok = bnd_key(flat, mid, &v);
        if (ok <= 0)
            return ok < 0 ? -1 : -2;
        if (v < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static PyObject *bnd_declined(PyObject *a, PyObject *b, PyObject *c)
{
    Py_XDECREF(a);
    Py_XDECREF(b);
    Py_XDECREF(c);
    Py_RETURN_NOTIMPLEMENTED;
}

/* band_read(mine, other, band_ticks, min_levels): Bands._read_py's (best, half, levels) for the
 * book side ``mine`` (a BookSideLevels; ``other`` the opposite side), None while either side is
 * empty. NotImplemented, nothing done, when a side's index is not a flat list, a key read is not
 * an exact int within +-2^61, mine._r is not 1 or -1, mine.levels not a dict, band_ticks not an
 * exact int within +-2^61 or min_levels not an exact int within +-2^62. */
PyObject *bnd_read(PyObject *Py_UNUSED(self), PyObject *const *args, Py_ssize_t nargs)
{
    long long ticks, nmin, r, kb, ko, kf;
    int err;
    if (nargs != 4)
        Py_RETURN_NOTIMPLEMENTED;
    int ok = in_range(args[2], BND_LIM, &ticks);
    if (ok > 0)
        ok = in_range(args[3], MAX_ID, &nmin);
    if (ok <= 0)
        return ok < 0 ? NULL : bnd_declined(NULL, NULL, NULL);
    PyObject *flat = bnd_flat(args[0], &err);
    if (flat == NULL)
        return err ? NULL : bnd_declined(NULL, NULL, NULL);
    PyObject *oflat = bnd_flat(args[1], &err);
    if (oflat == NULL) {
        Py_DECREF(flat);
        return err ? NULL : bnd_declined(NULL, NULL, NULL);
    }
    Py_ssize_t m = PyList_GET_SIZE(flat), mo = PyList_GET_SIZE(oflat);
    if (m == 0 || mo == 0) {  /* no mid */
        Py_DECREF(flat);
        Py_DECREF(oflat);
        Py_RETURN_NONE;
    }
    PyObject *ro = PyObject_GetAttr(args[0], S_r);
    if (ro == NULL) {
        Py_DECREF(flat);
        Py_DECREF(oflat);
        return NULL;
    }
    ok = in_range(ro, 1, &r);
    if (ok > 0 && r != 0)
        ok = bnd_key(flat, m - 1, &kb);
    else if (ok > 0)
        ok = 0;
    if (ok > 0)
        ok = bnd_key(oflat, mo - 1, &ko);
    if (ok <= 0) {
        Py_DECREF(oflat);
        if (ok < 0) {
            Py_DECREF(flat);
            Py_DECREF(ro);
            return NULL;
        }
        return bnd_declined(flat, ro, NULL);
    }
    Py_DECREF(oflat);
    /* mid2 = best bid + best ask: the bids' keys are their prices, the asks' the negated prices */
    long long mid2 = r > 0 ? kb - ko : ko - kb;
    long long q = mid2 / 200;
    if (mid2 % 200 != 0 && mid2 < 0)
        q -= 1;  /* Python's floor division */
    long long half = q > 1 ? q : 1;
    if (ticks < half)
        half = ticks;
    if (nmin >= 1) {  /* the deepest of the nearest nmin levels */
        Py_ssize_t n = nmin < (long long)m ? (Py_ssize_t)nmin : m;
        ok = bnd_key(flat, m - n, &kf);
        if (ok <= 0) {
            if (ok < 0) {
                Py_DECREF(flat);
                Py_DECREF(ro);
                return NULL;
            }
            return bnd_declined(flat, ro, NULL);
        }
        if (kb - kf > half)  /* |far - best| in ticks: keys fall away from the best */
            half = kb - kf;
    }
    /* out_to(best -+ half): the keys from kb - half up, counted by one bisect */
    Py_ssize_t at = bnd_bisect(flat, kb - half);
    if (at < 0) {
        if (at == -1) {
            Py_DECREF(flat);
            Py_DECREF(ro);
            return NULL;
        }
        return bnd_declined(flat, ro, NULL);
    }
    PyObject *d = PyObject_GetAttr(args[0], S_levels);
    if (d == NULL || !PyDict_CheckExact(d)) {
        if (d == NULL) {
            Py_DECREF(flat);
            Py_DECREF(ro);
            return NULL;
        }
        Py_DECREF(ro);
        return bnd_declined(flat, d, NULL);
    }
    PyObject *cnt = PyLong_FromSsize_t(m - at);
    PyObject *best = PyLong_FromLongLong(r * kb);
    PyObject *hf = PyLong_FromLongLong(half);
    PyObject *lv = NULL, *out = NULL;
    if (cnt != NULL && best != NULL && hf != NULL) {
        PyObject *targs[4] = {flat, d, ro, cnt};
        lv = top(NULL, targs, 4);
        if (lv != NULL)
            out = PyTuple_Pack(3, best, hf, lv);
    }
    Py_XDECREF(cnt);
    Py_XDECREF(best);
    Py_XDECREF(hf);
    Py_XDECREF(lv);
    Py_DECREF(flat);
    Py_DECREF(ro);
    Py_DECREF(d);
    return out;
}
