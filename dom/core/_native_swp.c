/* The sweeps' trade and depth paths without a Python frame (sweep.py: SweepDetector.trade_hook
 * and delta_hook; symbol_state.trade_hooks / delta_hooks bind them).
 *
 *   SweepHook(mode, det, fallback, runs, sizes, run_cls, run_descs, ev_cls, ev_descs, synced, top,
 *             buy, window, horizon, min_levels, min_notional, size_pct, warmup, lot, tick)
 *
 * mode 0: hook(sym, trade), SweepDetector.on_trade; mode 1: hook(sym, delta, changes), its
 * on_delta (the runs whose window has passed closed). The run state stays the detector's own: its
 * dict ``runs`` (buyer taker -> _Run, in the order the runs opened), its ``deadline`` and ``floor``
 * attributes and its RollingSamples ``sizes``; the hook reads and writes them exactly as the Python
 * code does (``_Run``'s slots through their member descriptors) and makes no alert: whatever would
 * make one (a run announced and closing, a run turning into a sweep), and anything it does not take
 * (another event class, a value past its ranges, the samples moved to their twin), goes to
 * ``fallback`` (the detector's own on_trade / on_delta), from the state as the hook left it (a step
 * the hook finished is one the Python code would have taken the same way). */
#include "_native_swp.h"

/* The trade (t, px, q) of a synced or top-of-book symbol after the expiry: 1 done, 0 the detector's
 * own on_trade must take it (from the state as left), -1 error. */
static int swp_trade(swp_Hook *h, PyObject *key, PyObject *const *ev, long long t, long long px, long long q)
{
    int buy = key == Py_True;
    double n = (double)q * h->lot * (h->tick != 0.0 ? (double)px * h->tick : 1.0);
    PyObject *run = PyDict_GetItemWithError(h->runs, key);
    if (run == NULL && PyErr_Occurred())
        return -1;
    if (run != NULL) {
        long long ft, lt, lpx, lv, qt, tr;
        int ok;
        if ((ok = swp_ll(run, h->r[SWP_R_FIRST_T], SWP_LIM, &ft)) != 1 || (ok = swp_ll(run, h->r[SWP_R_LAST_T], SWP_LIM, &lt)) != 1
            || (ok = swp_ll(run, h->r[SWP_R_LAST_PX], SWP_EXACT, &lpx)) != 1
            || (ok = swp_ll(run, h->r[SWP_R_LEVELS], SWP_LIM, &lv)) != 1 || (ok = swp_ll(run, h->r[SWP_R_QTY], SWP_LIM, &qt)) != 1
            || (ok = swp_ll(run, h->r[SWP_R_TRADES], SWP_LIM, &tr)) != 1)
            return ok;
        PyObject *nf = trd_read(run, h->r[SWP_R_NOTIONAL]), *id;
        if (nf == NULL)
            return -1;
        int is_f = PyFloat_CheckExact(nf);
        double notional = is_f ? PyFloat_AS_DOUBLE(nf) : 0.0;
        Py_DECREF(nf);
        if (!is_f)
            return 0;
        if ((id = trd_read(run, h->r[SWP_R_ID])) == NULL)
            return -1;
        Py_DECREF(id);
        int onward = buy ? px >= lpx : px <= lpx;
        if (onward && t - ft <= h->window && t >= lt) {
            long long levels = lv + (px != lpx), qty = qt + q;
            notional += n;
            if (id == Py_None && !(levels < h->min_levels || notional < h->min_notional)) { /* (_is_sweep's order) */
                int o = swp_outsized(h, qty);
                if (o != 0)
                    return o < 0 ? -1 : 0; /* a sweep now: the detector announces it */
            }
            PyObject *nn = PyFloat_FromDouble(notional);
            if (nn == NULL)
                return -1;
            int r = (px != lpx && (swp_set_ll(run, h->r[SWP_R_LEVELS], levels) < 0 || PyMember_SetOne((char *)run, h->r[SWP_R_LAST_PX], ev[SWP_E_PX]) < 0))
                    || PyMember_SetOne((char *)run, h->r[SWP_R_LAST_T], ev[SWP_E_T]) < 0 || swp_set_ll(run, h->r[SWP_R_QTY], qty) < 0
                    || PyMember_SetOne((char *)run, h->r[SWP_R_NOTIONAL], nn) < 0 || swp_set_ll(run, h->r[SWP_R_TRADES], tr + 1) < 0;
            Py_DECREF(nn);
            return r ? -1 : 1;
        }
        if (id != Py_None)
            return 0; /* an announced run ends: the detector says so */
        Py_INCREF(run);
        int r = swp_close(h, key, run);
        Py_DECREF(run);
        if (r < 0)
            return -1;
    }
    /* a new run; one that is a sweep at once (sweep_min_levels 1) is the detector's to announce */
    if (!(1 < h->min_levels || n < h->min_notional)) {
        int o = swp_outsized(h, q);
        if (o != 0)
            return o < 0 ? -1 : 0;
    }
    if (swp_open(h, key, ev[SWP_E_T], ev[SWP_E_PX], ev[SWP_E_QTY], n) < 0)
        return -1;
    PyObject *d = PyObject_GetAttr(h->det, swp_s_deadline);
    long long dl;
    if (d == NULL)
        return -1;
    int k = in_range_fast(d, SWP_FAR, &dl);
    Py_DECREF(d);
    if (k != 1)
        return k < 0 ? -1 : 0; /* (the run is open: the detector's own code would only set the deadline) */
    return t + h->window < dl ? (set_attr_ll(h->det, swp_s_deadline, t + h->window) < 0 ? -1 : 1) : 1;
}

static PyObject *swp_call(swp_Hook *h, PyObject *const *args, size_t nargsf, PyObject *kw)
{
    Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
    if (nargs != 2 + h->depth || kw != NULL) {
        PyErr_SetString(PyExc_TypeError, h->depth ? "hook(sym, delta, changes)" : "hook(sym, trade)");
        return NULL;
    }
    PyObject *e = args[1], *v[SWP_E_N] = {NULL, NULL, NULL, NULL}, *res = NULL, *d = NULL, *state = NULL;
    long long t, px = 0, q = 0, dl;
    int k;
    if (Py_TYPE(e) != (PyTypeObject *)h->ev_cls)
        return PyObject_Vectorcall(h->fallback, args, nargs, NULL);
    for (int i = 0; i < (h->depth ? 1 : SWP_E_N); i++)
        if ((v[i] = trd_read(e, h->e[i])) == NULL)
            goto done;
    if ((k = in_range_fast(v[SWP_E_T], SWP_LIM, &t)) < 0)
        goto done;
    if (k && !h->depth && ((k = in_range_fast(v[SWP_E_PX], SWP_EXACT, &px)) < 0 || (k && (k = in_range_fast(v[SWP_E_QTY], SWP_EXACT, &q)) < 0)))
        goto done;
    if (k) {
        if ((d = PyObject_GetAttr(h->det, swp_s_deadline)) == NULL || (k = in_range_fast(d, SWP_FAR, &dl)) < 0)
            goto done;
    }
    if (k && t > dl && (k = swp_expire(h, t)) < 0)
        goto done;
    if (k && !h->depth) {
        if ((state = PyObject_GetAttr(args[0], swp_s_state)) == NULL)
            goto done;
        if (state == h->synced || state == h->top) {
            if ((k = swp_trade(h, v[SWP_E_TAKER] == h->buy ? Py_True : Py_False, v, t, px, q)) < 0)
                goto done;
        }
    }
    res = k ? PyList_New(0) : PyObject_Vectorcall(h->fallback, args, nargs, NULL);
done:
    for (int i = 0; i < SWP_E_N; i++)
        Py_XDECREF(v[i]);
    Py_XDECREF(d);
    Py_XDECREF(state);
    return res;
}

static int swp_num(PyObject *o, double *v) /* a float, or an int exact as a double */
{
    long long x;
    if (PyFloat_CheckExact(o)) {
        *v = PyFloat_AS_DOUBLE(o);
        return 1;
    }
    if (in_range(o, SWP_EXACT, &x) != 1)
        return 0;
    *v = (double)x;
    return 1;
}

static PyObject *swp_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    int mode;
    PyObject *det, *fallback, *runs, *sizes, *run_cls, *run_descs, *ev_cls, *ev_descs, *synced, *top, *buy;
    PyObject *o_win, *o_hor, *o_lev, *o_mn, *o_pct, *o_warm, *o_lot, *o_tick;
    if (kw != NULL && PyDict_GET_SIZE(kw)) {
        PyErr_SetString(PyExc_TypeError, "SweepHook takes no keywords");
        return NULL;
    }
    if (!PyArg_ParseTuple(args, "iOOO!OO!O!O!O!OOOOOOOOOOO:SweepHook", &mode, &det, &fallback, &PyDict_Type, &runs,
                          &sizes, &PyType_Type, &run_cls, &PyTuple_Type, &run_descs, &PyType_Type, &ev_cls,
                          &PyTuple_Type, &ev_descs, &synced, &top, &buy, &o_win, &o_hor, &o_lev, &o_mn, &o_pct,
                          &o_warm, &o_lot, &o_tick))
        return NULL;
    long long win, hor, lev, warm;
    double mn, pct, lot, tick;
    int ne = mode ? 1 : SWP_E_N;
    if ((mode != 0 && mode != 1) || PyTuple_GET_SIZE(run_descs) != SWP_R_N || PyTuple_GET_SIZE(ev_descs) != ne
        || in_range(o_win, SWP_LIM, &win) != 1 || win < 0 || in_range(o_hor, SWP_LIM, &hor) != 1
        || in_range(o_lev, SWP_LIM, &lev) != 1 || in_range(o_warm, SWP_LIM, &warm) != 1 || !swp_num(o_mn, &mn)
        || !swp_num(o_pct, &pct) || !(pct >= 0.0 && pct <= 100.0) || !swp_num(o_lot, &lot) || !swp_num(o_tick, &tick)) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_ValueError, "SweepHook: mode 0 or 1, the slots' descriptors, exact parameters");
        return NULL;
    }
    swp_Hook *h = (swp_Hook *)type->tp_alloc(type, 0);
    if (h == NULL)
        return NULL;
    for (int i = 0; i < SWP_R_N; i++)
        if ((h->r[i] = trd_member(PyTuple_GET_ITEM(run_descs, i), run_cls)) == NULL)
            goto bad;
    for (int i = 0; i < ne; i++)
        if ((h->e[i] = trd_member(PyTuple_GET_ITEM(ev_descs, i), ev_cls)) == NULL)
            goto bad;
    h->vectorcall = (vectorcallfunc)swp_call;
    h->depth = mode;
    h->det = Py_NewRef(det), h->fallback = Py_NewRef(fallback), h->runs = Py_NewRef(runs);
    h->sizes = Py_NewRef(sizes), h->run_cls = Py_NewRef(run_cls), h->ev_cls = Py_NewRef(ev_cls);
    h->synced = Py_NewRef(synced), h->top = Py_NewRef(top), h->buy = Py_NewRef(buy);
    h->descs = PyTuple_Pack(2, run_descs, ev_descs);
    h->window = win, h->horizon = hor, h->min_levels = lev, h->warmup = warm;
    h->min_notional = mn, h->pct = pct, h->lot = lot, h->tick = tick;
    if (h->descs == NULL) {
        Py_DECREF(h);
        return NULL;
    }
    return (PyObject *)h;
bad:
    PyErr_SetString(PyExc_ValueError, "SweepHook: the slots' descriptors of the run and event classes");
    Py_DECREF(h);
    return NULL;
}

static int swp_traverse(swp_Hook *h, visitproc visit, void *arg)
{
    Py_VISIT(h->det);
    Py_VISIT(h->fallback);
    Py_VISIT(h->runs);
    Py_VISIT(h->sizes);
    Py_VISIT(h->run_cls);
    Py_VISIT(h->ev_cls);
    Py_VISIT(h->synced);
    Py_VISIT(h->top);
    Py_VISIT(h->buy);
    Py_VISIT(h->descs);
    return 0;
}

static int swp_clear(swp_Hook *h)
{
    Py_CLEAR(h->det);
    Py_CLEAR(h->fallback);
    Py_CLEAR(h->runs);
    Py_CLEAR(h->sizes);
    Py_CLEAR(h->run_cls);
    Py_CLEAR(h->ev_cls);
    Py_CLEAR(h->synced);
    Py_CLEAR(h->top);
    Py_CLEAR(h->buy);
    Py_CLEAR(h->descs);
    return 0;
}

static void swp_dealloc(swp_Hook *h)
{
    PyObject_GC_UnTrack(h);
    swp_clear(h);
    Py_TYPE(h)->tp_free((PyObject *)h);
}

static PyTypeObject swp_HookType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "dom.core._native.SweepHook",
    .tp_basicsize = sizeof(swp_Hook),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL,
    .tp_doc = "SweepDetector.on_trade / on_delta without their Python frame (the engine's hooks)",
    .tp_new = swp_new,
    .tp_dealloc = (destructor)swp_dealloc,
    .tp_traverse = (traverseproc)swp_traverse,
    .tp_clear = (inquiry)swp_clear,
    .tp_vectorcall_offset = offsetof(swp_Hook, vectorcall),
    .tp_call = PyVectorcall_Call,
};

/* The type ready and added to the module m: 0; -1 with an error set. */
int swp_register(PyObject *m)
{
    if ((swp_s_deadline = PyUnicode_InternFromString("deadline")) == NULL
        || (swp_s_floor = PyUnicode_InternFromString("floor")) == NULL
        || (swp_s_state = PyUnicode_InternFromString("state")) == NULL
        || (swp_s_add = PyUnicode_InternFromString("add")) == NULL
        || (swp_s_expire = PyUnicode_InternFromString("expire")) == NULL
        || (swp_s_outsized = PyUnicode_InternFromString("_outsized")) == NULL
        || (swp_inf = PyFloat_FromDouble(Py_HUGE_VAL)) == NULL || PyType_Ready(&swp_HookType) < 0)
        return -1;
    return PyModule_AddObjectRef(m, "SweepHook", (PyObject *)&swp_HookType);
}
