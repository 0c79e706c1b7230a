/* The icebergs' depth hook's reads (_native_idh.c has the hook): a book side's best price from its
 * flat index, the side's usual level size as IcebergDetector._usual moves it, and the ends heap's
 * entries that end nothing, taken as _end_quiet takes them. */
#include "_native_idh.h"


/* A book side's best price (BookSideLevels.best_px, its flat index read here): 1 with *px set
 * (*none for an empty side), 0 not taken (the tree index, a key past the limit, an unset slot). */
int idh_best(IdhHook *h, PyObject *side, int r, long long *px, int *none)
{
    PyObject *idx = idh_slot(side, h->m_index), *flat;
    if (idx == NULL || Py_TYPE(idx) != h->index_cls || (flat = idh_slot(idx, h->m_flat)) == NULL)
        return 0;
    int ok = 0;
    if (PyList_CheckExact(flat)) {
        Py_ssize_t n = PyList_GET_SIZE(flat);
        *none = n == 0;
        ok = n == 0 ? 1 : in_range(PyList_GET_ITEM(flat, n - 1), ICE_LIM_T, px);
        if (n && ok > 0)
            *px *= r;
    }
    return ok;
}

/* The median of the top IDH_TOP sizes of a book side (_usual's): 1 with *med set, 0 not taken (a
 * size that is not an exact int within 2^53, levels not (px, size) pairs), -1 error. Read from
 * the side's live top where the C apply keeps it (what top() would copy), else from top(). */
static int idh_median(IdhHook *h, PyObject *side, long long *med)
{
    PyObject *top = idh_slot(side, h->m_live), *n_obj = idh_slot(side, h->m_live_n);
    long long live_n = 0;
    int r = 0;
    if (top != NULL && PyList_CheckExact(top) && n_obj != NULL && (r = in_range(n_obj, ICE_LIM_T, &live_n)) < 0)
        return -1;
    if (r > 0 && live_n >= IDH_TOP)
        Py_INCREF(top);  /* (what top() would copy the head of) */
    else {
        if ((top = PyObject_CallMethodOneArg(side, h->s_top, h->ten)) == NULL)
            return -1;
        if (!PyList_CheckExact(top)) {
            Py_DECREF(top);
            return 0;
        }
    }
    Py_ssize_t n = PyList_GET_SIZE(top);
    if (n > IDH_TOP)
        n = IDH_TOP;
    long long s[IDH_TOP];
    r = 1;
    for (Py_ssize_t i = 0; i < n && r > 0; i++) {
        PyObject *lv = PyList_GET_ITEM(top, i);
        if (!PyTuple_CheckExact(lv) || PyTuple_GET_SIZE(lv) != 2)
            r = 0;
        else if ((r = in_range(PyTuple_GET_ITEM(lv, 1), IDH_EXACT, &s[i])) > 0) {
            long long x = s[i];  /* insertion: s[0..i] sorted */
            Py_ssize_t j = i;
            for (; j > 0 && s[j - 1] > x; j--)
                s[j] = s[j - 1];
            s[j] = x;
        }
    }
    Py_DECREF(top);
    if (r > 0)
        *med = n ? s[n / 2] : 0;
    return r;
}

/* _usual's new value for a side, not stored: 1 with *u set, 0 not taken, -1 error. */
int idh_usual(IdhHook *h, PyObject *side, PyObject *book_side, double *u)
{
    PyObject *was = PyDict_GetItemWithError(h->usual, side);
    if (was == NULL)
        return PyErr_Occurred() ? -1 : 0;
    if (!PyFloat_CheckExact(was))
        return 0;
    long long med;
    int r = idh_median(h, book_side, &med);
    if (r <= 0)
        return r;
    double x = PyFloat_AS_DOUBLE(was);
    *u = x == 0.0 ? (double)med : x + ((double)med - x) * 0.001;
    return 1;
}

/* _end_quiet's pass over the ends heap while nothing ends: an entry of a level ended or replaced,
 * or that never traded, popped; one whose level traded since its time pushed again at its last
 * trade (det._n_ends, an exact int within 2^62, counting on), as _end_quiet does. Once an entry is due, det.levels and
 * det._ends must still be the hook's (else 1: _end_quiet reads its own). 0: no entry due is left; 1: the first due
 * entry is a level that ends (or holds what this does not take): _end_quiet goes on from there;
 * -1 error. */
int idh_ends(IdhHook *h, long long depth_t)
{
    PyObject *ends = h->ends;
    int own = 0;
    while (PyList_GET_SIZE(ends) > 0) {
        PyObject *e0 = PyList_GET_ITEM(ends, 0), *rec;
        long long last, n;
        int r;
        if (!PyTuple_CheckExact(e0) || PyTuple_GET_SIZE(e0) != 4)
            return 1;
        if ((r = in_range(PyTuple_GET_ITEM(e0, 0), ICE_LIM_T, &last)) <= 0)
            return r < 0 ? -1 : 1;
        if (!(depth_t - last > h->end_ns))
            return 0;
        if (!own && !(own = idh_own(h)))
            return 1;  /* (det.levels or det._ends replaced: _end_quiet reads its own) */
        PyObject *key = PyTuple_GET_ITEM(e0, 2), *lv = PyTuple_GET_ITEM(e0, 3);
        Py_INCREF(key);
        Py_INCREF(lv);
        PyObject *cur = PyDict_GetItemWithError(h->levels, key);
        long long now = 0;
        int stale = cur != lv;
        if (cur == NULL && PyErr_Occurred())
            goto fail;
        if (!stale) {
            if ((rec = PyObject_GetAttr(lv, h->s_rec)) == NULL)
                goto fail;
            int ok = Py_TYPE(rec) == &IceLevelType;
            now = ok ? ((IceLevel *)rec)->last : 0;
            Py_DECREF(rec);
            if (!ok || now == last) {  /* (not an IceLevel; a level that ends) */
                Py_DECREF(key);
                Py_DECREF(lv);
                return 1;
            }
        }
        if (!stale && now && (r = attr_in_range(h->det, h->s_n_ends, 1LL << 62, &n)) <= 0) {
            Py_DECREF(key);  /* (a count C does not take: _end_quiet goes on from this entry) */
            Py_DECREF(lv);
            return r < 0 ? -1 : 1;
        }
        PyObject *got = PyObject_CallOneArg(h->heappop, ends);
        if (got == NULL)
            goto fail;
        Py_DECREF(got);
        if (!stale && now) {  /* it traded since: its entry moves to its last trade */
            PyObject *n_obj, *t = NULL;
            if ((n_obj = PyLong_FromLongLong(n + 1)) == NULL)
                goto fail;
            if (PyObject_SetAttr(h->det, h->s_n_ends, n_obj) < 0 || (t = PyTuple_New(4)) == NULL) {
                Py_DECREF(n_obj);
                goto fail;
            }
            PyTuple_SET_ITEM(t, 1, n_obj);
            PyTuple_SET_ITEM(t, 2, key);  /* (the references taken above) */
            PyTuple_SET_ITEM(t, 3, lv);
            PyObject *tl = PyLong_FromLongLong(now);
            if (tl == NULL) {
                Py_DECREF(t);
                return -1;
            }
            PyTuple_SET_ITEM(t, 0, tl);
            PyObject *a[2] = {ends, t};
            got = PyObject_Vectorcall(h->heappush, a, 2, NULL);
            Py_DECREF(t);
            if (got == NULL)
                return -1;
            Py_DECREF(got);
            continue;
        }
        Py_DECREF(key);
        Py_DECREF(lv);
        continue;
    fail:
        Py_DECREF(key);
        Py_DECREF(lv);
        return -1;
    }
    return 0;
}
