/* Absorption's depth hook (symbol_state.delta_hooks; AbsorptionDetector.delta_hook() builds one):
 * what the engine calls for each applied depth message in place of AbsorptionDetector.on_delta,
 * the same work without the Python frame on the messages that need no Python.
 *
 *   AbsHook(det, delta_cls, ts, ep_cls, bid, ask, deque_cls)
 *       det: the detector (its on_delta, the one truth, its _judge and _tick; its eps, a dict it mutates
 *       in place and never rebinds; its slack, never rebound; its w_ns, fixed); delta_cls, ts:
 *       BookDelta and its ts_exchange_ns slot descriptor; ep_cls: the episode class (_Episode,
 *       with slots: the hook reads and writes them through their descriptors); bid, ask: the two
 *       BookSide members; deque_cls: collections.deque (an episode's pending messages).
 *
 * A call hook(sym, delta, changes) moves det.depth_t on, calls det._tick(sym, now) where a second of
 * the grid is due (now >= det.next_sample_ns: the sample, in Python), as on_delta begins; then does
 * the rest of on_delta's work in C when every open episode is one followed closely that nothing is
 * to be decided about: not announced, not crossed, still trading (now - last_trade_ns <= w_ns):
 * per episode (eps' order) the message queued for judging
 * ((last_d, now, last_q, shown), shown the level's size in the book now), last_d, last_q and
 * max_q updated and the messages up to the watermark (now - det.slack.ns) judged: each adds its
 * positive volume balance to refill_lb (_judge's loop for an episode not announced). A queued
 * message or a trade time this does not read as exact ints within its limits hands that episode's
 * judgement, from that message on, to det._judge itself. Anything else (a delta of another class,
 * a time, det.depth_t or det.next_sample_ns not an exact int within +-2^62) goes to det.on_delta
 * before anything is changed; an episode announced, crossed or gone quiet, more than ADH_MAX
 * episodes or a value there that is not an exact int within its limits, to det.on_delta after the
 * depth time and the sample (which it then finds done: the rest of its work is the same).
 * (The episodes are read and judged in _native_adh_ep.c; what both share is _native_adh.h.)
 * Every global name here starts with adh_ / ADH_. */
#include "_native_adh.h"

static const char *ADH_ENAMES[E_COUNT] = {"side", "px", "t0", "last_trade_ns", "last_q", "last_d", "max_q",
                                          "refill_lb", "times", "cum", "msgs", "cross_ns", "announced"};
enum { A_NEXT, A_DEPTH, A_NS, A_BOOK, A_BIDS, A_ASKS, A_LEVELS, A_COUNT };
static const char *ADH_ANAMES[A_COUNT] = {"next_sample_ns", "depth_t", "ns", "book", "bids", "asks", "levels"};
static PyObject *adh_s[A_COUNT];

/* The slot descriptor's PyMemberDef (an object slot of cls), or NULL. */
static PyMemberDef *adh_member(PyObject *d, PyObject *cls)
{
    if (d == NULL || Py_TYPE(d) != &PyMemberDescr_Type)
        return NULL;
    PyMemberDescrObject *m = (PyMemberDescrObject *)d;
    if (m->d_common.d_type != (PyTypeObject *)cls || m->d_member->type != T_OBJECT_EX)
        return NULL;
    return m->d_member;
}

#define adh_attr_int attr_in_range

static PyObject *adh_call(adh_Hook *h, PyObject *const *args, size_t nargsf, PyObject *kw)
{
    if (PyVectorcall_NARGS(nargsf) != 3 || kw != NULL) {
        PyErr_SetString(PyExc_TypeError, "hook(sym, delta, changes)");
        return NULL;
    }
    PyObject *sym = args[0], *d = args[1];
    if (Py_TYPE(d) != (PyTypeObject *)h->delta_cls)
        return PyObject_Vectorcall(h->on_delta, args, 3, NULL);
    PyObject *now_o = PyMember_GetOne((const char *)d, h->m_ts), *res = NULL, *mark_o = NULL;
    PyObject *book = NULL, *sides[2] = {NULL, NULL}, *lv[2] = {NULL, NULL};
    PyObject *keys[ADH_MAX], *eps_[ADH_MAX], *shown[ADH_MAX];
    Py_ssize_t n = 0;
    long long now, next, dt, ns;
    int r, py = 1; /* py: the message to on_delta */
    if (now_o == NULL)
        return NULL;
    if ((r = adh_int(now_o, ADH_T, &now)) <= 0 || (r = adh_attr_int(h->det, adh_s[A_NEXT], ADH_T, &next)) <= 0
        || (r = adh_attr_int(h->det, adh_s[A_DEPTH], ADH_T, &dt)) <= 0)
        goto decide;
    /* as on_delta begins: the depth time moved on, the sample taken where a second is due (on_delta
     * called past here finds them done) */
    if (now > dt && PyObject_SetAttr(h->det, adh_s[A_DEPTH], now_o) < 0) {
        r = -1;
        goto decide;
    }
    if (now >= next) {
        PyObject *tv[2] = {sym, now_o}, *got = PyObject_Vectorcall(h->tick, tv, 2, NULL);
        if (got == NULL) {
            r = -1;
            goto decide;
        }
        Py_DECREF(got);
    }
    Py_ssize_t k = PyDict_GET_SIZE(h->eps);
    if (k > ADH_MAX)
        goto decide;
    if (k) {
        if ((r = adh_attr_int(h->slack, adh_s[A_NS], ADH_T, &ns)) <= 0)
            goto decide;
        r = -1;
        if ((book = PyObject_GetAttr(sym, adh_s[A_BOOK])) == NULL
            || (sides[0] = PyObject_GetAttr(book, adh_s[A_BIDS])) == NULL
            || (sides[1] = PyObject_GetAttr(book, adh_s[A_ASKS])) == NULL
            || (lv[0] = PyObject_GetAttr(sides[0], adh_s[A_LEVELS])) == NULL
            || (lv[1] = PyObject_GetAttr(sides[1], adh_s[A_LEVELS])) == NULL)
            goto decide;
        r = 0;
        if (!PyDict_CheckExact(lv[0]) || !PyDict_CheckExact(lv[1]))
            goto decide;
        Py_ssize_t pos = 0;
        PyObject *key, *ep;
        while (PyDict_Next(h->eps, &pos, &key, &ep)) {
            if (n == ADH_MAX)
                goto decide;
            keys[n] = Py_NewRef(key);  /* (held before anything is read: a level's key compared may run Python) */
            eps_[n] = Py_NewRef(ep);
            shown[n++] = NULL;
            if ((r = adh_takes(h, ep, now, lv, &shown[n - 1])) <= 0)
                goto decide;
        }
        if ((mark_o = PyLong_FromLongLong(now - ns)) == NULL) {
            r = -1;
            goto decide;
        }
    }
    py = 0;
    int judged = 0; /* (a _judge called: Python ran) */
    if ((res = PyList_New(0)) == NULL)
        goto done;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *ep = eps_[i];
        long long q, mq;
        /* (as read before, unless a _judge called since changed it: refused then) */
        int ready = judged ? adh_ready(h, ep) : 1;
        if (ready <= 0 || adh_int(shown[i], ADH_Q, &q) <= 0 || adh_int(ADH_SLOT(ep, h->m[E_MAX_Q]), ADH_Q, &mq) <= 0) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_RuntimeError, "AbsHook: an episode changed while a message was handled");
            goto fail;
        }
        PyObject *msgs = ADH_SLOT(ep, h->m[E_MSGS]);
        /* msgs.append((ep.last_d, now, ep.last_q, shown)); ep.last_d, ep.last_q = now, shown */
        PyObject *t = PyTuple_Pack(4, ADH_SLOT(ep, h->m[E_LAST_D]), now_o, ADH_SLOT(ep, h->m[E_LAST_Q]), shown[i]);
        if (t == NULL)
            goto fail;
        PyObject *av[2] = {msgs, t}, *got = PyObject_Vectorcall(h->append, av, 2, NULL);
        Py_DECREF(t);
        if (got == NULL)
            goto fail;
        Py_DECREF(got);
        Py_XSETREF(ADH_SLOT(ep, h->m[E_LAST_D]), Py_NewRef(now_o));
        Py_XSETREF(ADH_SLOT(ep, h->m[E_LAST_Q]), Py_NewRef(shown[i]));
        if (q > mq)
            Py_XSETREF(ADH_SLOT(ep, h->m[E_MAX_Q]), Py_NewRef(shown[i]));
        int j = adh_judge(h, ep, now - ns);
        if (j < 0)
            goto fail;
        if (j == 0) { /* if self._judge(sym, ep, mark, out): del self.eps[key] */
            judged = 1;
            PyObject *jv[4] = {sym, ep, mark_o, res};
            got = PyObject_Vectorcall(h->judge, jv, 4, NULL);
            int ended = got == NULL ? -1 : PyObject_IsTrue(got);
            Py_XDECREF(got);
            if (ended < 0 || (ended && PyDict_DelItem(h->eps, keys[i]) < 0))
                goto fail;
        }
    }
    goto done;
fail:
    Py_CLEAR(res);
    goto done;
decide:
    if (r < 0)
        py = -1;
done:
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_DECREF(keys[i]);
        Py_DECREF(eps_[i]);
        Py_XDECREF(shown[i]);
    }
    Py_XDECREF(mark_o);
    Py_XDECREF(book);
    Py_XDECREF(sides[0]);
    Py_XDECREF(sides[1]);
    Py_XDECREF(lv[0]);
    Py_XDECREF(lv[1]);
    Py_DECREF(now_o);
    if (py > 0)
        return PyObject_Vectorcall(h->on_delta, args, 3, NULL);
    return res; /* (py < 0: NULL, the error set) */
}

static PyObject *adh_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    PyObject *det, *cls, *ts, *ep_cls, *bid, *ask, *deque_cls;
    if (kw != NULL && PyDict_GET_SIZE(kw)) {
        PyErr_SetString(PyExc_TypeError, "AbsHook takes no keywords");
        return NULL;
    }
    if (!PyArg_ParseTuple(args, "OO!OO!OOO!:AbsHook", &det, &PyType_Type, &cls, &ts, &PyType_Type, &ep_cls, &bid,
                          &ask, &PyType_Type, &deque_cls))
        return NULL;
    for (int i = 0; i < A_COUNT; i++)
        if (adh_s[i] == NULL && (adh_s[i] = PyUnicode_InternFromString(ADH_ANAMES[i])) == NULL)
            return NULL;
    adh_Hook *h = NULL;
    PyObject *descs = PyTuple_New(E_COUNT + 1), *on_delta = NULL, *judge = NULL, *tick = NULL, *eps = NULL;
    PyObject *slack = NULL;
    PyObject *append = NULL, *popleft = NULL;
    long long w_ns;
    if (descs == NULL)
        return NULL;
    PyTuple_SET_ITEM(descs, E_COUNT, Py_NewRef(ts));
    PyMemberDef *m_ts = adh_member(ts, cls), *m[E_COUNT];
    int ok = m_ts != NULL && bid != ask;
    for (int i = 0; i < E_COUNT; i++) {
        PyObject *dsc = ok ? PyObject_GetAttrString(ep_cls, ADH_ENAMES[i]) : NULL;
        if (dsc == NULL)
            PyErr_Clear();
        PyTuple_SET_ITEM(descs, i, dsc ? dsc : Py_NewRef(Py_None));
        ok = ok && (m[i] = adh_member(dsc, ep_cls)) != NULL;
    }
    if (!ok) {
        PyErr_SetString(PyExc_ValueError, "AbsHook: the message class and its ts_exchange_ns slot descriptor, an "
                                          "episode class with slots, two sides, the deque class");
        goto fail;
    }
    if ((on_delta = PyObject_GetAttrString(det, "on_delta")) == NULL
        || (judge = PyObject_GetAttrString(det, "_judge")) == NULL || (tick = PyObject_GetAttrString(det, "_tick")) == NULL
        || (eps = PyObject_GetAttrString(det, "eps")) == NULL
        || (slack = PyObject_GetAttrString(det, "slack")) == NULL
        || (append = PyObject_GetAttrString(deque_cls, "append")) == NULL
        || (popleft = PyObject_GetAttrString(deque_cls, "popleft")) == NULL)
        goto fail;
    PyObject *w_name = PyUnicode_InternFromString("w_ns");
    int g = w_name == NULL ? -1 : adh_attr_int(det, w_name, ADH_T, &w_ns);
    Py_XDECREF(w_name);
    if (g < 0)
        goto fail;
    if (!PyDict_CheckExact(eps) || !g || w_ns < 0) {
        PyErr_SetString(PyExc_ValueError, "AbsHook: the detector's eps a dict, its w_ns an int");
        goto fail;
    }
    if ((h = (adh_Hook *)type->tp_alloc(type, 0)) == NULL)
        goto fail;
    h->vectorcall = (vectorcallfunc)adh_call;
    h->det = Py_NewRef(det);
    h->on_delta = on_delta;
    h->judge = judge;
    h->tick = tick;
    h->eps = eps;
    h->slack = slack;
    h->delta_cls = Py_NewRef(cls);
    h->ep_cls = Py_NewRef(ep_cls);
    h->bid = Py_NewRef(bid);
    h->ask = Py_NewRef(ask);
    h->deque_cls = Py_NewRef(deque_cls);
    h->append = append;
    h->popleft = popleft;
    h->descs = descs;
    h->m_ts = m_ts;
    for (int i = 0; i < E_COUNT; i++)
        h->m[i] = m[i];
    h->w_ns = w_ns;
    return (PyObject *)h;
fail:
    Py_XDECREF(descs);
    Py_XDECREF(on_delta);
    Py_XDECREF(judge);
    Py_XDECREF(tick);
    Py_XDECREF(eps);
    Py_XDECREF(slack);
    Py_XDECREF(append);
    Py_XDECREF(popleft);
    return NULL;
}

#define ADH_FIELDS(X) X(det) X(on_delta) X(judge) X(tick) X(eps) X(slack) X(delta_cls) X(ep_cls) X(bid) X(ask) \
    X(deque_cls) X(append) X(popleft) X(descs)

static int adh_traverse(adh_Hook *h, visitproc visit, void *arg)
{
#define ADH_VISIT(f) Py_VISIT(h->f);
    ADH_FIELDS(ADH_VISIT)
    return 0;
}

static int adh_clear(adh_Hook *h)
{
#define ADH_CLEAR(f) Py_CLEAR(h->f);
    ADH_FIELDS(ADH_CLEAR)
    return 0;
}

static void adh_dealloc(adh_Hook *h)
{
    PyObject_GC_UnTrack(h);
    adh_clear(h);
    Py_TYPE(h)->tp_free((PyObject *)h);
}

PyTypeObject adh_HookType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "dom.core._native.AbsHook",
    .tp_basicsize = sizeof(adh_Hook),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL,
    .tp_doc = "AbsorptionDetector.on_delta without its Python frame (the engine's depth hook)",
    .tp_new = adh_new,
    .tp_dealloc = (destructor)adh_dealloc,
    .tp_traverse = (traverseproc)adh_traverse,
    .tp_clear = (inquiry)adh_clear,
    .tp_vectorcall_offset = offsetof(adh_Hook, vectorcall),
    .tp_call = PyVectorcall_Call,
};

int adh_register(PyObject *m)
{
    if (PyType_Ready(&adh_HookType) < 0)
        return -1;
    return PyModule_AddObjectRef(m, "AbsHook", (PyObject *)&adh_HookType);
}
