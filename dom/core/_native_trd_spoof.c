/* Pulled liquidity's trade hook (see _native_trd_hook.c for what a hook is):
 *
 *   SpoofHook(det, slack, bid, ask, buy, trade_cls, synced, tape_cls, deque_cls, taker, px, T, qty)
 *       SpoofDetector.on_trade: while sym.state is synced, the trade appended to the maker side's
 *       TakerTape in det.trades (its deque q; last_desc noted for a trade out of time order), and
 *       the slack (shared with absorption: on_trade_once with the engine's count) fed against
 *       det.depth_t when that is set (read as det.lim[6], spoof.LIM_DEPTH, where lim is its list of 8). */
#include "_native_trd.h"

typedef struct {
    PyObject_HEAD
    vectorcallfunc vectorcall;
    PyObject *det, *on_trade; /* the detector and its bound on_trade */
    PyObject *slack, *bid, *ask, *buy, *cls, *synced, *tape_cls, *deque_cls;
    PyMemberDef *m_taker, *m_px, *m_T, *m_qty;
    PyObject *descs;
    PyObject *s_state, *s_trades, *s_q, *s_popped, *s_last_desc, *s_append, *s_depth_t, *s_stats, *s_trades_n,
        *s_once, *s_lim;
} trd_SpoofHook;

/* slack.on_trade_once(n, depth_t, T): in C for a Slack with no twin and numbers it takes. */
int trd_once(PyObject *slack, PyObject *name, PyObject *n, PyObject *depth_t, PyObject *T)
{
    trd_Slack *s = (trd_Slack *)slack;
    long long v[3];
    if (Py_TYPE(slack) == &trd_SlackType && s->twin == NULL) {
        int ok = in_range(n, TRD_LIM, &v[0]);
        if (ok > 0 && (ok = in_range(depth_t, TRD_LIM, &v[1])) > 0)
            ok = in_range(T, TRD_LIM, &v[2]);
        if (ok < 0)
            return -1;
        if (ok) {
            if (v[0] != s->last) {
                s->last = v[0] - 1;
                trd_slack_trade(s, v[1] - v[2]);
            }
            return 0;
        }
    }
    PyObject *a[4] = {slack, n, depth_t, T};
    PyObject *r = PyObject_VectorcallMethod(name, a, 4, NULL);
    Py_XDECREF(r);
    return r == NULL ? -1 : 0;
}

static PyObject *trd_spoof_call(trd_SpoofHook *h, PyObject *const *args, size_t nargsf, PyObject *kw)
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
    PyObject *trades = NULL, *tape = NULL, *q = NULL, *T = NULL, *px = NULL, *qty = NULL, *res = NULL, *taker;
    if ((trades = PyObject_GetAttr(h->det, h->s_trades)) == NULL)
        return NULL;
    if (!PyDict_CheckExact(trades)) {
        Py_DECREF(trades);
        return trd_fallback(h->on_trade, args);
    }
    if ((taker = trd_read(t, h->m_taker)) == NULL)
        goto done;
    tape = PyDict_GetItemWithError(trades, taker == h->buy ? h->ask : h->bid); /* (borrowed) */
    Py_DECREF(taker);
    if (tape == NULL) {
        if (!PyErr_Occurred())
            res = trd_fallback(h->on_trade, args); /* (its KeyError) */
        goto done;
    }
    Py_INCREF(tape);
    if (Py_TYPE(tape) != (PyTypeObject *)h->tape_cls || (q = PyObject_GetAttr(tape, h->s_q)) == NULL
        || Py_TYPE(q) != (PyTypeObject *)h->deque_cls) {
        if (!PyErr_Occurred())
            res = trd_fallback(h->on_trade, args);
        goto done;
    }
    if ((T = trd_read(t, h->m_T)) == NULL || (px = trd_read(t, h->m_px)) == NULL || (qty = trd_read(t, h->m_qty)) == NULL)
        goto done;
    Py_ssize_t n = PyObject_Size(q);
    if (n < 0)
        goto done;
    if (n) { /* (TakerTape.append: a trade out of T order noted) */
        PyObject *last = PySequence_GetItem(q, n - 1);
        if (last == NULL)
            goto done;
        PyObject *l0 = PySequence_GetItem(last, 0);
        Py_DECREF(last);
        if (l0 == NULL)
            goto done;
        int lt = PyObject_RichCompareBool(T, l0, Py_LT);
        Py_DECREF(l0);
        if (lt < 0)
            goto done;
        if (lt) {
            PyObject *popped = PyObject_GetAttr(tape, h->s_popped), *len = PyLong_FromSsize_t(n), *at = NULL;
            if (popped != NULL && len != NULL)
                at = PyNumber_Add(popped, len);
            Py_XDECREF(popped);
            Py_XDECREF(len);
            if (at == NULL || PyObject_SetAttr(tape, h->s_last_desc, at) < 0) {
                Py_XDECREF(at);
                goto done;
            }
            Py_DECREF(at);
        }
    }
    PyObject *tq = PyTuple_Pack(3, T, px, qty);
    if (tq == NULL)
        goto done;
    PyObject *r = PyObject_CallMethodOneArg(q, h->s_append, tq);
    Py_DECREF(tq);
    if (r == NULL)
        goto done;
    Py_DECREF(r);
    /* det.depth_t: det.lim's item 6 (spoof.LIM_DEPTH) where lim is the detector's list of 8 */
    PyObject *lim = PyObject_GetAttr(h->det, h->s_lim), *depth_t;
    if (lim == NULL) {
        if (!PyErr_ExceptionMatches(PyExc_AttributeError))
            goto done;
        PyErr_Clear();
    }
    if (lim != NULL && PyList_CheckExact(lim) && PyList_GET_SIZE(lim) == 8)
        depth_t = Py_NewRef(PyList_GET_ITEM(lim, 6));
    else
        depth_t = PyObject_GetAttr(h->det, h->s_depth_t);
    Py_XDECREF(lim);
    if (depth_t == NULL)
        goto done;
    int any = PyObject_IsTrue(depth_t);
    if (any > 0) {
        PyObject *stats = PyObject_GetAttr(sym, h->s_stats), *count = NULL;
        if (stats != NULL)
            count = PyObject_GetAttr(stats, h->s_trades_n);
        Py_XDECREF(stats);
        if (count == NULL || trd_once(h->slack, h->s_once, count, depth_t, T) < 0)
            any = -1;
        Py_XDECREF(count);
    }
    Py_DECREF(depth_t);
    if (any >= 0)
        res = PyList_New(0);
done:
    Py_DECREF(trades);
    Py_XDECREF(tape);
    Py_XDECREF(q);
    Py_XDECREF(T);
    Py_XDECREF(px);
    Py_XDECREF(qty);
    return res;
}

static PyObject *trd_spoof_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    PyObject *det, *slack, *bid, *ask, *buy, *cls, *synced, *tape_cls, *deque_cls, *dt, *dp, *dT, *dq;
    if (kw != NULL && PyDict_GET_SIZE(kw)) {
        PyErr_SetString(PyExc_TypeError, "SpoofHook takes no keywords");
        return NULL;
    }
    if (!PyArg_ParseTuple(args, "OOOOOO!OO!O!OOOO:SpoofHook", &det, &slack, &bid, &ask, &buy, &PyType_Type, &cls,
                          &synced, &PyType_Type, &tape_cls, &PyType_Type, &deque_cls, &dt, &dp, &dT, &dq))
        return NULL;
    PyMemberDef *mt = trd_member(dt, cls), *mp = trd_member(dp, cls), *mT = trd_member(dT, cls),
                *mq = trd_member(dq, cls);
    if (mt == NULL || mp == NULL || mT == NULL || mq == NULL || bid == ask) {
        PyErr_SetString(PyExc_ValueError, "SpoofHook: the fields' slot descriptors of the trade class, two sides");
        return NULL;
    }
    PyObject *on_trade = PyObject_GetAttrString(det, "on_trade");
    if (on_trade == NULL)
        return NULL;
    trd_SpoofHook *h = (trd_SpoofHook *)type->tp_alloc(type, 0);
    if (h == NULL) {
        Py_DECREF(on_trade);
        return NULL;
    }
    h->vectorcall = (vectorcallfunc)trd_spoof_call;
    h->det = Py_NewRef(det);
    h->on_trade = on_trade;
    h->slack = Py_NewRef(slack);
    h->bid = Py_NewRef(bid);
    h->ask = Py_NewRef(ask);
    h->buy = Py_NewRef(buy);
    h->cls = Py_NewRef(cls);
    h->synced = Py_NewRef(synced);
    h->tape_cls = Py_NewRef(tape_cls);
    h->deque_cls = Py_NewRef(deque_cls);
    h->m_taker = mt, h->m_px = mp, h->m_T = mT, h->m_qty = mq;
    h->descs = PyTuple_Pack(4, dt, dp, dT, dq);
    const char *names[] = {"state", "trades", "q", "popped", "last_desc", "append", "depth_t", "stats", "trades",
                           "on_trade_once", "lim"};
    PyObject **slots[] = {&h->s_state, &h->s_trades, &h->s_q, &h->s_popped, &h->s_last_desc, &h->s_append,
                          &h->s_depth_t, &h->s_stats, &h->s_trades_n, &h->s_once, &h->s_lim};
    for (int i = 0; i < 11; i++)
        *slots[i] = PyUnicode_InternFromString(names[i]);
    for (int i = 0; i < 11; i++)
        if (*slots[i] == NULL || h->descs == NULL) {
            Py_DECREF(h);
            return NULL;
        }
    return (PyObject *)h;
}

static int trd_spoof_traverse(trd_SpoofHook *h, visitproc visit, void *arg)
{
    Py_VISIT(h->det);
    Py_VISIT(h->on_trade);
    Py_VISIT(h->slack);
    Py_VISIT(h->cls);
    Py_VISIT(h->tape_cls);
    Py_VISIT(h->deque_cls);
    Py_VISIT(h->descs);
    return 0;
}

static int trd_spoof_clear(trd_SpoofHook *h)
{
    Py_CLEAR(h->det);
    Py_CLEAR(h->on_trade);
    Py_CLEAR(h->slack);
    Py_CLEAR(h->bid);
    Py_CLEAR(h->ask);
    Py_CLEAR(h->buy);
    Py_CLEAR(h->cls);
    Py_CLEAR(h->synced);
    Py_CLEAR(h->tape_cls);
    Py_CLEAR(h->deque_cls);
    Py_CLEAR(h->descs);
    PyObject **slots[] = {&h->s_state, &h->s_trades, &h->s_q, &h->s_popped, &h->s_last_desc, &h->s_append,
                          &h->s_depth_t, &h->s_stats, &h->s_trades_n, &h->s_once, &h->s_lim};
    for (int i = 0; i < 11; i++)
        Py_CLEAR(*slots[i]);
    return 0;
}

static void trd_spoof_dealloc(trd_SpoofHook *h)
{
    PyObject_GC_UnTrack(h);
    trd_spoof_clear(h);
    Py_TYPE(h)->tp_free((PyObject *)h);
}

PyTypeObject trd_SpoofHookType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "dom.core._native.SpoofHook",
    .tp_basicsize = sizeof(trd_SpoofHook),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL,
    .tp_doc = "SpoofDetector.on_trade without its Python frame (the engine's trade hook)",
    .tp_new = trd_spoof_new,
    .tp_dealloc = (destructor)trd_spoof_dealloc,
    .tp_traverse = (traverseproc)trd_spoof_traverse,
    .tp_clear = (inquiry)trd_spoof_clear,
    .tp_vectorcall_offset = offsetof(trd_SpoofHook, vectorcall),
    .tp_call = PyVectorcall_Call,
};
