/* dom.core._native: the detectors' loops over a message's level changes and over the kept steps:
 * pick_changes() (dom/core/detectors/changes.py, whose pick_py is the same loop in Python) and
 * first_move() (dom/core/detectors/steps.py, first_move_py). */
#include "_native.h"

#define PICK_MAX (1LL << 62)

/* 1 with *v set for an exact int within +-2^62 (what the detectors' ranges and thresholds use:
 * 1 << 62 is their "none"); 0 for anything else, -1 with an error set. */
static inline int small(PyObject *o, long long *v)
{
    int r = exact_int(o, v);
    return r > 0 ? (*v >= -PICK_MAX && *v <= PICK_MAX) : r;
}

/* small() for a change's price and sizes, within +-2^61: new - old then cannot overflow. */
static inline int value(PyObject *o, long long *v)
{
    int r = exact_int(o, v);
    return r > 0 ? (*v >= -PICK_MAX / 2 && *v <= PICK_MAX / 2) : r;
}

PyObject *pick_changes(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 13) {
        PyErr_SetString(PyExc_TypeError, "pick_changes(changes, bid, tb, ta, lo, hi, inc, blo, bhi, alo, ahi, ilo, ihi)");
        return NULL;
    }
    PyObject *changes = args[0], *bid = args[1];
    long long v[11];  /* tb, ta, lo, hi, inc, blo, bhi, alo, ahi, ilo, ihi */
    int r = 1;
    if (!PyList_CheckExact(changes))
        Py_RETURN_NOTIMPLEMENTED;
    for (int k = 0; k < 11; k++)
        if ((r = small(args[2 + k], &v[k])) <= 0) {
            if (r < 0)
                return NULL;
            Py_RETURN_NOTIMPLEMENTED;
        }
    long long tb = v[0], ta = v[1], lo = v[2], hi = v[3], inc = v[4], blo = v[5], bhi = v[6], alo = v[7], ahi = v[8];
    long long ilo = v[9], ihi = v[10];
    PyObject *out = PyList_New(0);
    if (out == NULL)
        return NULL;
    /* (the list cannot change under the loop: nothing here runs Python code) */
    Py_ssize_t n = PyList_GET_SIZE(changes);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *c = PyList_GET_ITEM(changes, i);
        long long px, old, nw;
        if (!PyTuple_CheckExact(c) || PyTuple_GET_SIZE(c) != 4 || (r = value(PyTuple_GET_ITEM(c, 1), &px)) <= 0
                || (r = value(PyTuple_GET_ITEM(c, 2), &old)) <= 0 || (r = value(PyTuple_GET_ITEM(c, 3), &nw)) <= 0) {
            Py_DECREF(out);
            if (r < 0)
                return NULL;
            Py_RETURN_NOTIMPLEMENTED;
        }
        int keep, b = PyTuple_GET_ITEM(c, 0) == bid;
        if (nw >= (b ? tb : ta) && (b ? blo <= px && px <= bhi : alo <= px && px <= ahi)) {
            keep = 1;
            if (px < lo)
                lo = px;
            if (px > hi)
                hi = px;
        } else
            keep = (lo <= px && px <= hi) || (nw - old > inc && ilo <= px && px <= ihi);
        if (keep && PyList_Append(out, c) < 0) {
            Py_DECREF(out);
            return NULL;
        }
    }
    return out;
}

/* first_move(kept, inc, lo, hi, px) -> list | None | NotImplemented: the first x of kept (an
 * iterable of lists [t, side, px, step, lo, hi]) with x[4] <= inc <= x[5], lo <= x[2] <= hi and
 * x[2] != px; None when none is. NotImplemented, nothing done, when an item looked at is not a list
 * of at least 6 items whose px, lo and hi are exact ints within +-2^62, or an argument is not. */
PyObject *first_move(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 5) {
        PyErr_SetString(PyExc_TypeError, "first_move(kept, inc, lo, hi, px)");
        return NULL;
    }
    long long inc, lo, hi, px;
    int r;
    if ((r = small(args[1], &inc)) <= 0 || (r = small(args[2], &lo)) <= 0 || (r = small(args[3], &hi)) <= 0
            || (r = small(args[4], &px)) <= 0) {
        if (r < 0)
            return NULL;
        Py_RETURN_NOTIMPLEMENTED;
    }
    PyObject *it = PyObject_GetIter(args[0]);
    if (it == NULL)
        return NULL;
    PyObject *x;
    while ((x = PyIter_Next(it)) != NULL) {
        long long a, b, p;
        if (!PyList_CheckExact(x) || PyList_GET_SIZE(x) < 6 || (r = small(PyList_GET_ITEM(x, 4), &a)) <= 0
                || (r = small(PyList_GET_ITEM(x, 5), &b)) <= 0 || (r = small(PyList_GET_ITEM(x, 2), &p)) <= 0) {
            Py_DECREF(x);
            Py_DECREF(it);
            if (r < 0)
                return NULL;
            Py_RETURN_NOTIMPLEMENTED;
        }
        if (a <= inc && inc <= b && lo <= p && p <= hi && p != px) {
            Py_DECREF(it);
            return x;
        }
        Py_DECREF(x);
    }
    Py_DECREF(it);
    if (PyErr_Occurred())
        return NULL;
    Py_RETURN_NONE;
}

/* pick_at(changes, bid, blo, bhi, alo, ahi, d1, lo1, hi1, d2, lo2, hi2) -> list | NotImplemented:
 * the changes (side, px, old, new) with px within its side's window (blo..bhi where side is bid,
 * else alo..ahi), or lo1 <= px <= hi1 and (side, px) a key of the dict d1, or the same with lo2,
 * hi2 and d2; in order, the same tuples (pick_at_py in dom/core/detectors/changes.py).
 * NotImplemented, nothing done, when changes is not a list, d1 or d2 not a dict, a change not a
 * 4-tuple, or a number or a change's price not an exact int within +-2^62. */
PyObject *pick_at(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 12) {
        PyErr_SetString(PyExc_TypeError, "pick_at(changes, bid, blo, bhi, alo, ahi, d1, lo1, hi1, d2, lo2, hi2)");
        return NULL;
    }
    PyObject *changes = args[0], *bid = args[1], *d1 = args[6], *d2 = args[9];
    if (!PyList_CheckExact(changes) || !PyDict_CheckExact(d1) || !PyDict_CheckExact(d2))
        Py_RETURN_NOTIMPLEMENTED;
    static const int at[8] = {2, 3, 4, 5, 7, 8, 10, 11};
    long long v[8];  /* blo, bhi, alo, ahi, lo1, hi1, lo2, hi2 */
    int r = 1;
    for (int k = 0; k < 8; k++)
        if ((r = small(args[at[k]], &v[k])) <= 0) {
            if (r < 0)
                return NULL;
            Py_RETURN_NOTIMPLEMENTED;
        }
    long long blo = v[0], bhi = v[1], alo = v[2], ahi = v[3], lo1 = v[4], hi1 = v[5], lo2 = v[6], hi2 = v[7];
    PyObject *out = PyList_New(0);
    if (out == NULL)
        return NULL;
    /* A dict lookup may run Python code (a key's __eq__): the list is read afresh at each step. */
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(changes); i++) {
        PyObject *c = PyList_GET_ITEM(changes, i);
        long long px;
        if (!PyTuple_CheckExact(c) || PyTuple_GET_SIZE(c) != 4 || (r = small(PyTuple_GET_ITEM(c, 1), &px)) <= 0) {
            Py_DECREF(out);
            if (r < 0)
                return NULL;
            Py_RETURN_NOTIMPLEMENTED;
        }
        Py_INCREF(c);
        PyObject *side = PyTuple_GET_ITEM(c, 0), *key = NULL;
        int keep = side == bid ? blo <= px && px <= bhi : alo <= px && px <= ahi;
        for (int k = 0; !keep && k < 2; k++) {
            if (!(k ? lo2 <= px && px <= hi2 : lo1 <= px && px <= hi1))
                continue;
            if (key == NULL && (key = PyTuple_Pack(2, side, PyTuple_GET_ITEM(c, 1))) == NULL)
                goto fail;
            if ((keep = PyDict_Contains(k ? d2 : d1, key)) < 0)
                goto fail;
        }
        Py_XDECREF(key);
        key = NULL;
        if (keep && PyList_Append(out, c) < 0)
            goto fail;
        Py_DECREF(c);
        continue;
    fail:
        Py_XDECREF(key);
        Py_DECREF(c);
        Py_DECREF(out);
        return NULL;
    }
    return out;
}
