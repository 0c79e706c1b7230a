/* What the engine calls for each trade in place of a detector's on_trade where that is a thin
 * wrapper around C structures (symbol_state.trade_hooks; the detector's trade_hook() builds one):
 * the same work, without the Python frame. Each hook gives exactly what its detector's on_trade
 * gives, and calls that on_trade itself for anything it does not take (a trade that is not a
 * plain Trade, a value its C structures decline, the detector's state moved to its twin).
 *
 *   IceHook(det, through_bid, through_ask, slack, bid, ask, buy, trade_cls, taker, px, T, qty)
 *       IcebergDetector.on_trade: the trade waits in det.wait (an IceWait: ice_trade_args), its
 *       volume is added to the side's table of traded volume (through_bid / through_ask, the
 *       dicts of det.through), the slack (a Slack) takes its lag against det.depth_t. taker..qty:
 *       the member descriptors of trade_cls's fields, read through directly.
 *
 * Pulled liquidity's (SpoofHook) is in _native_trd_spoof.c. */
#include "_native_ice.h"
#include "_native_trd.h"

typedef struct {
    PyObject_HEAD
    vectorcallfunc vectorcall;
    PyObject *det, *on_trade; /* the detector and its bound on_trade */
    PyObject *tb, *ta, *slack, *bid, *ask, *buy, *cls;
    PyMemberDef *m_taker, *m_px, *m_T, *m_qty;
    PyObject *descs; /* the four descriptors (kept alive: the PyMemberDefs are theirs) */
    PyObject *s_wait, *s_depth_t, *s_on_trade;
} trd_IceHook;

PyObject *trd_fallback(PyObject *on_trade, PyObject *const *args)
{
    return PyObject_Vectorcall(on_trade, args, 2, NULL);
}

/* The descriptor's PyMemberDef: an object slot (what a slotted dataclass's fields are), or NULL. */
PyMemberDef *trd_member(PyObject *d, PyObject *cls)
{
    if (Py_TYPE(d) != &PyMemberDescr_Type)
        return NULL;
    PyMemberDescrObject *m = (PyMemberDescrObject *)d;
    if (m->d_common.d_type != (PyTypeObject *)cls || m->d_member->type != T_OBJECT_EX)
        return NULL;
    return m->d_member;
}

/* a new reference to the slot's object, or NULL with an error set (an unset slot) */
PyObject *trd_read(PyObject *obj, PyMemberDef *m)
{
    return PyMember_GetOne((const char *)obj, m);
}

/* (The volume table's sum at px plus qty, as Python's d[px] = d.get(px, 0) + qty.) */
static int trd_add(PyObject *d, PyObject *px, PyObject *qty)
{
    PyObject *v = PyDict_GetItemWithError(d, px);
    if (v == NULL && PyErr_Occurred())
        return -1;
    PyObject *sum = v == NULL ? Py_NewRef(qty) : PyNumber_Add(v, qty);
    if (sum == NULL)
        return -1;
    int r = PyDict_SetItem(d, px, sum);
    Py_DECREF(sum);
    return r;
}

static PyObject *trd_ice_call(trd_IceHook *h, PyObject *const *args, size_t nargsf, PyObject *kw)
{
    Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
    if (nargs != 2 || kw != NULL) {
        PyErr_SetString(PyExc_TypeError, "hook(sym, trade)");
        return NULL;
    }
    PyObject *t = args[1];
    if (Py_TYPE(t) != (PyTypeObject *)h->cls)
        return trd_fallback(h->on_trade, args);
    PyObject *wait = PyObject_GetAttr(h->det, h->s_wait);
    if (wait == NULL)
        return NULL;
    if (Py_TYPE(wait) != &IceWaitType) { /* (moved to its twin) */
        Py_DECREF(wait);
        return trd_fallback(h->on_trade, args);
    }
    PyObject *v[4] = {NULL, NULL, NULL, NULL}, *res = NULL; /* side, px, T, qty */
    PyObject *taker = trd_read(t, h->m_taker);
    if (taker == NULL || (v[1] = trd_read(t, h->m_px)) == NULL || (v[2] = trd_read(t, h->m_T)) == NULL
        || (v[3] = trd_read(t, h->m_qty)) == NULL)
        goto done;
    int ask = taker == h->buy;
    v[0] = ask ? h->ask : h->bid;
    PyObject *r = ice_trade_args(wait, v);
    if (r == NULL)
        goto done;
    if (r == Py_NotImplemented) { /* nothing changed: the detector's own way (it moves to the twin) */
        Py_DECREF(r);
        res = trd_fallback(h->on_trade, args);
        goto done;
    }
    Py_DECREF(r);
    if (trd_add(ask ? h->ta : h->tb, v[1], v[3]) < 0)
        goto done;
    PyObject *depth_t = PyObject_GetAttr(h->det, h->s_depth_t);
    if (depth_t == NULL)
        goto done;
    trd_Slack *s = (trd_Slack *)h->slack;
    long long d, T;
    int ok = Py_TYPE(h->slack) == &trd_SlackType && s->twin == NULL && s->last < TRD_LIM;
    if (ok && ((ok = in_range(depth_t, TRD_LIM, &d)) < 0 || (ok && (ok = in_range(v[2], TRD_LIM, &T)) < 0))) {
        Py_DECREF(depth_t);
        goto done;
    }
    if (ok) {
        trd_slack_trade(s, d - T);
    } else { /* the slack's own method (its twin takes what C does not) */
        PyObject *a[3] = {h->slack, depth_t, v[2]};
        r = PyObject_VectorcallMethod(h->s_on_trade, a, 3, NULL);
        if (r == NULL) {
            Py_DECREF(depth_t);
            goto done;
        }
        Py_DECREF(r);
    }
    Py_DECREF(depth_t);
    res = PyList_New(0);
done:
    Py_DECREF(wait);
    Py_XDECREF(taker);
    Py_XDECREF(v[1]);
    Py_XDECREF(v[2]);
    Py_XDECREF(v[3]);
    return res;
}

static PyObject *trd_ice_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    PyObject *det, *tb, *ta, *slack, *bid, *ask, *buy, *cls, *dt, *dp, *dT, *dq;
    if (kw != NULL && PyDict_GET_SIZE(kw)) {
        PyErr_SetString(PyExc_TypeError, "IceHook takes no keywords");
        return NULL;
    }
    if (!PyArg_ParseTuple(args, "OO!O!OOOOO!OOOO:IceHook", &det, &PyDict_Type, &tb, &PyDict_Type, &ta, &slack,
                          &bid, &ask, &buy, &PyType_Type, &cls, &dt, &dp, &dT, &dq))
        return NULL;
    PyMemberDef *mt = trd_member(dt, cls), *mp = trd_member(dp, cls), *mT = trd_member(dT, cls),
                *mq = trd_member(dq, cls);
    if (mt == NULL || mp == NULL || mT == NULL || mq == NULL || bid == ask) {
        PyErr_SetString(PyExc_ValueError, "IceHook: the fields' slot descriptors of the trade class, two sides");
        return NULL;
    }
    PyObject *on_trade = PyObject_GetAttrString(det, "on_trade");
    if (on_trade == NULL)
        return NULL;
    trd_IceHook *h = (trd_IceHook *)type->tp_alloc(type, 0);
    if (h == NULL) {
        Py_DECREF(on_trade);
        return NULL;
    }
    h->vectorcall = (vectorcallfunc)trd_ice_call;
    h->det = Py_NewRef(det);
    h->on_trade = on_trade;
    h->tb = Py_NewRef(tb);
    h->ta = Py_NewRef(ta);
    h->slack = Py_NewRef(slack);
    h->bid = Py_NewRef(bid);
    h->ask = Py_NewRef(ask);
    h->buy = Py_NewRef(buy);
    h->cls = Py_NewRef(cls);
    h->m_taker = mt, h->m_px = mp, h->m_T = mT, h->m_qty = mq;
    h->descs = PyTuple_Pack(4, dt, dp, dT, dq);
    h->s_wait = PyUnicode_InternFromString("wait");
    h->s_depth_t = PyUnicode_InternFromString("depth_t");
    h->s_on_trade = PyUnicode_InternFromString("on_trade");
    if (h->descs == NULL || h->s_wait == NULL || h->s_depth_t == NULL || h->s_on_trade == NULL) {
        Py_DECREF(h);
        return NULL;
    }
    return (PyObject *)h;
}

static int trd_ice_traverse(trd_IceHook *h, visitproc visit, void *arg)
{
    Py_VISIT(h->det);
    Py_VISIT(h->on_trade);
    Py_VISIT(h->tb);
    Py_VISIT(h->ta);
    Py_VISIT(h->slack);
    Py_VISIT(h->cls);
    Py_VISIT(h->descs);
    return 0;
}

static int trd_ice_clear(trd_IceHook *h)
{
    Py_CLEAR(h->det);
    Py_CLEAR(h->on_trade);
    Py_CLEAR(h->tb);
    Py_CLEAR(h->ta);
    Py_CLEAR(h->slack);
    Py_CLEAR(h->bid);
    Py_CLEAR(h->ask);
    Py_CLEAR(h->buy);
    Py_CLEAR(h->cls);
    Py_CLEAR(h->descs);
    Py_CLEAR(h->s_wait);
    Py_CLEAR(h->s_depth_t);
    Py_CLEAR(h->s_on_trade);
    return 0;
}

static void trd_ice_dealloc(trd_IceHook *h)
{
    PyObject_GC_UnTrack(h);
    trd_ice_clear(h);
    Py_TYPE(h)->tp_free((PyObject *)h);
}

PyTypeObject trd_IceHookType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "dom.core._native.IceHook",
    .tp_basicsize = sizeof(trd_IceHook),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL,
    .tp_doc = "IcebergDetector.on_trade without its Python frame (the engine's trade hook)",
    .tp_new = trd_ice_new,
    .tp_dealloc = (destructor)trd_ice_dealloc,
    .tp_traverse = (traverseproc)trd_ice_traverse,
    .tp_clear = (inquiry)trd_ice_clear,
    .tp_vectorcall_offset = offsetof(trd_IceHook, vectorcall),
    .tp_call = PyVectorcall_Call,
};
