/* Pulled liquidity's depth hook (symbol_state.delta_hooks: what the engine calls for each applied
 * depth message in place of the detector's on_delta):
 *
 *   PullsHook(det, kit, held, delta_py, delta_cls, ts, side_cls)
 *       SpoofDetector.on_delta (dom/core/detectors/spoof.py) without its Python frame: the depth
 *       times moved on (det.depth_t, det.prev_depth_t: places of det.lim), the step window fed (det.steps.observe),
 *       the book's best prices read, the message's work in C (pdh_delta, _native_pulls.c: what
 *       spoof_delta.message does; delta_py where it declines) and det._judge(sym) called only while
 *       a pull waits (det.pulls not empty), a fresh empty list otherwise.
 *
 * What it holds of the detector, read once when made: its bound on_delta and _judge, its pulls
 * list (which the detector empties and refills in place, never replaces), its step window's bound
 * observe (none when det.steps is None), kit (spoof_delta.KIT) and held (det.held: a tuple of 18
 * whose store is a PullStore and last item det.lim, a list of eight; ValueError otherwise, as for
 * a kit that is not a tuple of seven).
 * A message of another class than delta_cls (BookDelta, whose slot descriptor ts_exchange_ns is ts)
 * goes to det.on_delta itself; a book side of another class than side_cls (BookSideLevels) or with
 * no flat index is asked its best_px(). Every global name here starts with pdh_. */
#include "_native_pstore.h"
#include <structmember.h>

typedef struct {
    PyObject_HEAD
    vectorcallfunc vectorcall;
    PyObject *det, *on_delta, *judge, *observe, *pulls, *kit, *held, *delta_py, *delta_cls, *ts, *side_cls;
    PyObject *slack;  /* det.slack (its ns read at each message a pull waits) */
    PyMemberDef *m_ts;
    long long layer, cap;  /* spoof_layer_ms and max(align_slack_ms, spoof_max_wait_ms) in ns; cap < 0: no gate */
} pdh_Hook;

enum { P_book, P_bids, P_asks, P_best_px, P_t, P_ns, P_COUNT };
static const char *PNAMES[P_COUNT] = {"book", "bids", "asks", "best_px", "t", "ns"};
static PyObject *P[P_COUNT];

static int pdh_names(void)
{
    if (P[0] == NULL)
        for (int i = 0; i < P_COUNT; i++)
            if ((P[i] = PyUnicode_InternFromString(PNAMES[i])) == NULL)
                return -1;
    return 0;
}

/* side.best_px() as a new reference (None: an empty side); NULL with an error set. A
 * BookSideLevels with a flat index is read here: its last key, negated on the ask side (the
 * index holds _r * px, _r -1 there). */
static PyObject *pdh_best(pdh_Hook *h, PyObject *side, int ask)
{
    if (Py_TYPE(side) == (PyTypeObject *)h->side_cls) {
        PyObject *idx = PyObject_GetAttr(side, S_index);
        PyObject *flat = idx ? PyObject_GetAttr(idx, S_flat) : NULL;
        Py_XDECREF(idx);
        if (flat == NULL)
            return NULL;
        PyObject *r = NULL;
        if (PyList_CheckExact(flat)) {
            Py_ssize_t n = PyList_GET_SIZE(flat);
            PyObject *k = n ? PyList_GET_ITEM(flat, n - 1) : Py_None;
            if (k == Py_None)
                r = Py_NewRef(Py_None);
            else if (PyLong_CheckExact(k))
                r = ask ? PyNumber_Negative(k) : Py_NewRef(k);
            else
                k = NULL;
            if (k != NULL) {
                Py_DECREF(flat);
                return r;
            }
        }
        Py_DECREF(flat);
    }
    PyObject *av[1] = {side};
    return PyObject_VectorcallMethod(P[P_best_px], av, 1 | PY_VECTORCALL_ARGUMENTS_OFFSET, NULL);
}

/* Would det._judge(sym) judge a pull now (while det.pulls[0].t + layer <= det.depth_t - det._wait())?
 * 1: yes, or it cannot tell (a time or the slack's ns not an exact int within +-2^61, the parameters
 * not such ints): call it; 0: it would return [] having done nothing; -1 with an error set. */
static int pdh_due(pdh_Hook *h, PyObject *lim)
{
    long long t, depth, ns;
    if (h->cap < 0 || PyList_GET_SIZE(h->pulls) == 0)
        return 1;
    PyObject *first = Py_NewRef(PyList_GET_ITEM(h->pulls, 0));
    PyObject *to = PyObject_GetAttr(first, P[P_t]);
    Py_DECREF(first);
    if (to == NULL)
        return -1;
    int k = in_range_fast(to, 1LL << 61, &t);
    Py_DECREF(to);
    if (k <= 0)
        return k < 0 ? -1 : 1;
    PyObject *no = PyObject_GetAttr(h->slack, P[P_ns]);
    if (no == NULL)
        return -1;
    k = in_range_fast(no, 1LL << 61, &ns);
    Py_DECREF(no);
    if (k <= 0)
        return k < 0 ? -1 : 1;
    if (PyList_GET_SIZE(lim) != PDH_LIM)
        return 1;
    if ((k = in_range_fast(PyList_GET_ITEM(lim, PDH_DEPTH), 1LL << 61, &depth)) <= 0)
        return k < 0 ? -1 : 1;
    return t + h->layer <= depth - (ns < h->cap ? ns : h->cap);
}

static PyObject *pdh_call(pdh_Hook *h, PyObject *const *args, size_t nargsf, PyObject *kw)
{
    if (PyVectorcall_NARGS(nargsf) != 3 || kw != NULL) {
        PyErr_SetString(PyExc_TypeError, "hook(sym, delta, changes)");
        return NULL;
    }
    PyObject *sym = args[0], *d = args[1], *changes = args[2];
    if (Py_TYPE(d) != (PyTypeObject *)h->delta_cls)
        return PyObject_Vectorcall(h->on_delta, args, 3, NULL);
    PyObject *now = PyMember_GetOne((const char *)d, h->m_ts), *book = NULL, *sides[2] = {NULL, NULL};
    PyObject *av[6] = {h->det, sym, changes, now, NULL, NULL}, *res = NULL;
    if (now == NULL)
        return NULL;
    /* if now > self.depth_t: self.prev_depth_t = self.depth_t; self.depth_t = now (in det.lim) */
    PyObject *lim = PyTuple_GET_ITEM(h->held, PDH_HELD - 1);
    if (PyList_GET_SIZE(lim) != PDH_LIM) {
        PyErr_SetString(PyExc_ValueError, "det.lim: a list of eight");
        goto done;
    }
    PyObject *dt = PyList_GET_ITEM(lim, PDH_DEPTH);
    long long a, b;
    int gt = in_range_fast(now, 1LL << 62, &a) > 0 && in_range_fast(dt, 1LL << 62, &b) > 0
             ? a > b : PyObject_RichCompareBool(now, dt, Py_GT);
    if (gt < 0 || PyList_GET_SIZE(lim) != PDH_LIM) {  /* (a comparison may run Python) */
        if (gt >= 0)
            PyErr_SetString(PyExc_ValueError, "det.lim: a list of eight");
        goto done;
    }
    if (gt) {
        PyObject *old = PyList_GET_ITEM(lim, PDH_PREV);
        dt = PyList_GET_ITEM(lim, PDH_DEPTH);
        PyList_SET_ITEM(lim, PDH_PREV, dt);  /* (its reference moves) */
        PyList_SET_ITEM(lim, PDH_DEPTH, Py_NewRef(now));
        Py_DECREF(old);
    }
    if (h->observe != Py_None) {  /* self.steps.observe(changes, now) */
        PyObject *got = PyObject_Vectorcall(h->observe, &av[2], 2, NULL);
        if (got == NULL)
            goto done;
        Py_DECREF(got);
    }
    if ((book = PyObject_GetAttr(sym, P[P_book])) == NULL || (sides[0] = PyObject_GetAttr(book, P[P_bids])) == NULL
            || (av[4] = pdh_best(h, sides[0], 0)) == NULL || (sides[1] = PyObject_GetAttr(book, P[P_asks])) == NULL
            || (av[5] = pdh_best(h, sides[1], 1)) == NULL)
        goto done;
    PyObject *got = pdh_delta(av, &PyTuple_GET_ITEM(h->kit, 0), &PyTuple_GET_ITEM(h->held, 0), sides);
    if (got == Py_NotImplemented) {  /* (nothing done: the Python way) */
        Py_DECREF(got);
        got = PyObject_Vectorcall(h->delta_py, av, 6, NULL);
    }
    if (got == NULL)
        goto done;
    Py_DECREF(got);
    int due = PyList_GET_SIZE(h->pulls) ? pdh_due(h, lim) : 0;
    res = due < 0 ? NULL : due ? PyObject_Vectorcall(h->judge, &av[1], 1, NULL) : PyList_New(0);
done:
    Py_DECREF(now);
    Py_XDECREF(book);
    Py_XDECREF(sides[0]);
    Py_XDECREF(sides[1]);
    Py_XDECREF(av[4]);
    Py_XDECREF(av[5]);
    return res;
}

/* det.p's spoof_layer_ms and max(align_slack_ms, spoof_max_wait_ms), in ns, as _judge and _wait read
 * them (det.p is never replaced): *cap left -1 (no gate: _judge called while a pull waits) when they
 * are not exact ints within +-2^40 ms. 0, -1 with an error set. */
static int pdh_waits(PyObject *det, long long *layer, long long *cap)
{
    static const char *names[3] = {"spoof_layer_ms", "align_slack_ms", "spoof_max_wait_ms"};
    long long v[3];
    int ok = 1;
    PyObject *p = PyObject_GetAttrString(det, "p");
    if (p == NULL)
        return -1;
    for (int i = 0; ok > 0 && i < 3; i++) {
        PyObject *x = PyObject_GetAttrString(p, names[i]);
        ok = x == NULL ? -1 : in_range(x, 1LL << 40, &v[i]);
        Py_XDECREF(x);
    }
    Py_DECREF(p);
    if (ok > 0) {
        *layer = v[0] * 1000000LL;
        *cap = (v[1] > v[2] ? v[1] : v[2]) * 1000000LL;
        if (*cap < 0)  /* (a negative cap: min(ns, cap) is it; the gate keeps to what it reads) */
            *cap = -1;
    }
    return ok < 0 ? -1 : 0;
}

static PyObject *pdh_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    PyObject *det, *kit, *held, *delta_py, *cls, *ts, *side_cls;
    if (kw != NULL && PyDict_GET_SIZE(kw)) {
        PyErr_SetString(PyExc_TypeError, "PullsHook takes no keywords");
        return NULL;
    }
    if (!PyArg_ParseTuple(args, "OO!O!OO!OO!:PullsHook", &det, &PyTuple_Type, &kit, &PyTuple_Type, &held, &delta_py,
                          &PyType_Type, &cls, &ts, &PyType_Type, &side_cls))
        return NULL;
    if (pdh_names() < 0)
        return NULL;
    PyMemberDef *m = NULL;
    if (Py_TYPE(ts) == &PyMemberDescr_Type && ((PyMemberDescrObject *)ts)->d_common.d_type == (PyTypeObject *)cls
            && ((PyMemberDescrObject *)ts)->d_member->type == T_OBJECT_EX)
        m = ((PyMemberDescrObject *)ts)->d_member;
    if (m == NULL || !PyTuple_CheckExact(kit) || PyTuple_GET_SIZE(kit) != PDH_KIT || !PyTuple_CheckExact(held)
            || PyTuple_GET_SIZE(held) != PDH_HELD || Py_TYPE(PyTuple_GET_ITEM(held, 0)) != &PStoreType
            || !PyList_CheckExact(PyTuple_GET_ITEM(held, PDH_HELD - 1))
            || PyList_GET_SIZE(PyTuple_GET_ITEM(held, PDH_HELD - 1)) != PDH_LIM
            || !PyCallable_Check(delta_py)) {
        PyErr_SetString(PyExc_ValueError, "PullsHook: the kit, the detector's held (its store a PullStore), "
                                          "delta_py, the message class and its ts_exchange_ns slot descriptor");
        return NULL;
    }
    PyObject *on_delta = PyObject_GetAttrString(det, "on_delta"), *judge = NULL, *pulls = NULL, *steps = NULL;
    PyObject *observe = NULL, *slack = NULL;
    long long layer = 0, cap = -1;
    if (on_delta == NULL || (judge = PyObject_GetAttrString(det, "_judge")) == NULL
            || (pulls = PyObject_GetAttrString(det, "pulls")) == NULL
            || (steps = PyObject_GetAttrString(det, "steps")) == NULL
            || (slack = PyObject_GetAttrString(det, "slack")) == NULL || pdh_waits(det, &layer, &cap) < 0)
        goto fail;
    if (!PyList_CheckExact(pulls)) {
        PyErr_SetString(PyExc_ValueError, "PullsHook: the detector's pulls a list");
        goto fail;
    }
    if ((observe = steps == Py_None ? Py_NewRef(Py_None) : PyObject_GetAttrString(steps, "observe")) == NULL)
        goto fail;
    Py_CLEAR(steps);
    pdh_Hook *h = (pdh_Hook *)type->tp_alloc(type, 0);
    if (h == NULL)
        goto fail;
    h->vectorcall = (vectorcallfunc)pdh_call;
    h->det = Py_NewRef(det);
    h->on_delta = on_delta;
    h->judge = judge;
    h->observe = observe;
    h->pulls = pulls;
    h->kit = Py_NewRef(kit);
    h->held = Py_NewRef(held);
    h->delta_py = Py_NewRef(delta_py);
    h->delta_cls = Py_NewRef(cls);
    h->ts = Py_NewRef(ts);
    h->side_cls = Py_NewRef(side_cls);
    h->slack = slack;
    h->m_ts = m;
    h->layer = layer;
    h->cap = cap;
    return (PyObject *)h;
fail:
    Py_XDECREF(slack);
    Py_XDECREF(on_delta);
    Py_XDECREF(judge);
    Py_XDECREF(pulls);
    Py_XDECREF(steps);
    Py_XDECREF(observe);
    return NULL;
}

static int pdh_traverse(pdh_Hook *h, visitproc visit, void *arg)
{
    Py_VISIT(h->det);
    Py_VISIT(h->on_delta);
    Py_VISIT(h->judge);
    Py_VISIT(h->observe);
    Py_VISIT(h->pulls);
    Py_VISIT(h->kit);
    Py_VISIT(h->held);
    Py_VISIT(h->delta_py);
    Py_VISIT(h->delta_cls);
    Py_VISIT(h->ts);
    Py_VISIT(h->side_cls);
    Py_VISIT(h->slack);
    return 0;
}

static int pdh_clear(pdh_Hook *h)
{
    Py_CLEAR(h->det);
    Py_CLEAR(h->on_delta);
    Py_CLEAR(h->judge);
    Py_CLEAR(h->observe);
    Py_CLEAR(h->pulls);
    Py_CLEAR(h->kit);
    Py_CLEAR(h->held);
    Py_CLEAR(h->delta_py);
    Py_CLEAR(h->delta_cls);
    Py_CLEAR(h->ts);
    Py_CLEAR(h->side_cls);
    Py_CLEAR(h->slack);
    return 0;
}

static void pdh_dealloc(pdh_Hook *h)
{
    PyObject_GC_UnTrack(h);
    pdh_clear(h);
    Py_TYPE(h)->tp_free((PyObject *)h);
}

PyTypeObject pdh_HookType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "dom.core._native.PullsHook",
    .tp_basicsize = sizeof(pdh_Hook),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL,
    .tp_doc = "SpoofDetector.on_delta without its Python frame (the engine's depth hook)",
    .tp_new = pdh_new,
    .tp_dealloc = (destructor)pdh_dealloc,
    .tp_traverse = (traverseproc)pdh_traverse,
    .tp_clear = (inquiry)pdh_clear,
    .tp_vectorcall_offset = offsetof(pdh_Hook, vectorcall),
    .tp_call = PyVectorcall_Call,
};
