/* Absorption's trade hook (_native_atd.c): an open episode read as the hook takes it, the
 * trade-through test over the open episodes, and a trade counted into an episode as
 * AbsorptionDetector.on_trade does when nothing is to be decided about it. Every global name here
 * starts with atd_ / ATD_. */
#include "_native_atd.h"

/* a list's last item as an exact int within +-lim: 1 (*v set, *any 1), 1 with *any 0 for an empty
 * list, 0 for anything else, -1 on error */
static int atd_last(PyObject *a, long long lim, long long *v, int *any)
{
    Py_ssize_t n = PyList_GET_SIZE(a);
    *any = n > 0;
    if (!n)
        return 1;
    return in_range_fast(PyList_GET_ITEM(a, n - 1), lim, v);
}

int atd_ep_read(atd_Hook *h, PyObject *ep, atd_Ep *e)
{
    if (Py_TYPE(ep) != (PyTypeObject *)h->ep_cls)
        return 0;
    for (int i = 0; i < P_COUNT; i++)
        if (ATD_SLOT(ep, h->m[i]) == NULL)
            return 0;
    PyObject *ann = ATD_SLOT(ep, h->m[P_ANN]), *times = ATD_SLOT(ep, h->m[P_TIMES]);
    PyObject *cum = ATD_SLOT(ep, h->m[P_CUM]);
    if ((ann != Py_True && ann != Py_False) || !PyList_CheckExact(times) || !PyList_CheckExact(cum))
        return 0;
    e->announced = ann == Py_True;
    int r, any;
    if ((r = in_range_fast(ATD_SLOT(ep, h->m[P_LAST_TRADE]), ATD_T, &e->last_trade)) <= 0
        || (r = in_range_fast(ATD_SLOT(ep, h->m[P_TRADED]), ATD_Q, &e->traded)) <= 0
        || (r = in_range_fast(ATD_SLOT(ep, h->m[P_PEAK]), ATD_Q, &e->peak)) <= 0
        || (r = in_range_fast(ATD_SLOT(ep, h->m[P_CROSS]), ATD_T, &e->cross)) <= 0
        || (r = in_range_fast(ATD_SLOT(ep, h->m[P_SENT]), ATD_Q, &e->sent)) <= 0
        || (r = atd_last(times, ATD_T, &e->times_last, &e->has_times)) <= 0
        || (r = atd_last(cum, ATD_Q, &e->cum_last, &any)) <= 0)
        return r;
    if (!any)
        e->cum_last = 0;
    return 1;
}

int atd_through(atd_Hook *h, PyObject *side, int bid, long long px, long long T, PyObject *skip, PyObject **hits,
                int *n)
{
    Py_ssize_t pos = 0;
    PyObject *key, *ep;
    *n = 0;
    if (PyDict_GET_SIZE(h->eps) > ATD_MAX)
        return -1;
    while (PyDict_Next(h->eps, &pos, &key, &ep)) {
        if (ep == skip) /* (dropped as stale before the test) */
            continue;
        if (Py_TYPE(ep) != (PyTypeObject *)h->ep_cls)
            return -1;
        PyObject *s = ATD_SLOT(ep, h->m[P_SIDE]), *f = ATD_SLOT(ep, h->m[P_FIRST]), *p = ATD_SLOT(ep, h->m[P_PX]);
        if (s == NULL)
            return -1;
        if (s != side)
            continue;
        long long first, epx;
        if (f == NULL || p == NULL || in_range_fast(f, ATD_T, &first) <= 0 || in_range_fast(p, LIM_T, &epx) <= 0) {
            PyErr_Clear();
            return -1;
        }
        if (T >= first && (bid ? px < epx : px > epx)) {
            PyObject *ann = ATD_SLOT(ep, h->m[P_ANN]);
            if (ann != Py_False)
                return 1; /* (an announced episode ends: its alert is on_trade's) */
            hits[(*n)++] = key; /* (borrowed: the caller holds them before anything runs) */
        }
    }
    return 0;
}

/* ep's slot m set to a new int v (0), or -1 */
static int atd_set(PyObject *ep, PyMemberDef *m, long long v)
{
    PyObject *x = PyLong_FromLongLong(v);
    if (x == NULL)
        return -1;
    Py_XSETREF(ATD_SLOT(ep, m), x);
    return 0;
}

int atd_count(atd_Hook *h, PyObject *ep, const atd_Ep *e, PyObject *T_o, long long T, long long q, long long vw)
{
    if (atd_set(ep, h->m[P_TRADED], e->traded + q) < 0)
        return -1;
    if (T > e->last_trade)
        Py_SETREF(ATD_SLOT(ep, h->m[P_LAST_TRADE]), Py_NewRef(T_o));
    PyObject *c = PyLong_FromLongLong(e->cum_last + q);
    if (c == NULL)
        return -1;
    int r = PyList_Append(ATD_SLOT(ep, h->m[P_TIMES]), T_o);
    if (r == 0)
        r = PyList_Append(ATD_SLOT(ep, h->m[P_CUM]), c);
    Py_DECREF(c);
    if (r < 0)
        return -1;
    return vw > e->peak ? atd_set(ep, h->m[P_PEAK], vw) : 0;
}
