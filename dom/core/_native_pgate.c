/* dom.core._native: the first checks of SpoofDetector._maybe_pull (dom/core/detectors/spoof.py),
 * made in C before pulls_delta (_native_pulls.c) calls it: pull_gate(). */
#include "_native.h"

enum { G_p, G_pending, G_median, G_ratio, G_drop, G_level_drop, G_queue_ticks, G_book, G_bids, G_asks, G_side, G_px,
       G_sizes, G_COUNT };
static const char *GNAMES[G_COUNT] = {"p", "pending", "median", "spoof_ratio", "spoof_drop_fraction",
                                      "spoof_level_drop_fraction", "spoof_queue_ticks", "book", "bids", "asks", "side",
                                      "px", "sizes"};
static PyObject *G[G_COUNT];

static int gnames(void)
{
    if (G[0] == NULL)
        for (int i = 0; i < G_COUNT; i++)
            if ((G[i] = PyUnicode_InternFromString(GNAMES[i])) == NULL)
                return -1;
    return 0;
}

/* What _maybe_pull reads before its first returns, read once a message when first needed. */
#define LIM52 (1LL << 52)  /* sizes: the float products below are then those of Python */

void gate_clear(Gate *g)
{
    Py_CLEAR(g->median);
    Py_CLEAR(g->bl);
    Py_CLEAR(g->al);
}

/* 0, -1 with an error set. */
static int gate_read(Gate *g, PyObject *det, PyObject *sym)
{
    PyObject *p = PyObject_GetAttr(det, G[G_p]), *v[4] = {NULL};
    PyObject *book = NULL, *bids = NULL, *asks = NULL;
    int r = -1;
    g->state = -1;
    if (p == NULL)
        return -1;
    const int which[4] = {G_ratio, G_drop, G_level_drop, G_queue_ticks};
    for (int i = 0; i < 4; i++)
        if ((v[i] = PyObject_GetAttr(p, G[which[i]])) == NULL)
            goto done;
    if ((g->median = PyObject_GetAttr(det, G[G_median])) == NULL || (book = PyObject_GetAttr(sym, G[G_book])) == NULL
            || (bids = PyObject_GetAttr(book, G[G_bids])) == NULL || (asks = PyObject_GetAttr(book, G[G_asks])) == NULL
            || (g->bl = PyObject_GetAttr(bids, S_levels)) == NULL || (g->al = PyObject_GetAttr(asks, S_levels)) == NULL)
        goto done;
    r = 0;
    int k = in_range(v[3], 8, &g->r);
    if (k < 0)
        r = -1;
    else if (k > 0 && g->r >= 0 && PyFloat_CheckExact(v[0]) && PyFloat_CheckExact(v[1]) && PyFloat_CheckExact(v[2])
             && PyDict_CheckExact(g->median) && PyDict_CheckExact(g->bl) && PyDict_CheckExact(g->al)) {
        g->ratio = PyFloat_AS_DOUBLE(v[0]);
        g->drop = PyFloat_AS_DOUBLE(v[1]);
        g->level_drop = PyFloat_AS_DOUBLE(v[2]);
        g->state = 1;
    }
done:
    for (int i = 0; i < 4; i++)
        Py_XDECREF(v[i]);
    Py_DECREF(p);
    Py_XDECREF(book);
    Py_XDECREF(bids);
    Py_XDECREF(asks);
    return r;
}

static int cmp_ll(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

/* Would det._maybe_pull(sym, c, after, now) go past its first returns (pending; the cheap bound;
 * the excess over the queue beside the level, spoof_rules.queue_beside for spoof_queue_ticks up
 * to 8; the level's drop)? 0: it returns at one of them (nothing done, so the call is spared);
 * 1: it goes on, or the gate cannot tell (c of another class, a size, median or level not an exact
 * int within +-2^52, the parameters not floats): call it. -1 with an error set. */
int pull_gate(Gate *g, PyObject *det, PyObject *sym, PyObject *c, long long after, PyObject *cls,
                     PyObject *bid)
{
    if (Py_TYPE(c) != (PyTypeObject *)cls)
        return 1;
    if (gnames() < 0)
        return -1;
    PyObject *pending = PyObject_GetAttr(c, G[G_pending]);
    int pend = pending == NULL ? -1 : PyObject_IsTrue(pending);
    Py_XDECREF(pending);
    if (pend != 0)
        return pend > 0 ? 0 : -1;
    if (g->state == 0 && gate_read(g, det, sym) < 0)
        return -1;
    if (g->state < 0)
        return 1;
    PyObject *side = PyObject_GetAttr(c, G[G_side]), *px = side ? PyObject_GetAttr(c, G[G_px]) : NULL;
    PyObject *sizes = px ? PyObject_GetAttr(c, G[G_sizes]) : NULL, *it = NULL, *x;
    long long med = 0, ref = 0, at = 0, q;
    int r = -1, k, any = 0;
    if (sizes == NULL)
        goto done;
    PyObject *m = PyDict_GetItemWithError(g->median, side);  /* borrowed */
    if (m == NULL && PyErr_Occurred())
        goto done;
    r = 1;
    if ((m != NULL && (k = in_range(m, LIM52, &med)) <= 0) || (k = in_range(px, LIM52, &at)) <= 0) {
        r = k < 0 ? -1 : 1;
        goto done;
    }
    if ((it = PyObject_GetIter(sizes)) == NULL) {
        r = -1;
        goto done;
    }
    while ((x = PyIter_Next(it)) != NULL) {
        k = PyTuple_CheckExact(x) && PyTuple_GET_SIZE(x) == 2 ? in_range(PyTuple_GET_ITEM(x, 1), LIM52, &q) : 0;
        Py_DECREF(x);
        if (k <= 0) {
            r = k < 0 ? -1 : 1;
            goto done;
        }
        if (!any || q > ref)
            ref = q;
        any = 1;
    }
    if (PyErr_Occurred()) {
        r = -1;
        goto done;
    }
    if (!any)
        goto done;  /* (r 1: Python's max() of nothing) */
    double fall = (double)(ref - after);
    if ((double)ref < g->ratio * (double)med || fall < g->drop * (double)(ref - (med > after ? med : after))) {
        r = 0;
        goto done;
    }
    PyObject *levels = side == bid ? g->bl : g->al;
    long long near[16];
    int n = 0;
    for (long long p = at - g->r; p <= at + g->r; p++) {
        if (p == at)
            continue;
        PyObject *key = PyLong_FromLongLong(p), *lv = key ? PyDict_GetItemWithError(levels, key) : NULL;
        Py_XDECREF(key);
        if (lv == NULL) {
            if (PyErr_Occurred()) {
                r = -1;
                goto done;
            }
            continue;
        }
        if ((k = in_range(lv, LIM52, &q)) <= 0) {
            r = k < 0 ? -1 : 1;
            goto done;
        }
        if (q)  /* (a level of 0 is no size beside it) */
            near[n++] = q;
    }
    long long queue = med;
    if (n) {
        qsort(near, n, sizeof near[0], cmp_ll);
        long long mid = n % 2 ? near[n / 2] : (near[n / 2 - 1] + near[n / 2]) / 2;  /* int(median): toward 0 */
        if (mid > queue)
            queue = mid;
    }
    long long excess = ref - queue;
    if ((double)excess < (g->ratio - 1) * (double)med || fall < g->drop * (double)excess
            || fall < g->level_drop * (double)(ref - (queue - med)))
        r = 0;
done:
    Py_XDECREF(side);
    Py_XDECREF(px);
    Py_XDECREF(sizes);
    Py_XDECREF(it);
    return r;
}

