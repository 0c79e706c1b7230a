/* dom.core._native: the level changes the walls' judgement acts on (wall_pick; the twin is
 * wall_pick_py in dom/core/detectors/wall_pick.py, the same loop in Python).
 *
 * wall_pick(changes, bid, ask, bid_entries, ask_entries, bid_best, ask_best, bid_half, ask_half, lo, hi, walls)
 *     -> list | NotImplemented:
 * the changes (side, px, old, new), in order, the same tuples, with (the bids' numbers where side
 * is bid, else the asks') a best price, d = |best - px| at most half and new at least the entry
 * of d's distance bucket (dist_bucket; lo..hi then widens to px); or px within lo..hi and
 * (side, px) a key of walls or the side and price of an earlier change kept for its entry.
 *
 * NotImplemented, nothing done, when changes is not a list, walls not a dict, bid is ask, a change
 * not a 4-tuple whose side is bid or ask and whose price and sizes are exact ints within +-2^61,
 * an entries not a tuple of DIST_NB exact ints within +-2^62, a best price neither None nor an
 * exact int within +-2^61, a half, lo or hi not an exact int within +-2^62, or a key of walls not
 * a 2-tuple (bid or ask, an exact int within +-2^62). The keys are read into arrays first: nothing
 * here runs Python code. Every global name here starts with wpk_ (but the entry point). */
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
    if (nargs != 12) {
        PyErr_SetString(PyExc_TypeError,
                        "wall_pick(changes, bid, ask, bid_entries, ask_entries, bid_best, ask_best, bid_half, ask_half, lo, hi, walls)");
        return NULL;
    }
    PyObject *changes = args[0], *bid = args[1], *ask = args[2], *walls = args[11];
    if (!PyList_CheckExact(changes) || !PyDict_CheckExact(walls) || bid == ask)
        Py_RETURN_NOTIMPLEMENTED;
    long long ent[2][DIST_NB], best[2] = {0, 0}, half[2], lo, hi;
    int has[2] = {0, 0}, r = 1;
    for (int s = 0; s < 2 && r > 0; s++) {
        PyObject *e = args[3 + s], *b = args[5 + s];
        if (!PyTuple_CheckExact(e) || PyTuple_GET_SIZE(e) != DIST_NB) {
            r = 0;
            break;
        }
        for (int k = 0; k < DIST_NB && r > 0; k++)
            r = wpk_small(PyTuple_GET_ITEM(e, k), WPK_MAX, &ent[s][k]);
        if (r > 0 && b != Py_None && (r = wpk_small(b, WPK_MAX / 2, &best[s])) > 0)
            has[s] = 1;
        if (r > 0)
            r = wpk_small(args[7 + s], WPK_MAX, &half[s]);
    }
    if (r > 0)
        r = wpk_small(args[9], WPK_MAX, &lo);
    if (r > 0)
        r = wpk_small(args[10], WPK_MAX, &hi);
    if (r <= 0) {
        if (r < 0)
            return NULL;
        Py_RETURN_NOTIMPLEMENTED;
    }
    /* [0]: the bids', [1]: the asks'; walls' prices sorted, the prices kept for their entry */
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
        int s = side == bid ? 0 : 1, keep = 0;
        long long d = px < best[s] ? best[s] - px : px - best[s];
        if (has[s] && d <= half[s] && nw >= ent[s][dist_bucket(d)]) {
            keep = 1;
            if (px < lo)
                lo = px;
            if (px > hi)
                hi = px;
            if (!wpk_has(&ups[s], px) && wpk_add(&ups[s], px) < 0) {
                r = -1;
                goto done;
            }
        } else if (lo <= px && px <= hi)
            keep = wpk_in(&at[s], px) || wpk_has(&ups[s], px);
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
