/* The momentum bursts' trade and depth paths without a Python frame (burst.py: BurstDetector.
 * trade_hook and delta_hook; symbol_state.trade_hooks / delta_hooks bind them).
 *
 *   BurstHook(mode, det, fallback, trades, mids, ev_cls, ev_descs, w_ns[, rule])
 *
 * mode 0: hook(sym, trade), BurstDetector.on_trade; mode 1: hook(sym, delta, changes), its
 * on_delta. The usual event within the current second, with no episode open, changes only the
 * windows: the trades' and the mids' deques slid, the trade added (its second's volume, the
 * window's sum) or the new mid noted, when the window's volume is under what a burst needs or,
 * given the rule's kit (rule: (det.p, FeedState.SYNCED, FeedState.TOP)), when _judge's rule read in
 * full starts no burst (_native_bst_rule.c). The hook does exactly that on the detector's own state
 * (its deques and attributes) after deciding, before any change, that nothing else is to be done;
 * anything else (a second to close, an episode, a burst that starts, a value past its ranges, a
 * book read it does not take) goes to ``fallback`` (the detector's own on_trade / on_delta) with
 * nothing changed. A trade of an earlier second than the current one only slides the windows
 * (on_trade returns before _judge). */
#include "_native_bst.h"

static PyObject *bst_s_sec, *bst_s_ep, *bst_s_wsum, *bst_s_need, *bst_s_last_mid, *bst_s_sec_vol, *bst_s_book,
    *bst_s_bids, *bst_s_asks, *bst_s_index, *bst_s_flat, *bst_s_r, *bst_s_popleft, *bst_s_append;

/* an int attribute of o within +-lim: 1 with *v set, 0 not taken, -1 error */
static int bst_attr(PyObject *o, PyObject *name, long long lim, long long *v)
{
    PyObject *x = PyObject_GetAttr(o, name);
    if (x == NULL)
        return -1;
    int r = in_range_fast(x, lim, v);
    Py_DECREF(x);
    return r;
}

/* How many of deque dq's (t, x) pairs from the left at index `from` on have t <= lo, with the sum
 * of their x (sum != NULL) : >= 0, or -1 not taken (a pair not of exact ints in range) / -2 error */
static Py_ssize_t bst_due(PyObject *dq, Py_ssize_t from, long long lo, long long *sum)
{
    Py_ssize_t n = PySequence_Size(dq), k = 0;
    if (n < 0)
        return -2;
    for (Py_ssize_t i = from; i < n; i++) {
        PyObject *p = PySequence_GetItem(dq, i);
        long long t, x = 0;
        if (p == NULL)
            return -2;
        int ok = PyTuple_CheckExact(p) && PyTuple_GET_SIZE(p) == 2;
        int r = ok ? in_range_fast(PyTuple_GET_ITEM(p, 0), BST_LIM, &t) : 0;
        if (r == 1 && sum != NULL)
            r = in_range_fast(PyTuple_GET_ITEM(p, 1), BST_EXACT, &x);
        Py_DECREF(p);
        if (r < 0)
            return -2;
        if (r == 0)
            return -1;
        if (t > lo)
            break;
        k++;
        if (sum != NULL)
            *sum += x;
    }
    return k;
}

static int bst_pop(PyObject *dq, Py_ssize_t k)
{
    for (Py_ssize_t i = 0; i < k; i++) {
        PyObject *r = PyObject_CallMethodNoArgs(dq, bst_s_popleft);
        if (r == NULL)
            return -1;
        Py_DECREF(r);
    }
    return 0;
}

static int bst_push(PyObject *dq, PyObject *a, PyObject *b)
{
    PyObject *p = PyTuple_Pack(2, a, b), *r;
    if (p == NULL)
        return -1;
    r = PyObject_CallMethodOneArg(dq, bst_s_append, p);
    Py_DECREF(p);
    if (r == NULL)
        return -1;
    Py_DECREF(r);
    return 0;
}

/* a side's best price as BookSideLevels.best_px() gives it while its index is flat: 1 with *px
 * set (*none: no level), 0 not taken, -1 error */
static int bst_best(PyObject *side, long long *px, int *none)
{
    PyObject *idx = PyObject_GetAttr(side, bst_s_index), *flat;
    long long k, r;
    int ok;
    if (idx == NULL)
        return -1;
    flat = PyObject_GetAttr(idx, bst_s_flat);
    Py_DECREF(idx);
    if (flat == NULL)
        return -1;
    if (!PyList_CheckExact(flat)) /* (the tree index: the detector's own way) */
        ok = 0;
    else if ((*none = PyList_GET_SIZE(flat) == 0))
        ok = 1;
    else if ((ok = in_range_fast(PyList_GET_ITEM(flat, PyList_GET_SIZE(flat) - 1), BST_EXACT, &k)) == 1
             && (ok = bst_attr(side, bst_s_r, 1, &r)) == 1)
        *px = r * k;
    Py_DECREF(flat);
    return ok;
}

/* mid2() of sym's book: 1 with *m set (*none: a side empty), 0 not taken, -1 error */
static int bst_mid2(PyObject *sym, long long *m, int *none)
{
    PyObject *book = PyObject_GetAttr(sym, bst_s_book), *b = NULL, *a = NULL;
    long long pb = 0, pa = 0;
    int nb = 0, na = 0, ok = -1;
    if (book == NULL || (b = PyObject_GetAttr(book, bst_s_bids)) == NULL || (a = PyObject_GetAttr(book, bst_s_asks)) == NULL)
        goto done;
    if ((ok = bst_best(b, &pb, &nb)) == 1 && (ok = bst_best(a, &pa, &na)) == 1) {
        *none = nb || na;
        *m = pa + pb;
    }
done:
    Py_XDECREF(book);
    Py_XDECREF(b);
    Py_XDECREF(a);
    return ok;
}

/* 1: the usual event, done; 0: the detector's own method must take it (nothing changed); -1 error */
static int bst_event(bst_Hook *h, PyObject *const *args, PyObject *T, PyObject *qty)
{
    long long t, q = 0, sec, wsum, m = 0, last = 0;
    int none = 1, k;
    if ((k = in_range_fast(T, BST_LIM, &t)) != 1 || t < 0)
        return k < 0 ? -1 : 0;
    if (qty != NULL && (k = in_range_fast(qty, BST_EXACT, &q)) != 1)
        return k;
    if ((k = bst_attr(h->det, bst_s_sec, BST_LIM, &sec)) != 1)
        return k;
    long long s = t / BST_SEC;
    if (s > sec)
        return 0; /* a second to close */
    PyObject *ep = PyObject_GetAttr(h->det, bst_s_ep);
    if (ep == NULL)
        return -1;
    Py_DECREF(ep);
    if (ep != Py_None)
        return 0;
    if ((k = bst_attr(h->det, bst_s_wsum, BST_EXACT, &wsum)) != 1)
        return k;
    if (h->depth) {
        if ((k = bst_mid2(args[0], &m, &none)) != 1 || (k = bst_attr(h->det, bst_s_last_mid, BST_LIM, &last)) != 1)
            return k;
    }
    long long lo = t - h->w_ns, gone = 0;
    Py_ssize_t kt = bst_due(h->trades, 0, lo, &gone), km;
    if (kt < 0)
        return kt == -1 ? 0 : -1;
    /* (the mids keep the one before the window: the pairs from the second on decide) */
    km = PySequence_Size(h->mids) > 1 ? bst_due(h->mids, 1, lo, NULL) : 0;
    if (km < 0)
        return km == -1 ? 0 : -1;
    int adds = qty != NULL && s >= sec;
    int mid = h->depth && !none && m > 0 && m != last;  /* a new mid noted */
    long long after = wsum - gone + (adds ? q : 0);
    if (after < -BST_EXACT || after > BST_EXACT)
        return 0;
    if (h->depth || adds) {  /* (what _judge reads: a trade of an earlier second returns before it) */
        PyObject *need = PyObject_GetAttr(h->det, bst_s_need);
        if (need == NULL)
            return -1;
        int quiet = PyFloat_CheckExact(need) && (double)after < PyFloat_AS_DOUBLE(need);
        int read = PyFloat_CheckExact(need);
        Py_DECREF(need);
        if (!quiet) {  /* the window at a burst's volume: the rule read in full */
            bst_After a = {after, mid ? m : last, mid ? m : 0, km};
            if (!read || (!h->depth && (k = bst_attr(h->det, bst_s_last_mid, BST_LIM, &a.last_mid)) != 1))
                return read ? k : 0;
            if ((k = bst_rule(h, args[0], &a)) != 1)
                return k;
        }
    }
    /* the usual event: the windows slid, then the trade or the mid */
    if (bst_pop(h->trades, kt) < 0 || (kt && set_attr_ll(h->det, bst_s_wsum, wsum - gone) < 0) || bst_pop(h->mids, km) < 0)
        return -1;
    if (adds) {
        long long sv;
        if ((k = bst_attr(h->det, bst_s_sec_vol, BST_LIM, &sv)) != 1)
            return k < 0 ? -1 : (PyErr_SetString(PyExc_OverflowError, "BurstHook: a second's volume out of range"), -1);
        if (set_attr_ll(h->det, bst_s_sec_vol, sv + q) < 0 || bst_push(h->trades, T, qty) < 0
            || set_attr_ll(h->det, bst_s_wsum, after) < 0)
            return -1;
    } else if (mid) {
        PyObject *mo = PyLong_FromLongLong(m);
        if (mo == NULL)
            return -1;
        int r = PyObject_SetAttr(h->det, bst_s_last_mid, mo) < 0 || bst_push(h->mids, T, mo) < 0;
        Py_DECREF(mo);
        if (r)
            return -1;
    }
    return 1;
}

static PyObject *bst_call(bst_Hook *h, PyObject *const *args, size_t nargsf, PyObject *kw)
{
    Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
    if (nargs != 2 + h->depth || kw != NULL) {
        PyErr_SetString(PyExc_TypeError, h->depth ? "hook(sym, delta, changes)" : "hook(sym, trade)");
        return NULL;
    }
    PyObject *e = args[1], *T = NULL, *q = NULL;
    if (Py_TYPE(e) != (PyTypeObject *)h->ev_cls)
        return PyObject_Vectorcall(h->fallback, args, nargs, NULL);
    if ((T = trd_read(e, h->m_T)) == NULL || (!h->depth && (q = trd_read(e, h->m_qty)) == NULL)) {
        Py_XDECREF(T);
        return NULL;
    }
    int k = bst_event(h, args, T, q);
    Py_DECREF(T);
    Py_XDECREF(q);
    if (k < 0)
        return NULL;
    return k ? PyList_New(0) : PyObject_Vectorcall(h->fallback, args, nargs, NULL);
}

static PyObject *bst_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    int mode;
    PyObject *det, *fallback, *trades, *mids, *ev_cls, *ev_descs, *o_w, *rule = NULL;
    long long w;
    if (kw != NULL && PyDict_GET_SIZE(kw)) {
        PyErr_SetString(PyExc_TypeError, "BurstHook takes no keywords");
        return NULL;
    }
    if (!PyArg_ParseTuple(args, "iOOOOO!O!O|O!:BurstHook", &mode, &det, &fallback, &trades, &mids, &PyType_Type,
                          &ev_cls, &PyTuple_Type, &ev_descs, &o_w, &PyTuple_Type, &rule))
        return NULL;
    int ne = mode ? 1 : 2;
    PyMemberDef *mT = NULL, *mq = NULL;
    if ((mode != 0 && mode != 1) || PyTuple_GET_SIZE(ev_descs) != ne || in_range(o_w, BST_LIM, &w) != 1 || w < 0
        || (mT = trd_member(PyTuple_GET_ITEM(ev_descs, 0), ev_cls)) == NULL
        || (!mode && (mq = trd_member(PyTuple_GET_ITEM(ev_descs, 1), ev_cls)) == NULL)) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_ValueError, "BurstHook: mode 0 or 1, two deques, the event's slot descriptors, a window");
        return NULL;
    }
    bst_Hook *h = (bst_Hook *)type->tp_alloc(type, 0);
    if (h == NULL)
        return NULL;
    h->vectorcall = (vectorcallfunc)bst_call;
    h->depth = mode;
    h->det = Py_NewRef(det), h->fallback = Py_NewRef(fallback), h->trades = Py_NewRef(trades);
    h->mids = Py_NewRef(mids), h->ev_cls = Py_NewRef(ev_cls), h->descs = Py_NewRef(ev_descs);
    h->m_T = mT, h->m_qty = mq, h->w_ns = w;
    if (rule != NULL && bst_rule_kit(h, rule) < 0) {
        Py_DECREF(h);
        return NULL;
    }
    return (PyObject *)h;
}

static int bst_traverse(bst_Hook *h, visitproc visit, void *arg)
{
    Py_VISIT(h->det);
    Py_VISIT(h->fallback);
    Py_VISIT(h->trades);
    Py_VISIT(h->mids);
    Py_VISIT(h->ev_cls);
    Py_VISIT(h->descs);
    Py_VISIT(h->p);
    Py_VISIT(h->synced);
    Py_VISIT(h->top);
    return 0;
}

static int bst_clear(bst_Hook *h)
{
    Py_CLEAR(h->det);
    Py_CLEAR(h->fallback);
    Py_CLEAR(h->trades);
    Py_CLEAR(h->mids);
    Py_CLEAR(h->ev_cls);
    Py_CLEAR(h->descs);
    Py_CLEAR(h->p);
    Py_CLEAR(h->synced);
    Py_CLEAR(h->top);
    return 0;
}

static void bst_dealloc(bst_Hook *h)
{
    PyObject_GC_UnTrack(h);
    bst_clear(h);
    Py_TYPE(h)->tp_free((PyObject *)h);
}

static PyTypeObject bst_HookType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "dom.core._native.BurstHook",
    .tp_basicsize = sizeof(bst_Hook),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL,
    .tp_doc = "BurstDetector.on_trade / on_delta without their Python frame for the usual event (the engine's hooks)",
    .tp_new = bst_new,
    .tp_dealloc = (destructor)bst_dealloc,
    .tp_traverse = (traverseproc)bst_traverse,
    .tp_clear = (inquiry)bst_clear,
    .tp_vectorcall_offset = offsetof(bst_Hook, vectorcall),
    .tp_call = PyVectorcall_Call,
};

/* The type ready and added to the module m: 0; -1 with an error set. */
int bst_register(PyObject *m)
{
    PyObject **names[] = {&bst_s_sec, &bst_s_ep, &bst_s_wsum, &bst_s_need, &bst_s_last_mid, &bst_s_sec_vol, &bst_s_book,
                          &bst_s_bids, &bst_s_asks, &bst_s_index, &bst_s_flat, &bst_s_r, &bst_s_popleft, &bst_s_append};
    const char *text[] = {"sec", "ep", "wsum", "need", "last_mid", "sec_vol", "book", "bids", "asks", "_index", "flat",
                          "_r", "popleft", "append"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if ((*names[i] = PyUnicode_InternFromString(text[i])) == NULL)
            return -1;
    if (bst_rule_register() < 0 || PyType_Ready(&bst_HookType) < 0)
        return -1;
    return PyModule_AddObjectRef(m, "BurstHook", (PyObject *)&bst_HookType);
}
