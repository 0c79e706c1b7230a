/* dom.core._native: the level changes the walls' judgement acts on (wall_pick; the twin is
 * wall_pick_py in dom/core/detectors/wall_pick.py, the same loop in Python).
 *
 * wall_pick(changes, bid, ask, tb, ta, lo, hi, blo, bhi, alo, ahi, rb, ra, walls) -> list | NotImplemented:
 * the changes (side, px, old, new) with new >= its side's threshold and px within its side's
 * window (tb and blo..bhi where side is bid, else ta and alo..ahi; lo..hi then widens to px), or
 * px within lo..hi and one of: new >= its side's rb / ra, (side, px) a key of walls, an earlier
 * change kept at that side and price with new at its threshold or rb / ra; in order, the same tuples.
 *
 * NotImplemented, nothing done, when changes is not a list, walls not a dict, a change not a 4-tuple
 * whose side is bid or ask and whose price and sizes are exact ints within +-2^61, a number not an
 * exact int within +-2^62, or a key of walls not a 2-tuple (bid or ask, an exact int within
 * +-2^62). The keys are read into arrays first: nothing here runs Python code. Every global name
 * here starts with wpk_ (but the entry point). */
#include "_native.h"
#include <stdlib.h>

#define WPK_MAX (1LL << 62)
#define WPK_STACK 64

typedef struct {
    long long *v;
    Py_ssize_t n, cap;
    long long stack[WPK_STACK];
} wpk_set;

static void wpk_init(wpk_set *s)
{
    s->v = s->stack;
    s->n = 0;
    s->cap = WPK_STACK;
}

static void wpk_free(wpk_set *s)
{
    if (s->v != s->stack)
        PyMem_Free(s->v);
}

/* 0, or -1 with MemoryError set. */
static int wpk_add(wpk_set *s, long long x)
{
    if (s->n == s->cap) {
        Py_ssize_t cap = 2 * s->cap;
        long long *v = PyMem_Malloc((size_t)cap * sizeof(long long));
        if (v == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        memcpy(v, s->v, (size_t)s->n * sizeof(long long));
        wpk_free(s);
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n++] = x;
    return 0;
}

static int wpk_has(const wpk_set *s, long long x)
{
    for (Py_ssize_t i = 0; i < s->n; i++)
        if (s->v[i] == x)
            return 1;
    return 0;
}

static int wpk_cmp(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

static int wpk_in(const wpk_set *s, long long x)  /* s sorted */
{
    Py_ssize_t lo = 0, hi = s->n;
    while (lo < hi) {
        Py_ssize_t mid = lo + (hi - lo) / 2;
        if (s->v[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < s->n && s->v[lo] == x;
}

static inline int wpk_small(PyObject *o, long long lim, long long *v)
{
    return in_range_fast(o, lim, v);
}

PyObject *wall_pick(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 14) {
        PyErr_SetString(PyExc_TypeError, "wall_pick(changes, bid, ask, tb, ta, lo, hi, blo, bhi, alo, ahi, rb, ra, walls)");
        return NULL;
    }
    PyObject *changes = args[0], *bid = args[1], *ask = args[2], *walls = args[13];
    if (!PyList_CheckExact(changes) || !PyDict_CheckExact(walls) || bid == ask)
        Py_RETURN_NOTIMPLEMENTED;
    long long v[10];  /* tb, ta, lo, hi, blo, bhi, alo, ahi, rb, ra */
    int r = 1;
    for (int k = 0; k < 10; k++)
        if ((r = wpk_small(args[3 + k], WPK_MAX, &v[k])) <= 0) {
            if (r < 0)
                return NULL;
            Py_RETURN_NOTIMPLEMENTED;
        }
    long long tb = v[0], ta = v[1], lo = v[2], hi = v[3], blo = v[4], bhi = v[5], alo = v[6], ahi = v[7];
    long long rb = v[8], ra = v[9];
    /* [0]: the bids', [1]: the asks'; walls' prices sorted, the prices kept up to an entry */
    wpk_set at[2], ups[2];
    for (int k = 0; k < 2; k++) {
        wpk_init(&at[k]);
        wpk_init(&ups[k]);
    }
    PyObject *out = NULL, *key, *val;
    Py_ssize_t pos = 0;
    while (PyDict_Next(walls, &pos, &key, &val)) {
        long long px;
        r = 0;
        if (!PyTuple_CheckExact(key) || PyTuple_GET_SIZE(key) != 2)
            goto done;
        PyObject *side = PyTuple_GET_ITEM(key, 0);
        if ((side != bid && side != ask) || (r = wpk_small(PyTuple_GET_ITEM(key, 1), WPK_MAX, &px)) <= 0)
            goto done;
        if (wpk_add(&at[side == bid ? 0 : 1], px) < 0) {
            r = -1;
            goto done;
        }
    }
    for (int k = 0; k < 2; k++)
        if (at[k].n > 1)
            qsort(at[k].v, (size_t)at[k].n, sizeof(long long), wpk_cmp);
    if ((out = PyList_New(0)) == NULL) {
        r = -1;
        goto done;
    }
    Py_ssize_t n = PyList_GET_SIZE(changes);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *c = PyList_GET_ITEM(changes, i);
        long long px, old, nw;
        r = 0;
        if (!PyTuple_CheckExact(c) || PyTuple_GET_SIZE(c) != 4
                || (r = wpk_small(PyTuple_GET_ITEM(c, 1), WPK_MAX / 2, &px)) <= 0
                || (r = wpk_small(PyTuple_GET_ITEM(c, 2), WPK_MAX / 2, &old)) <= 0
                || (r = wpk_small(PyTuple_GET_ITEM(c, 3), WPK_MAX / 2, &nw)) <= 0)
            goto done;
        PyObject *side = PyTuple_GET_ITEM(c, 0);
        if (side != bid && side != ask) {
            r = 0;
            goto done;
        }
        int b = side == bid, s = b ? 0 : 1, keep = 0, up = 0;
        if (nw >= (b ? tb : ta) && (b ? blo <= px && px <= bhi : alo <= px && px <= ahi)) {
            keep = up = 1;
            if (px < lo)
                lo = px;
            if (px > hi)
                hi = px;
        } else if (lo <= px && px <= hi) {
            if (nw >= (b ? rb : ra))
                keep = up = 1;
            else
                keep = wpk_in(&at[s], px) || wpk_has(&ups[s], px);
        }
        if (up && !wpk_has(&ups[s], px) && wpk_add(&ups[s], px) < 0) {
            r = -1;
            goto done;
        }
        if (keep && PyList_Append(out, c) < 0) {
            r = -1;
            goto done;
        }
    }
    r = 1;
done:
    for (int k = 0; k < 2; k++) {
        wpk_free(&at[k]);
        wpk_free(&ups[k]);
    }
    if (r > 0)
        return out;
    Py_XDECREF(out);
    if (r < 0)
        return NULL;
    Py_RETURN_NOTIMPLEMENTED;
}
