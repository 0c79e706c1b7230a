/* dom.core._native.AbsSide: what the absorption detector keeps of the trades into one side of the
 * book, held here with integer keys (absorption_side.py holds its pure-Python twin, _Side, and
 * says what each method gives; the tests run one against the other trade by trade).
 *
 * Held: the side's trade times (rate samples), its rate window of (t, q) with their total, per
 * price a window of (t, q) over W with its total, per price the volume threshold the detector
 * computed (a Python int or None; kept until the side's baselines move), the edge no window stands
 * beyond, the price of the side's last trade (its rings and tables: _native_abs_tab.c). A method
 * handed what it does not take (not an exact int, beyond the limits in _native_abs.h) returns
 * NotImplemented with nothing changed: the detector then moves the side to the twin (state()). */
#include "_native_abs.h"
#include <structmember.h>

/* Drop the windows for which drop(w, arg) holds. A deletion may shift a later entry into the
 * slot just visited, so the scan restarts at a slot until it holds a kept window or none. */
static void drop_if(AbsSide *s, int (*drop)(AbsSide *, Win *, long long), long long arg)
{
    Tab *t = &s->win;
    for (Py_ssize_t i = 0; i < t->cap; i++)
        while (t->slots[i] != NULL && drop(s, t->slots[i], arg))
            abs_drop_slot(t, i);
}

static int beyond(AbsSide *s, Win *w, long long px)
{
    return s->bid ? w->px > px : w->px < px;
}

static int stale(AbsSide *s, Win *w, long long lo)
{
    return !w->r.n || w->r.t[AT(&w->r, w->r.n - 1)] <= lo;
}

/* ------------------------------------------------------------------------------- arguments */
/* A limit of 0 (CL): any exact int, clamped to +-FAR. Stored prices and times are within
 * +-2^61, so a bound or a price clamped there gives what the exact value would (a bound below
 * every time or above it, a price with no window). */
#define CL 0
static int ints(PyObject *const *args, Py_ssize_t n, long long *v, const long long *lim)
{
    for (Py_ssize_t i = 0; i < n; i++) {
        if (lim[i] == CL) {
            if (!PyLong_CheckExact(args[i]))
                return 0;
            int over = 0;
            long long x = PyLong_AsLongLongAndOverflow(args[i], &over);
            if (x == -1 && PyErr_Occurred())
                return -1;
            v[i] = over > 0 || x > FAR ? FAR : over < 0 || x < -FAR ? -FAR : x;
            continue;
        }
        int r = in_range(args[i], lim[i], &v[i]);
        if (r <= 0)
            return r;
    }
    return 1;
}

/* The method's nargs arguments, of which the first n exact ints within their limits into v[]. */
#define ARGS(name, total, n, ...)                                               \
    long long v[n];                                                             \
    static const long long lim[n] = {__VA_ARGS__};                              \
    if (nargs != total) {                                                       \
        PyErr_SetString(PyExc_TypeError, name);                                 \
        return NULL;                                                            \
    }                                                                           \
    {                                                                           \
        int ok_ = ints(args, n, v, lim);                                        \
        if (ok_ <= 0)                                                           \
            return ok_ < 0 ? NULL : Py_NewRef(Py_NotImplemented);               \
    }

/* ------------------------------------------------------------------------------- the type */
static PyObject *abs_new(PyTypeObject *type, PyObject *a, PyObject *kw)
{
    PyObject *side, *bid;
    long long rate_ns, w_ns;
    double frac;
    if (!PyArg_ParseTuple(a, "OO!LLd", &side, &PyBool_Type, &bid, &rate_ns, &w_ns, &frac))
        return NULL;
    if (rate_ns < 0 || rate_ns > LIM_T || w_ns < 0 || w_ns > LIM_T) {
        PyErr_SetString(PyExc_ValueError, "AbsSide: windows within 0..2^61 ns");
        return NULL;
    }
    AbsSide *s = (AbsSide *)type->tp_alloc(type, 0);
    if (s == NULL)
        return NULL;
    s->side = Py_NewRef(side);
    s->bid = bid == Py_True;
    s->rate_ns = rate_ns, s->w_ns = w_ns, s->frac = frac;
    s->edge = s->bid ? -FAR : FAR;
    return (PyObject *)s;
}

static void abs_dealloc(AbsSide *s)
{
    abs_tab_clear(&s->win);
    abs_tab_clear(&s->th);
    PyMem_Free(s->win.slots);
    PyMem_Free(s->th.slots);
    abs_ring_free(&s->times);
    abs_ring_free(&s->sw);
    Py_XDECREF(s->side);
    Py_TYPE(s)->tp_free((PyObject *)s);
}

/* trade()'s work on values it takes (px and T within LIM_T, 0 <= q <= LIM_Q): 1 with *out what
 * trade() returns, 0 for a value it declines (its totals would leave LIM_TOT: nothing changed),
 * -1 on error. Also the absorption trade hook's (_native_atd.c). */
int abs_trade_ll(AbsSide *s, long long px, long long T, long long q, int track, long long *out)
{
    Win *w = abs_find(&s->win, px);
    /* nothing is changed unless the totals stay exact */
    if (q < 0 || s->sw.total + q >= LIM_TOT || (w != NULL && w->r.total + q >= LIM_TOT))
        return 0;
    if (abs_ring_push(&s->times, T, 0) < 0 || abs_ring_push(&s->sw, T, q) < 0)
        return -1;
    abs_ring_prune(&s->sw, T - s->rate_ns);
    if (!s->has_last || px != s->last_px) {
        s->has_last = 1, s->last_px = px;
        if (s->bid ? px < s->edge : px > s->edge) {  /* some window may stand beyond px */
            drop_if(s, beyond, px);
            long long edge = s->bid ? -FAR : FAR;
            for (Py_ssize_t i = 0; i < s->win.cap; i++) {
                Win *x = s->win.slots[i];
                if (x != NULL && (s->bid ? x->px > edge : x->px < edge))
                    edge = x->px;
            }
            s->edge = edge;
            w = abs_find(&s->win, px);
        }
    }
    if (w == NULL) {
        if ((w = abs_add(&s->win, px)) == NULL)
            return -1;
        if (s->bid ? px > s->edge : px < s->edge)
            s->edge = px;
    }
    if (abs_ring_push(&w->r, T, q) < 0)
        return -1;
    long long vw = abs_ring_prune(&w->r, T - s->w_ns);
    *out = abs_track(s, px, vw, track);
    return 1;
}

/* What trade() returns for a window total vw at px: vw, or with track -1 (not followed) or -2 - vw
 * (no threshold cached). */
long long abs_track(AbsSide *s, long long px, long long vw, int track)
{
    if (!track)
        return vw;
    Win *th = abs_find(&s->th, px);
    if (th == NULL)
        return -2 - vw;
    return th->thr == Py_None || (double)vw < th->tf ? -1 : vw;
}

/* What abs_trade_ll would give, nothing changed: 1 (*out), 0 (it would decline the values). The
 * windows a new price drops stand beyond px, never px's own: its total is the window's now, plus
 * q, less the oldest entries at or before T - w_ns (the new one last). */
int abs_trade_peek(AbsSide *s, long long px, long long T, long long q, int track, long long *out)
{
    Win *w = abs_find(&s->win, px);
    if (q < 0 || s->sw.total + q >= LIM_TOT || (w != NULL && w->r.total + q >= LIM_TOT))
        return 0;
    long long lo = T - s->w_ns, vw = q;
    Py_ssize_t i = 0;
    if (w != NULL) {
        Ring *r = &w->r;
        vw += r->total;
        for (; i < r->n && r->t[AT(r, i)] <= lo; i++)
            vw -= r->q[AT(r, i)];
        if (i < r->n)
            i = -1;  /* (an entry stays: the new one is not reached) */
    }
    if (i >= 0 && T <= lo)
        vw -= q;
    *out = abs_track(s, px, vw, track);
    return 1;
}

/* trade(px, T, q, track) -> int: see _Side.trade. */
static PyObject *abs_trade(AbsSide *s, PyObject *const *args, Py_ssize_t nargs)
{
    ARGS("trade(px, T, q, track)", 4, 3, LIM_T, LIM_T, LIM_Q)
    if (v[2] < 0)
        Py_RETURN_NOTIMPLEMENTED;
    int track = PyObject_IsTrue(args[3]);
    if (track < 0)
        return NULL;
    long long out;
    int r = abs_trade_ll(s, v[0], v[1], v[2], track, &out);
    if (r <= 0)
        return r < 0 ? NULL : Py_NewRef(Py_NotImplemented);
    return PyLong_FromLongLong(out);
}

/* rate_count(lo): the side's trade times after pruning those <= lo from the oldest; their number. */
static PyObject *abs_rate_count(AbsSide *s, PyObject *const *args, Py_ssize_t nargs)
{
    ARGS("rate_count(lo)", 1, 1, CL)
    abs_ring_prune(&s->times, v[0]);
    return PyLong_FromSsize_t(s->times.n);
}

/* side_prune(lo): the side's rate window pruned to lo; its total. */
static PyObject *abs_side_prune(AbsSide *s, PyObject *const *args, Py_ssize_t nargs)
{
    ARGS("side_prune(lo)", 1, 1, CL)
    return PyLong_FromLongLong(abs_ring_prune(&s->sw, v[0]));
}

/* side_volume_after(lo): the side's rate-window total less its oldest entries <= lo (no pruning). */
static PyObject *abs_side_volume_after(AbsSide *s, PyObject *const *args, Py_ssize_t nargs)
{
    ARGS("side_volume_after(lo)", 1, 1, CL)
    Ring *r = &s->sw;
    long long tot = r->total;
    for (Py_ssize_t i = 0; i < r->n && r->t[AT(r, i)] <= v[0]; i++)
        tot -= r->q[AT(r, i)];
    return PyLong_FromLongLong(tot);
}

/* prune_at(px, lo): the window at px pruned to lo; its total (0 without a window). */
static PyObject *abs_prune_at(AbsSide *s, PyObject *const *args, Py_ssize_t nargs)
{
    ARGS("prune_at(px, lo)", 2, 2, CL, CL)
    Win *w = abs_find(&s->win, v[0]);
    return PyLong_FromLongLong(w ? abs_ring_prune(&w->r, v[1]) : 0);
}

/* count_since(px, lo) / volume_since(px, lo): the window at px's trades after lo, walked from the
 * newest to the first at or before lo; their number / volume (0 without a window). */
static PyObject *since(AbsSide *s, PyObject *const *args, Py_ssize_t nargs, int vol)
{
    ARGS("count_since(px, lo) / volume_since(px, lo)", 2, 2, CL, CL)
    Win *w = abs_find(&s->win, v[0]);
    long long acc = 0;
    if (w != NULL)
        for (Py_ssize_t i = w->r.n - 1; i >= 0 && w->r.t[AT(&w->r, i)] > v[1]; i--)
            acc += vol ? w->r.q[AT(&w->r, i)] : 1;
    return PyLong_FromLongLong(acc);
}

static PyObject *abs_count_since(AbsSide *s, PyObject *const *args, Py_ssize_t nargs)
{
    return since(s, args, nargs, 0);
}

static PyObject *abs_volume_since(AbsSide *s, PyObject *const *args, Py_ssize_t nargs)
{
    return since(s, args, nargs, 1);
}

/* largest(px) / first_time(px): the largest print / the oldest time in the window at px (None
 * without a window or when it is empty). */
static PyObject *abs_largest(AbsSide *s, PyObject *const *args, Py_ssize_t nargs)
{
    ARGS("largest(px)", 1, 1, CL)
    Win *w = abs_find(&s->win, v[0]);
    if (w == NULL || !w->r.n)
        Py_RETURN_NONE;
    long long m = w->r.q[w->r.head];
    for (Py_ssize_t i = 1; i < w->r.n; i++)
        if (w->r.q[AT(&w->r, i)] > m)
            m = w->r.q[AT(&w->r, i)];
    return PyLong_FromLongLong(m);
}

static PyObject *abs_first_time(AbsSide *s, PyObject *const *args, Py_ssize_t nargs)
{
    ARGS("first_time(px)", 1, 1, CL)
    Win *w = abs_find(&s->win, v[0]);
    if (w == NULL || !w->r.n)
        Py_RETURN_NONE;
    return PyLong_FromLongLong(w->r.t[w->r.head]);
}

/* drop_stale(lo): the windows empty or whose newest trade is <= lo dropped (levels that stopped
 * trading). */
static PyObject *abs_drop_stale(AbsSide *s, PyObject *const *args, Py_ssize_t nargs)
{
    ARGS("drop_stale(lo)", 1, 1, CL)
    drop_if(s, stale, v[0]);
    Py_RETURN_NONE;
}

/* clear_thr(): every cached threshold forgotten (the samples moved). */
static PyObject *abs_clear_thr(AbsSide *s, PyObject *unused)
{
    abs_tab_clear(&s->th);
    Py_RETURN_NONE;
}

/* thr_get(px, default): the threshold cached at px, default if none is. */
static PyObject *abs_thr_get(AbsSide *s, PyObject *const *args, Py_ssize_t nargs)
{
    ARGS("thr_get(px, default)", 2, 1, CL)
    Win *w = v[0] >= -LIM_T && v[0] <= LIM_T ? abs_find(&s->th, v[0]) : NULL;
    return Py_NewRef(w != NULL ? w->thr : args[1]);
}

/* thr_set(px, thr): the threshold at px cached (None or an int; a price within 2^61); the cache
 * starts again when it holds THR_MAX prices and px is not one of them. */
static PyObject *abs_thr_set(AbsSide *s, PyObject *const *args, Py_ssize_t nargs)
{
    ARGS("thr_set(px, thr)", 2, 1, LIM_T)
    PyObject *thr = args[1];
    if (thr != Py_None && !PyLong_CheckExact(thr))
        Py_RETURN_NOTIMPLEMENTED;
    double tf = 0.0;
    if (thr != Py_None) {
        double d = PyLong_AsDouble(thr);
        if (d == -1.0 && PyErr_Occurred())
            return NULL;
        tf = s->frac * d;
    }
    Win *w = abs_find(&s->th, v[0]);
    if (w == NULL) {
        if (s->th.used >= THR_MAX)
            abs_tab_clear(&s->th);
        if ((w = abs_add(&s->th, v[0])) == NULL)
            return NULL;
    }
    Py_XSETREF(w->thr, Py_NewRef(thr));
    w->tf = tf;
    Py_RETURN_NONE;
}

/* reset(): the windows dropped, the edge and the last price forgotten (a resync; the side's
 * trade times and rate window stay, as the Python detector's did). */
static PyObject *abs_reset(AbsSide *s, PyObject *unused)
{
    abs_tab_clear(&s->win);
    s->edge = s->bid ? -FAR : FAR;
    s->has_last = 0;
    Py_RETURN_NONE;
}


/* state(): (times, rate window's (t, q), its total, {px: (((t, q), ...), total)}, {px: thr}, edge,
 * last_px), the same as _Side.state gives: the tests compare them, and a side that declined a
 * trade moves to the twin through it. */
static PyObject *abs_state(AbsSide *s, PyObject *unused)
{
    PyObject *win = PyDict_New(), *th = PyDict_New(), *times = NULL, *sw = NULL, *out = NULL;
    if (win == NULL || th == NULL)
        goto done;
    for (int k = 0; k < 2; k++) {
        Tab *t = k ? &s->th : &s->win;
        for (Py_ssize_t i = 0; i < t->cap; i++) {
            Win *w = t->slots[i];
            if (w == NULL)
                continue;
            PyObject *q = k ? NULL : abs_pairs(&w->r, 1), *px = PyLong_FromLongLong(w->px), *e = NULL;
            if (px != NULL && (k || q != NULL))
                e = k ? Py_NewRef(w->thr) : Py_BuildValue("(OL)", q, w->r.total);
            int bad = e == NULL || PyDict_SetItem(k ? th : win, px, e) < 0;
            Py_XDECREF(q);
            Py_XDECREF(px);
            Py_XDECREF(e);
            if (bad)
                goto done;
        }
    }
    if ((times = abs_pairs(&s->times, 0)) == NULL || (sw = abs_pairs(&s->sw, 1)) == NULL)
        goto done;
    if (s->has_last)
        out = Py_BuildValue("(OOLOOLL)", times, sw, s->sw.total, win, th, s->edge, s->last_px);
    else
        out = Py_BuildValue("(OOLOOLO)", times, sw, s->sw.total, win, th, s->edge, Py_None);
done:
    Py_XDECREF(times);
    Py_XDECREF(sw);
    Py_XDECREF(win);
    Py_XDECREF(th);
    return out;
}

static PyObject *abs_last_px(AbsSide *s, void *unused)
{
    if (!s->has_last)
        Py_RETURN_NONE;
    return PyLong_FromLongLong(s->last_px);
}

static PyObject *abs_len(AbsSide *s, void *unused)
{
    return PyLong_FromSsize_t(s->win.used);
}

#define FAST(name) {#name, (PyCFunction)(void (*)(void))abs_##name, METH_FASTCALL, NULL}
static PyMethodDef abs_methods[] = {
    FAST(trade), FAST(rate_count), FAST(side_prune), FAST(side_volume_after), FAST(prune_at),
    FAST(count_since), FAST(volume_since), FAST(largest), FAST(first_time), FAST(drop_stale),
    FAST(thr_get), FAST(thr_set),
    {"clear_thr", (PyCFunction)abs_clear_thr, METH_NOARGS, NULL},
    {"reset", (PyCFunction)abs_reset, METH_NOARGS, NULL},
    {"state", (PyCFunction)abs_state, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyMemberDef abs_members[] = {
    {"side", T_OBJECT_EX, offsetof(AbsSide, side), READONLY, NULL},
    {"edge", T_LONGLONG, offsetof(AbsSide, edge), READONLY, NULL},
    {NULL, 0, 0, 0, NULL},
};

static PyGetSetDef abs_getset[] = {
    {"last_px", (getter)abs_last_px, NULL, NULL, NULL},
    {"levels", (getter)abs_len, NULL, "The number of price windows held.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

PyTypeObject AbsSideType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "dom.core._native.AbsSide",
    .tp_basicsize = sizeof(AbsSide),
    .tp_dealloc = (destructor)abs_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "The absorption detector's state of one book side (absorption_side.py: _Side is its twin).",
    .tp_methods = abs_methods,
    .tp_members = abs_members,
    .tp_getset = abs_getset,
    .tp_new = abs_new,
};
