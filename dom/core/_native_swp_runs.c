/* The sweeps' runs on the detector's own state (sweep.py: its dict ``runs``, ``deadline``, ``floor``
 * and ``sizes``), for SweepHook (_native_swp.c): what _close, _expire, _outsized and _Run(...) do
 * when no alert is to be made. */
#include "_native_swp.h"

PyObject *swp_s_deadline, *swp_s_floor, *swp_s_state, *swp_s_add, *swp_s_expire, *swp_s_outsized, *swp_inf;

/* a run's int slot: 1 with *v set (within +-lim), 0 not taken, -1 error */
int swp_ll(PyObject *o, PyMemberDef *m, long long lim, long long *v)
{
    PyObject *x = trd_read(o, m);
    if (x == NULL)
        return -1;
    int r = in_range_fast(x, lim, v);
    Py_DECREF(x);
    return r;
}

/* set a slot to a new int / float (steals nothing): 0, or -1 with an error set */
int swp_set_ll(PyObject *o, PyMemberDef *m, long long v)
{
    PyObject *x = PyLong_FromLongLong(v);
    if (x == NULL)
        return -1;
    int r = PyMember_SetOne((char *)o, m, x);
    Py_DECREF(x);
    return r;
}

/* det.floor afresh, as _outsized(): 0, or -1 with an error set */
static int swp_floor(swp_Hook *h)
{
    PyObject *f;
    rol_Samples *s = (rol_Samples *)h->sizes;
    if (!PyObject_TypeCheck(h->sizes, &rol_SamplesType) || s->twin != NULL) {
        f = PyObject_CallMethodNoArgs(h->det, swp_s_outsized);
    } else if (s->n == 0 || s->n < h->warmup) {
        f = Py_NewRef(swp_inf);
    } else {
        Py_ssize_t i = (Py_ssize_t)(h->pct / 100.0 * (double)s->n);
        f = PyLong_FromLongLong(s->srt[i < s->n - 1 ? i : s->n - 1]);
    }
    if (f == NULL)
        return -1;
    int r = PyObject_SetAttr(h->det, swp_s_floor, f);
    Py_DECREF(f);
    return r;
}

/* _close for a run not announced: the run out of runs, the deadline, its size into the samples,
 * the floor. 0, or -1 with an error set. */
int swp_close(swp_Hook *h, PyObject *key, PyObject *run)
{
    PyObject *first_t = trd_read(run, h->r[SWP_R_FIRST_T]), *qty = NULL, *lo = NULL, *res;
    long long ft, other_t, v;
    int r = -1;
    if (first_t == NULL || (qty = trd_read(run, h->r[SWP_R_QTY])) == NULL)
        goto done;
    if (in_range_fast(first_t, SWP_LIM, &ft) != 1) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_OverflowError, "SweepHook: a run's time out of range");
        goto done;
    }
    if (PyDict_DelItem(h->runs, key) < 0)
        goto done;
    PyObject *other = PyDict_GetItemWithError(h->runs, key == Py_True ? Py_False : Py_True);
    if (other == NULL && PyErr_Occurred())
        goto done;
    if (other != NULL) {
        int k = swp_ll(other, h->r[SWP_R_FIRST_T], SWP_LIM, &other_t);
        if (k != 1) {
            if (k == 0)
                PyErr_SetString(PyExc_OverflowError, "SweepHook: a run's time out of range");
            goto done;
        }
        v = other_t + h->window;
    } else {
        v = SWP_FAR;
    }
    if (set_attr_ll(h->det, swp_s_deadline, v) < 0)
        goto done;
    PyObject *a[3] = {h->sizes, first_t, qty};
    if ((res = PyObject_VectorcallMethod(swp_s_add, a, 3 | PY_VECTORCALL_ARGUMENTS_OFFSET, NULL)) == NULL)
        goto done;
    Py_DECREF(res);
    if ((lo = PyLong_FromLongLong(ft - h->horizon)) == NULL)
        goto done;
    a[1] = lo;
    if ((res = PyObject_VectorcallMethod(swp_s_expire, a, 2 | PY_VECTORCALL_ARGUMENTS_OFFSET, NULL)) == NULL)
        goto done;
    Py_DECREF(res);
    r = swp_floor(h);
done:
    Py_XDECREF(first_t);
    Py_XDECREF(qty);
    Py_XDECREF(lo);
    return r;
}

/* _expire(t) when no run to close was announced: 1 done, 0 one was (nothing changed), -1 error */
int swp_expire(swp_Hook *h, long long t)
{
    PyObject *keys[2], *runs[2];
    int n = 0;
    Py_ssize_t pos = 0;
    PyObject *k, *run;
    while (PyDict_Next(h->runs, &pos, &k, &run)) {
        long long ft;
        if (n == 2 || (k != Py_True && k != Py_False))
            return 0;
        int r = swp_ll(run, h->r[SWP_R_FIRST_T], SWP_LIM, &ft);
        if (r != 1)
            return r;
        if (t - ft > h->window) {
            PyObject *id = trd_read(run, h->r[SWP_R_ID]);
            if (id == NULL)
                return -1;
            Py_DECREF(id);
            if (id != Py_None)
                return 0;
            keys[n] = k, runs[n] = run, n++;
        }
    }
    for (int i = 0; i < n; i++) { /* (the dict holds them: references taken while one goes) */
        Py_INCREF(runs[i]);
        int r = swp_close(h, keys[i], runs[i]);
        Py_DECREF(runs[i]);
        if (r < 0)
            return -1;
    }
    return 1;
}

/* A new run at (t, px, qty, notional) under key, as _Run(...) builds it (its __init__ sets exactly
 * these slots). 0, or -1 with an error set. */
int swp_open(swp_Hook *h, PyObject *key, PyObject *t, PyObject *px, PyObject *qty, double notional)
{
    PyTypeObject *cls = (PyTypeObject *)h->run_cls;
    PyObject *run = cls->tp_alloc(cls, 0), *nf = NULL, *one = NULL;
    int r = -1;
    if (run == NULL || (nf = PyFloat_FromDouble(notional)) == NULL || (one = PyLong_FromLong(1)) == NULL)
        goto done;
    PyObject *vals[SWP_R_N] = {t, t, px, px, one, qty, nf, one, Py_None};
    for (int i = 0; i < SWP_R_N; i++)
        if (PyMember_SetOne((char *)run, h->r[i], vals[i]) < 0)
            goto done;
    r = PyDict_SetItem(h->runs, key, run);
done:
    Py_XDECREF(run);
    Py_XDECREF(nf);
    Py_XDECREF(one);
    return r;
}

/* qty >= floor (det.floor: an int or a float): 1, 0, or -1 with an error set */
int swp_outsized(swp_Hook *h, long long qty)
{
    PyObject *f = PyObject_GetAttr(h->det, swp_s_floor), *q;
    if (f == NULL)
        return -1;
    if ((q = PyLong_FromLongLong(qty)) == NULL) {
        Py_DECREF(f);
        return -1;
    }
    int r = PyObject_RichCompareBool(q, f, Py_GE);
    Py_DECREF(q);
    Py_DECREF(f);
    return r;
}

