/* The walls' trade hook (symbol_state.trade_hooks; WallDetector.trade_hook() builds one): what the
 * engine calls for each trade in place of WallDetector.on_trade, the same work without its frame.
 *
 *   AtdWallHook(det, walls, trade_cls, taker, px, qty, bid, ask, buy)
 *       det: the detector (its on_trade); walls: its dict of walls by (side, px), mutated in place
 *       and never rebound; trade_cls and the slot descriptors of its taker, px_ticks and
 *       qty_lots; bid, ask: the two BookSide members; buy: TakerSide.BUY.
 *
 * A call hook(sym, trade) gives [] with nothing done while there is no wall; else the wall at the
 * trade's maker side and price (if any) has its traded volume grown by the trade's size, as
 * on_trade's ``w.traded += trade.qty_lots`` (the same in-place add and attribute store: any value
 * as Python takes it). A trade of another class goes to on_trade itself.
 * Every global name here starts with atd_ / ATD_. */
#include "_native_atd.h"

typedef struct {
    PyObject_HEAD
    vectorcallfunc vectorcall;
    PyObject *det, *on_trade, *walls, *trade_cls, *bid, *ask, *buy, *descs, *s_traded;
    PyMemberDef *m_taker, *m_px, *m_qty;
} atd_WallHook;

static PyObject *atd_wall_call(atd_WallHook *h, PyObject *const *args, size_t nargsf, PyObject *kw)
{
    if (PyVectorcall_NARGS(nargsf) != 2 || kw != NULL) {
        PyErr_SetString(PyExc_TypeError, "hook(sym, trade)");
        return NULL;
    }
    PyObject *t = args[1];
    if (Py_TYPE(t) != (PyTypeObject *)h->trade_cls)
        return trd_fallback(h->on_trade, args);
    if (!PyDict_GET_SIZE(h->walls))
        return PyList_New(0);
    PyObject *taker = ATD_SLOT(t, h->m_taker), *px = ATD_SLOT(t, h->m_px), *q = ATD_SLOT(t, h->m_qty);
    if (taker == NULL || px == NULL || q == NULL)
        return trd_fallback(h->on_trade, args); /* (its AttributeError) */
    PyObject *key = PyTuple_Pack(2, taker == h->buy ? h->ask : h->bid, px);
    if (key == NULL)
        return NULL;
    PyObject *w = PyDict_GetItemWithError(h->walls, key);
    Py_DECREF(key);
    if (w == NULL)
        return PyErr_Occurred() ? NULL : PyList_New(0);
    Py_INCREF(w); /* (held: the add below may run Python) */
    PyObject *v = PyObject_GetAttr(w, h->s_traded), *sum = NULL;
    if (v != NULL)
        sum = PyNumber_InPlaceAdd(v, q);
    Py_XDECREF(v);
    int r = sum == NULL ? -1 : PyObject_SetAttr(w, h->s_traded, sum);
    Py_XDECREF(sum);
    Py_DECREF(w);
    return r < 0 ? NULL : PyList_New(0);
}

static PyObject *atd_wall_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    PyObject *det, *walls, *cls, *dt, *dp, *dq, *bid, *ask, *buy;
    if (kw != NULL && PyDict_GET_SIZE(kw)) {
        PyErr_SetString(PyExc_TypeError, "AtdWallHook takes no keywords");
        return NULL;
    }
    if (!PyArg_ParseTuple(args, "OO!O!OOOOOO:AtdWallHook", &det, &PyDict_Type, &walls, &PyType_Type, &cls, &dt, &dp,
                          &dq, &bid, &ask, &buy))
        return NULL;
    PyMemberDef *mt = trd_member(dt, cls), *mp = trd_member(dp, cls), *mq = trd_member(dq, cls);
    if (mt == NULL || mp == NULL || mq == NULL || bid == ask || !PyDict_CheckExact(walls)) {
        PyErr_SetString(PyExc_ValueError, "AtdWallHook: a dict of walls, the fields' slot descriptors of the trade "
                                          "class, two sides");
        return NULL;
    }
    PyObject *on_trade = PyObject_GetAttrString(det, "on_trade");
    if (on_trade == NULL)
        return NULL;
    atd_WallHook *h = (atd_WallHook *)type->tp_alloc(type, 0);
    if (h == NULL) {
        Py_DECREF(on_trade);
        return NULL;
    }
    h->vectorcall = (vectorcallfunc)atd_wall_call;
    h->det = Py_NewRef(det);
    h->on_trade = on_trade;
    h->walls = Py_NewRef(walls);
    h->trade_cls = Py_NewRef(cls);
    h->bid = Py_NewRef(bid);
    h->ask = Py_NewRef(ask);
    h->buy = Py_NewRef(buy);
    h->m_taker = mt, h->m_px = mp, h->m_qty = mq;
    h->descs = PyTuple_Pack(3, dt, dp, dq);
    h->s_traded = PyUnicode_InternFromString("traded");
    if (h->descs == NULL || h->s_traded == NULL) {
        Py_DECREF(h);
        return NULL;
    }
    return (PyObject *)h;
}

#define ATD_WFIELDS(X) X(det) X(on_trade) X(walls) X(trade_cls) X(bid) X(ask) X(buy) X(descs) X(s_traded)

static int atd_wall_traverse(atd_WallHook *h, visitproc visit, void *arg)
{
#define ATD_WVISIT(f) Py_VISIT(h->f);
    ATD_WFIELDS(ATD_WVISIT)
    return 0;
}

static int atd_wall_clear(atd_WallHook *h)
{
#define ATD_WCLEAR(f) Py_CLEAR(h->f);
    ATD_WFIELDS(ATD_WCLEAR)
    return 0;
}

static void atd_wall_dealloc(atd_WallHook *h)
{
    PyObject_GC_UnTrack(h);
    atd_wall_clear(h);
    Py_TYPE(h)->tp_free((PyObject *)h);
}

static PyTypeObject atd_WallHookType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "dom.core._native.AtdWallHook",
    .tp_basicsize = sizeof(atd_WallHook),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL,
    .tp_doc = "WallDetector.on_trade without its Python frame (the engine's trade hook)",
    .tp_new = atd_wall_new,
    .tp_dealloc = (destructor)atd_wall_dealloc,
    .tp_traverse = (traverseproc)atd_wall_traverse,
    .tp_clear = (inquiry)atd_wall_clear,
    .tp_vectorcall_offset = offsetof(atd_WallHook, vectorcall),
    .tp_call = PyVectorcall_Call,
};

int atd_wall_register(PyObject *m)
{
    if (PyType_Ready(&atd_WallHookType) < 0)
        return -1;
    return PyModule_AddObjectRef(m, "AtdWallHook", (PyObject *)&atd_WallHookType);
}
