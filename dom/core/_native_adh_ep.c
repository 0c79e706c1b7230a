/* Absorption's depth hook (_native_adh.c): an open episode read as the hook takes it, and its
 * queued depth messages judged into refill_lb as AbsorptionDetector._judge does for an episode not
 * announced. Every global name here starts with adh_ / ADH_. */
#include "_native_adh.h"

/* bisect.bisect_right(a, x) with the same probes, each an exact int within ADH_T: 1 (*at set), 0
 * (a probe that is not), -1 on error. */
static int adh_bisect(PyObject *a, long long x, Py_ssize_t *at)
{
    Py_ssize_t lo = 0, hi = PyList_GET_SIZE(a);
    while (lo < hi) {
        Py_ssize_t mid = ((size_t)lo + hi) / 2;
        long long v;
        int r = adh_int(PyList_GET_ITEM(a, mid), ADH_T, &v);
        if (r <= 0)
            return r;
        if (x < v)
            hi = mid;
        else
            lo = mid + 1;
    }
    *at = lo;
    return 1;
}

/* cum[i - 1] if i else 0: 1 (*v set), 0 (out of the list or not an exact int within ADH_Q), -1. */
static int adh_cum(PyObject *cum, Py_ssize_t i, long long *v)
{
    if (i == 0) {
        *v = 0;
        return 1;
    }
    if (i > PyList_GET_SIZE(cum))
        return 0;
    return adh_int(PyList_GET_ITEM(cum, i - 1), ADH_Q, v);
}

/* _judge's loop for an episode not announced, over the messages up to mark: 1 all judged here, 0
 * the rest to be judged by det._judge (a message or a trade time not read here), -1 on error
 * (refill_lb written back in every case). */
int adh_judge(adh_Hook *h, PyObject *ep, long long mark)
{
    PyObject *msgs = ADH_SLOT(ep, h->m[E_MSGS]), *times = ADH_SLOT(ep, h->m[E_TIMES]);
    PyObject *cum = ADH_SLOT(ep, h->m[E_CUM]);
    long long t0, rl, rl0;
    if (adh_int(ADH_SLOT(ep, h->m[E_T0]), ADH_T, &t0) <= 0
        || adh_int(ADH_SLOT(ep, h->m[E_REFILL]), ADH_Q, &rl) <= 0)
        return PyErr_Occurred() ? -1 : 0; /* (checked before: not met) */
    rl0 = rl;
    int done = 1;
    for (;;) {
        Py_ssize_t n = PySequence_Size(msgs);
        if (n <= 0) {
            done = n < 0 ? -1 : done;
            break;
        }
        PyObject *m = PySequence_GetItem(msgs, 0);
        if (m == NULL) {
            done = -1;
            break;
        }
        long long v[4], r = 0;
        int ok = PyTuple_CheckExact(m) && PyTuple_GET_SIZE(m) == 4;
        for (int i = 0; ok && i < 4; i++) {
            int g = adh_int(PyTuple_GET_ITEM(m, i), i < 2 ? ADH_T : ADH_Q, &v[i]);
            ok = g;
        }
        Py_DECREF(m);
        if (ok <= 0) {
            done = ok;
            break;
        }
        if (v[1] > mark)
            break;
        if (v[0] >= t0) { /* (d0 < t0: skipped) */
            Py_ssize_t i, j;
            long long ci, cj;
            int g = adh_bisect(times, v[0], &i);
            if (g > 0)
                g = adh_bisect(times, v[1], &j);
            if (g > 0)
                g = adh_cum(cum, j, &cj);
            if (g > 0)
                g = adh_cum(cum, i, &ci);
            if (g <= 0) {
                done = g;
                break;
            }
            r = (cj - ci) - (v[2] - v[3]);
            if (r > 0 && rl + r > ADH_Q) {
                done = 0;
                break;
            }
        }
        PyObject *av[1] = {msgs}, *got = PyObject_Vectorcall(h->popleft, av, 1, NULL);
        if (got == NULL) {
            done = -1;
            break;
        }
        Py_DECREF(got);
        if (r > 0)
            rl += r;
    }
    if (rl != rl0) { /* (written back whatever follows: what was judged is judged) */
        PyObject *x = PyLong_FromLongLong(rl);
        if (x == NULL)
            return -1;
        Py_XSETREF(ADH_SLOT(ep, h->m[E_REFILL]), x);
    }
    return done;
}

/* Is ep an episode as the hook reads it? Its exact class, every slot set, its queue a deque, its
 * trade times and volumes lists, last_d, last_q, max_q, t0 and refill_lb exact ints within their
 * limits (dropping one of those runs no Python). 1 yes, 0 no, -1 on error. */
int adh_ready(adh_Hook *h, PyObject *ep)
{
    if (Py_TYPE(ep) != (PyTypeObject *)h->ep_cls)
        return 0;
    for (int i = 0; i < E_COUNT; i++)
        if (ADH_SLOT(ep, h->m[i]) == NULL)
            return 0;
    if (!PyList_CheckExact(ADH_SLOT(ep, h->m[E_TIMES])) || !PyList_CheckExact(ADH_SLOT(ep, h->m[E_CUM]))
        || Py_TYPE(ADH_SLOT(ep, h->m[E_MSGS])) != (PyTypeObject *)h->deque_cls)
        return 0;
    static const int ints[5] = {E_LAST_D, E_T0, E_LAST_Q, E_MAX_Q, E_REFILL}; /* (times first) */
    long long v;
    for (int i = 0; i < 5; i++) {
        int r = adh_int(ADH_SLOT(ep, h->m[ints[i]]), i < 2 ? ADH_T : ADH_Q, &v);
        if (r <= 0)
            return r;
    }
    return 1;
}

/* Can the hook take this episode? 1 yes (*shown: its level's size now, a new reference), 0 no, -1. */
int adh_takes(adh_Hook *h, PyObject *ep, long long now, PyObject *lv[2], PyObject **shown)
{
    int r = adh_ready(h, ep);
    if (r <= 0)
        return r;
    PyObject *side = ADH_SLOT(ep, h->m[E_SIDE]), *px = ADH_SLOT(ep, h->m[E_PX]);
    long long v;
    if (ADH_SLOT(ep, h->m[E_ANNOUNCED]) != Py_False || (side != h->bid && side != h->ask) || !PyLong_CheckExact(px))
        return 0;
    if ((r = adh_int(ADH_SLOT(ep, h->m[E_CROSS]), ADH_T, &v)) <= 0 || v != 0)
        return r < 0 ? -1 : 0; /* (crossed: its confirmation is on_delta's) */
    if ((r = adh_int(ADH_SLOT(ep, h->m[E_LAST_TRADE]), ADH_T, &v)) <= 0 || now - v > h->w_ns)
        return r < 0 ? -1 : 0; /* (stopped trading: dropped by on_delta) */
    PyObject *q = PyDict_GetItemWithError(lv[side == h->ask], px); /* lv.levels.get(ep.px, 0) */
    if (q == NULL && PyErr_Occurred())
        return -1;
    if (q == NULL)
        q = ZERO;
    if ((r = adh_int(q, ADH_Q, &v)) <= 0)
        return r;
    *shown = Py_NewRef(q);
    return 1;
}
