/* dom.core._native: the first checks of SpoofDetector._maybe_pull (dom/core/detectors/spoof.py),
 * made in C before pulls_delta (_native_pulls.c) calls it: pull_gate(). */
#include "_native_pstore.h"

/* What _maybe_pull reads before its first returns, read once a message when first needed. */
#define LIM52 (1LL << 52)  /* sizes: the float products below are then those of Python */

void gate_clear(Gate *g)
{
    Py_CLEAR(g->median);
    Py_CLEAR(g->bl);
    Py_CLEAR(g->al);
}

/* gh: the detector's median dict and its parameters spoof_ratio, spoof_drop_fraction,
 * spoof_level_drop_fraction, spoof_queue_ticks, spoof_level_drop_big, spoof_level_drop_order (the
 * items of its held from H_median on, _native_pulls.c); bl, al: the book's bid and ask levels.
 * 0, -1 with an error set. */
static int gate_read(Gate *g, PyObject *const *gh, PyObject *bl, PyObject *al)
{
    PyObject *const *v = gh + 1;
    g->state = -1;
    g->median = Py_NewRef(gh[0]);
    g->bl = Py_NewRef(bl);
    g->al = Py_NewRef(al);
    int k = in_range_fast(v[3], 8, &g->r);
    if (k < 0)
        return -1;
    if (k > 0 && g->r >= 0 && PyFloat_CheckExact(v[0]) && PyFloat_CheckExact(v[1]) && PyFloat_CheckExact(v[2])
             && PyFloat_CheckExact(v[4]) && PyFloat_CheckExact(v[5])
             && PyDict_CheckExact(g->median) && PyDict_CheckExact(g->bl) && PyDict_CheckExact(g->al)) {
        g->ratio = PyFloat_AS_DOUBLE(v[0]);
        g->drop = PyFloat_AS_DOUBLE(v[1]);
        g->level_drop = g->level_real = PyFloat_AS_DOUBLE(v[2]);
        /* A large step's level rule (spoof_rules.level_waived) may pass what the whole-level rule
         * turns down: the gate then asks no more than it would (the order part: nothing). */
        double big = PyFloat_AS_DOUBLE(v[4]), order = PyFloat_AS_DOUBLE(v[5]);
        if (order != 0.0)
            g->level_drop = 0.0;
        else if (big != 0.0 && big < g->level_drop)
            g->level_drop = big;
        g->state = 1;
    }
    return 0;
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
 * cannot tell (a size, median or level not an exact int within +-2^52, the parameters not floats;
 * a level the whole-level rule turns down that spoof_rules.level_waived may pass): call it; 2: it
 * goes past them for certain, *out then (its largest size kept, the band median, the queue beside
 * it) as _maybe_pull computes them. -1 with an error set. */
int pull_gate(Gate *g, PyObject *const *gh, PyObject *bl, PyObject *al, PCand *c, long long after, PyObject *side,
              long long *out)
{
    if (c->pending)
        return 0;
    if (g->state == 0 && gate_read(g, gh, bl, al) < 0)
        return -1;
    if (g->state < 0 || c->sizes.n == 0)
        return 1;  /* (no sizes: Python's max() of nothing) */
    long long med = 0, ref = 0, at = c->px, q;
    int k;
    PyObject *m = PyDict_GetItemWithError(g->median, side);  /* borrowed */
    if (m == NULL && PyErr_Occurred())
        return -1;
    if ((m != NULL && (k = in_range_fast(m, LIM52, &med)) <= 0))
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
        if ((k = in_range_fast(lv, LIM52, &q)) <= 0)
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
        return 0;
    if (fall < g->level_real * (double)(ref - (queue - med)))
        return r;  /* (level_waived decides) */
    out[0] = ref;
    out[1] = med;
    out[2] = queue;
    return 2;
}
