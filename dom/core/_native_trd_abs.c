/* The absorption detector's trade hook (see _native_trd_hook.c for what a hook is):
 *
 *   AbsHook(det, slack, bid, ask, buy, trade_cls, synced, taker, px, T, qty)
 *       AbsorptionDetector.on_trade for its common case: the book synced, the slack fed (with the
 *       engine's count, against det.depth_t when that is set), no episode open, or none at
 *       (side, px) with the side's last trade at px (no trade-through to look for), the side (det.bid / det.ask,
 *       an AbsSide) taking the trade; when AbsSide.trade returns -1 (the level not followed
 *       closely) nothing else is done, else det._tracked(sym, side_obj, side, px, T, q, vw, None,
 *       []) does the rest. Anything else goes to det.on_trade: the slack takes a trade's count
 *       once (on_trade_once), and nothing else was changed before. */
#include "_native_trd.h"

typedef struct {
    PyObject_HEAD
    vectorcallfunc vectorcall;
    PyObject *det, *on_trade, *tracked;
    PyObject *slack, *bid, *ask, *buy, *cls, *synced;
    PyMemberDef *m_taker, *m_px, *m_T, *m_qty;
    PyObject *descs;
    PyObject *s_state, *s_bid, *s_ask, *s_depth_t, *s_stats, *s_trades, *s_once, *s_eps;
} trd_AbsHook;

#define TRD_ABS_NAMES 8

static PyObject *trd_abs_call(trd_AbsHook *h, PyObject *const *args, size_t nargsf, PyObject *kw)
{
    if (PyVectorcall_NARGS(nargsf) != 2 || kw != NULL) {
        PyErr_SetString(PyExc_TypeError, "hook(sym, trade)");
        return NULL;
    }
    PyObject *sym = args[0], *t = args[1];
    if (Py_TYPE(t) != (PyTypeObject *)h->cls)
        return trd_fallback(h->on_trade, args);
    PyObject *state = PyObject_GetAttr(sym, h->s_state);
    if (state == NULL)
        return NULL;
    Py_DECREF(state);
    if (state != h->synced)
        return PyList_New(0);
    PyObject *taker = trd_read(t, h->m_taker);
    if (taker == NULL)
        return NULL;
    int ask = taker == h->buy;
    Py_DECREF(taker);
    PyObject *S = PyObject_GetAttr(h->det, ask ? h->s_ask : h->s_bid), *px = NULL, *T = NULL, *q = NULL,
             *eps = NULL, *res = NULL;
    if (S == NULL)
        return NULL;
    if (Py_TYPE(S) != &AbsSideType) { /* (moved to its twin) */
        res = trd_fallback(h->on_trade, args);
        goto done;
    }
    if ((px = trd_read(t, h->m_px)) == NULL || (T = trd_read(t, h->m_T)) == NULL || (q = trd_read(t, h->m_qty)) == NULL)
        goto done;
    PyObject *depth_t = PyObject_GetAttr(h->det, h->s_depth_t);
    if (depth_t == NULL)
        goto done;
    int any = PyObject_IsTrue(depth_t);
    if (any > 0) { /* (on_trade: the slack fed first) */
        PyObject *stats = PyObject_GetAttr(sym, h->s_stats), *count = NULL;
        if (stats != NULL)
            count = PyObject_GetAttr(stats, h->s_trades);
        Py_XDECREF(stats);
        if (count == NULL || trd_once(h->slack, h->s_once, count, depth_t, T) < 0)
            any = -1;
        Py_XDECREF(count);
    }
    Py_DECREF(depth_t);
    if (any < 0)
        goto done;
    long long p;
    int ok = in_range(px, 1LL << 61, &p);
    if (ok < 0)
        goto done;
    if (!ok || (eps = PyObject_GetAttr(h->det, h->s_eps)) == NULL || !PyDict_CheckExact(eps)) {
        if (!PyErr_Occurred()) /* what C does not take: on_trade's way */
            res = trd_fallback(h->on_trade, args);
        goto done;
    }
    if (PyDict_GET_SIZE(eps)) {
        if (!abs_last_is(S, p)) { /* a new price: episodes it went through end (on_trade's way) */
            res = trd_fallback(h->on_trade, args);
            goto done;
        }
        PyObject *key = PyTuple_Pack(2, ask ? h->ask : h->bid, px);
        if (key == NULL)
            goto done;
        PyObject *ep = PyDict_GetItemWithError(eps, key);
        Py_DECREF(key);
        if (ep != NULL || PyErr_Occurred()) {
            if (ep != NULL) /* an episode there: on_trade's way */
                res = trd_fallback(h->on_trade, args);
            goto done;
        }
    }
    PyObject *a[4] = {px, T, q, Py_True};
    PyObject *vw = abs_trade_args(S, a);
    if (vw == NULL)
        goto done;
    if (vw == Py_NotImplemented) { /* nothing changed: on_trade moves the side to its twin */
        Py_DECREF(vw);
        res = trd_fallback(h->on_trade, args);
        goto done;
    }
    long long v = PyLong_AsLongLong(vw);
    if (v == -1 && PyErr_Occurred()) {
        Py_DECREF(vw);
        goto done;
    }
    if (v == -1) {
        Py_DECREF(vw);
        res = PyList_New(0);
        goto done;
    }
    PyObject *out = PyList_New(0);
    if (out != NULL) {
        PyObject *ta[9] = {sym, S, ask ? h->ask : h->bid, px, T, q, vw, Py_None, out};
        res = PyObject_Vectorcall(h->tracked, ta, 9, NULL);
        Py_DECREF(out);
    }
    Py_DECREF(vw);
done:
    Py_DECREF(S);
    Py_XDECREF(px);
    Py_XDECREF(T);
    Py_XDECREF(q);
    Py_XDECREF(eps);
    return res;
}

static PyObject *trd_abs_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    PyObject *det, *slack, *bid, *ask, *buy, *cls, *synced, *dt, *dp, *dT, *dq;
    if (kw != NULL && PyDict_GET_SIZE(kw)) {
        PyErr_SetString(PyExc_TypeError, "AbsHook takes no keywords");
        return NULL;
    }
    if (!PyArg_ParseTuple(args, "OOOOOO!OOOOO:AbsHook", &det, &slack, &bid, &ask, &buy, &PyType_Type, &cls, &synced,
                          &dt, &dp, &dT, &dq))
        return NULL;
    PyMemberDef *mt = trd_member(dt, cls), *mp = trd_member(dp, cls), *mT = trd_member(dT, cls),
                *mq = trd_member(dq, cls);
    if (mt == NULL || mp == NULL || mT == NULL || mq == NULL || bid == ask) {
        PyErr_SetString(PyExc_ValueError, "AbsHook: the fields' slot descriptors of the trade class, two sides");
        return NULL;
    }
    PyObject *on_trade = PyObject_GetAttrString(det, "on_trade");
    if (on_trade == NULL)
        return NULL;
    PyObject *tracked = PyObject_GetAttrString(det, "_tracked");
    if (tracked == NULL) {
        Py_DECREF(on_trade);
        return NULL;
    }
    trd_AbsHook *h = (trd_AbsHook *)type->tp_alloc(type, 0);
    if (h == NULL) {
        Py_DECREF(on_trade);
        Py_DECREF(tracked);
        return NULL;
    }
    h->vectorcall = (vectorcallfunc)trd_abs_call;
    h->det = Py_NewRef(det);
    h->on_trade = on_trade;
    h->tracked = tracked;
    h->slack = Py_NewRef(slack);
    h->bid = Py_NewRef(bid);
    h->ask = Py_NewRef(ask);
    h->buy = Py_NewRef(buy);
    h->cls = Py_NewRef(cls);
    h->synced = Py_NewRef(synced);
    h->m_taker = mt, h->m_px = mp, h->m_T = mT, h->m_qty = mq;
    h->descs = PyTuple_Pack(4, dt, dp, dT, dq);
    const char *names[TRD_ABS_NAMES] = {"state", "bid", "ask", "depth_t", "stats", "trades", "on_trade_once", "eps"};
    PyObject **slots[TRD_ABS_NAMES] = {&h->s_state, &h->s_bid, &h->s_ask, &h->s_depth_t, &h->s_stats, &h->s_trades,
                                       &h->s_once, &h->s_eps};
    int bad = h->descs == NULL;
    for (int i = 0; i < TRD_ABS_NAMES; i++)
        bad |= (*slots[i] = PyUnicode_InternFromString(names[i])) == NULL;
    if (bad) {
        Py_DECREF(h);
        return NULL;
    }
    return (PyObject *)h;
}

static int trd_abs_traverse(trd_AbsHook *h, visitproc visit, void *arg)
{
    Py_VISIT(h->det);
    Py_VISIT(h->on_trade);
    Py_VISIT(h->tracked);
    Py_VISIT(h->slack);
    Py_VISIT(h->cls);
    Py_VISIT(h->descs);
    return 0;
}

static int trd_abs_clear(trd_AbsHook *h)
{
    Py_CLEAR(h->det);
    Py_CLEAR(h->on_trade);
    Py_CLEAR(h->tracked);
    Py_CLEAR(h->slack);
    Py_CLEAR(h->bid);
    Py_CLEAR(h->ask);
    Py_CLEAR(h->buy);
    Py_CLEAR(h->cls);
    Py_CLEAR(h->synced);
    Py_CLEAR(h->descs);
    PyObject **slots[TRD_ABS_NAMES] = {&h->s_state, &h->s_bid, &h->s_ask, &h->s_depth_t, &h->s_stats, &h->s_trades,
                                       &h->s_once, &h->s_eps};
    for (int i = 0; i < TRD_ABS_NAMES; i++)
        Py_CLEAR(*slots[i]);
    return 0;
}

static void trd_abs_dealloc(trd_AbsHook *h)
{
    PyObject_GC_UnTrack(h);
    trd_abs_clear(h);
    Py_TYPE(h)->tp_free((PyObject *)h);
}

PyTypeObject trd_AbsHookType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "dom.core._native.AbsHook",
    .tp_basicsize = sizeof(trd_AbsHook),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL,
    .tp_doc = "AbsorptionDetector.on_trade's common case without its Python frame (the engine's trade hook)",
    .tp_new = trd_abs_new,
    .tp_dealloc = (destructor)trd_abs_dealloc,
    .tp_traverse = (traverseproc)trd_abs_traverse,
    .tp_clear = (inquiry)trd_abs_clear,
    .tp_vectorcall_offset = offsetof(trd_AbsHook, vectorcall),
    .tp_call = PyVectorcall_Call,
};
