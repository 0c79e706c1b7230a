/* dom.core._native: the first checks of SpoofDetector._maybe_pull (dom/core/detectors/spoof.py),
 * made in C before pulls_delta (_native_pulls.c) calls it: pull_gate(). */
#include "_native_pstore.h"

enum { G_p, G_median, G_ratio, G_drop, G_level_drop, G_queue_ticks, G_level_big, G_level_order, G_book, G_bids,
       G_asks, G_COUNT };
static const char *GNAMES[G_COUNT] = {"p", "median", "spoof_ratio", "spoof_drop_fraction",
                                      "spoof_level_drop_fraction", "spoof_queue_ticks", "spoof_level_drop_big",
                                      "spoof_level_drop_order", "book", "bids", "asks"};
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
    PyObject *p = PyObject_GetAttr(det, G[G_p]), *v[6] = {NULL};
    PyObject *book = NULL, *bids = NULL, *asks = NULL;
    int r = -1;
    g->state = -1;
    if (p == NULL)
        return -1;
    const int which[6] = {G_ratio, G_drop, G_level_drop, G_queue_ticks, G_level_big, G_level_order};
    for (int i = 0; i < 6; i++)
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
             && PyFloat_CheckExact(v[4]) && PyFloat_CheckExact(v[5])
             && PyDict_CheckExact(g->median) && PyDict_CheckExact(g->bl) && PyDict_CheckExact(g->al)) {
        g->ratio = PyFloat_AS_DOUBLE(v[0]);
        g->drop = PyFloat_AS_DOUBLE(v[1]);
        g->level_drop = PyFloat_AS_DOUBLE(v[2]);
        /* A large step's level rule (spoof_rules.level_waived) may pass what the whole-level rule
         * turns down: the gate then asks no more than it would (the order part: nothing). */
        double big = PyFloat_AS_DOUBLE(v[4]), order = PyFloat_AS_DOUBLE(v[5]);
        if (order != 0.0)
            g->level_drop = 0.0;
        else if (big != 0.0 && big < g->level_drop)
            g->level_drop = big;
        g->state = 1;
    }
done:
    for (int i = 0; i < 6; i++)
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

/* Would det._maybe_pull(sym, side, c's px, after, now) go past its first returns (pending; the cheap
 * bound; the excess over the queue beside the level, spoof_rules.queue_beside for spoof_queue_ticks
 * up to 8; the level's drop)? c: the candidate in the detector's PullStore, side its side's object.
 * 0: it returns at one of them (nothing done, so the call is spared); 1: it goes on, or the gate
 * cannot tell (a size, median or level not an exact int within +-2^52, the parameters not floats):
 * call it. -1 with an error set. */
int pull_gate(Gate *g, PyObject *det, PyObject *sym, PCand *c, long long after, PyObject *side)
{
    if (c->pending)
        return 0;
    if (gnames() < 0)
        return -1;
    if (g->state == 0 && gate_read(g, det, sym) < 0)
        return -1;
    if (g->state < 0 || c->sizes.n == 0)
        return 1;  /* (no sizes: Python's max() of nothing) */
    long long med = 0, ref = 0, at = c->px, q;
    int k;
    PyObject *m = PyDict_GetItemWithError(g->median, side);  /* borrowed */
    if (m == NULL && PyErr_Occurred())
        return -1;
    if ((m != NULL && (k = in_range(m, LIM52, &med)) <= 0))
        return k < 0 ? -1 : 1;
    if (at > LIM52 || at < -LIM52 || after > LIM52 || after < -LIM52)
        return 1;
    for (Py_ssize_t i = 0; i < c->sizes.n; i++) {
        q = ps_ring_at(&c->sizes, i)->a;
        if (i == 0 || q > ref)
            ref = q;
    }
    if (ref > LIM52)
        return 1;
    int r = 1;
    double fall = (double)(ref - after);
    if ((double)ref < g->ratio * (double)med || fall < g->drop * (double)(ref - (med > after ? med : after)))
        return 0;
    PyObject *levels = c->k ? g->al : g->bl;
    long long near[16];
    int n = 0;
    for (long long p = at - g->r; p <= at + g->r; p++) {
        if (p == at)
            continue;
        PyObject *key = PyLong_FromLongLong(p), *lv = key ? PyDict_GetItemWithError(levels, key) : NULL;
        Py_XDECREF(key);
        if (lv == NULL) {
            if (PyErr_Occurred())
                return -1;
            continue;
        }
        if ((k = in_range(lv, LIM52, &q)) <= 0)
            return k < 0 ? -1 : 1;
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
    return r;
}
