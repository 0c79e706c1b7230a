/* What the engine calls for each applied depth message in place of IcebergDetector.on_delta
 * (symbol_state.delta_hooks; the detector's delta_hook() builds one): the same work, without the
 * Python frames of on_delta and _drain on the messages that need no rule.
 *
 *   IdhHook(det, ends, usual, slack, bid, ask, delta_cls, ts, end_ns, min_add, book_fields, levels,
 *           heappop, heappush[, level_kit])
 *       det: the IcebergDetector; ends: its heap of level ends (det._ends, changed in place);
 *       usual: its dict of the sides' usual level size (det.usual, changed in place); slack: its
 *       Slack; bid, ask: the two sides; delta_cls: BookDelta, ts the slot descriptor of its
 *       exchange time; end_ns: iceberg_end_s in ns; min_add: iceberg_min_add (a float);
 *       book_fields: (OrderBook, its bids and asks slots, BookSideLevels, its _index, _live and
 *       _live_n slots, PriceIndex, its flat slot), read directly (a book of other classes: on_delta);
 *       levels: det.levels (changed in place); heapq's heappop and heappush; level_kit (optional): a
 *       _Level made by its class and the class's slot descriptors (_native_idh_level.c).
 *
 * A call (sym, delta, changes) does on_delta's work in C: the message's changes into det.wait (an
 * IceWait: idh_delta_at) with the sides' best prices read from the book's flat indexes, the depth
 * clock moved on, the waiting changes up to the watermark judged (idh_step_at). A new level (NEW,
 * PUSH) is made and pushed in C given the level kit (idh_level); what is left of its judgement goes
 * on as any other. A judgement that leaves a possible refill alone (ADD) moves the side's usual
 * size as _usual does and, when the add is below iceberg_min_add of it, needs nothing more; any
 * other goes to det._judge (the usual size handed over when taken here). The late trades and the quiet levels go to det._tail
 * when either is due; with no late trade due, the ends heap's entries that end nothing (levels
 * ended or replaced, or traded since: pushed again) are taken in C first (idh_ends). Anything
 * this does not take (not a BookDelta, the wait or the slack moved to their twins, a number past
 * the limits, a book of another class or a side on its tree index) goes to det.on_delta before
 * anything is changed. The book's reads, the usual size and the ends heap are in
 * _native_idh_read.c. Every global name here starts with idh_ / Idh. */
#include "_native_idh.h"

static PyObject *idh_fallback(IdhHook *h, PyObject *const *args)
{
    return PyObject_Vectorcall(h->on_delta, args, 3, NULL);
}


/* det._judge(sym, side, px, t, before, after, v, flags, rec, out[, usual]) */
static int idh_judge(IdhHook *h, PyObject *sym, PyObject *side, const long long *rec, long long v, int flags,
                     PyObject *lvl, PyObject *out, PyObject *usual)
{
    PyObject *a[11] = {sym, side, NULL, NULL, NULL, NULL, NULL, NULL, lvl, out, usual};
    long long nums[5] = {rec[2], rec[0], rec[3], rec[4], v};
    int r = -1;
    for (int k = 0; k < 5; k++)
        if ((a[2 + k] = PyLong_FromLongLong(nums[k])) == NULL)
            goto done;
    if ((a[7] = PyLong_FromLong(flags)) == NULL)
        goto done;
    Py_INCREF(lvl);
    PyObject *res = PyObject_Vectorcall(h->judge, a, usual != NULL ? 11 : 10, NULL);
    Py_DECREF(lvl);
    if (res != NULL) {
        Py_DECREF(res);
        r = 0;
    }
done:
    for (int k = 2; k < 8; k++)
        Py_XDECREF(a[k]);
    return r;
}

/* The waiting changes up to mark judged (the message's _drain up to its tail). 0 / -1 error. */
static int idh_drain(IdhHook *h, IceWait *w, PyObject *sym, PyObject *sides[2], long long mark, PyObject *out)
{
    long long rec[ICE_REC], v;
    IceKey *e;
    int flags;
    while ((flags = idh_step_at(w, mark, &e, rec, &v)) > 0) {
        int ask = (int)rec[1];
        PyObject *side = ask ? w->ask : w->bid, *usual = NULL;
        if (flags & ICE_NEW) {  /* a new level: made here (_native_idh_level.c), the rest to _judge */
            int made = idh_level(h, side, rec, (PyObject *)e->rec, flags);
            if (made < 0)
                return -1;
            if (made && !(flags &= ~(ICE_NEW | ICE_PUSH)))
                continue;
        }
        if (flags == ICE_ADD) {  /* a possible refill alone: is it one at all (iceberg_min_add)? */
            long long r = v - (rec[3] - rec[4]);
            double u;
            int got = r > -IDH_EXACT && r < IDH_EXACT ? idh_usual(h, side, sides[ask], &u) : 0;
            if (got < 0)
                return -1;
            if (got) {
                if ((usual = PyFloat_FromDouble(u)) == NULL || PyDict_SetItem(h->usual, side, usual) < 0) {
                    Py_XDECREF(usual);
                    return -1;
                }
                if ((double)r < h->min_add * u) {
                    Py_DECREF(usual);
                    continue;
                }
            }
        }
        int r = idh_judge(h, sym, side, rec, v, flags, (PyObject *)e->rec, out, usual);
        Py_XDECREF(usual);
        if (r < 0)
            return -1;
    }
    return flags == -2 ? -1 : 0;
}


static PyObject *idh_call(IdhHook *h, PyObject *const *args, size_t nargsf, PyObject *kw)
{
    if (PyVectorcall_NARGS(nargsf) != 3 || kw != NULL) {
        PyErr_SetString(PyExc_TypeError, "hook(sym, delta, changes)");
        return NULL;
    }
    PyObject *sym = args[0], *changes = args[2];
    trd_Slack *s = (trd_Slack *)h->slack;
    if (Py_TYPE(args[1]) != (PyTypeObject *)h->cls || !PyList_CheckExact(changes) || s->twin != NULL
        || s->ns < -TRD_LIM || s->ns > TRD_LIM)
        return idh_fallback(h, args);
    PyObject *wait = PyObject_GetAttr(h->det, h->s_wait), *t_obj = NULL, *dt_obj = NULL, *book = NULL,
             *sides[2] = {NULL, NULL}, *out = NULL, *res = NULL;
    if (wait == NULL)
        return NULL;
    long long t, depth_t, win[4];
    int r = 0;
    if (Py_TYPE(wait) != &IceWaitType || (t_obj = trd_read(args[1], h->m_ts)) == NULL
        || (dt_obj = PyObject_GetAttr(h->det, h->s_depth_t)) == NULL)
        goto check;
    if ((r = in_range(t_obj, ICE_LIM_T, &t)) <= 0 || (r = in_range(dt_obj, ICE_LIM_T, &depth_t)) <= 0)
        goto check;
    if ((book = PyObject_GetAttr(sym, h->s_book)) == NULL) {
        r = -1;
        goto check;
    }
    if (Py_TYPE(book) != h->book_cls || (sides[0] = idh_slot(book, h->m_bids)) == NULL
        || (sides[1] = idh_slot(book, h->m_asks)) == NULL || Py_TYPE(sides[0]) != h->side_cls
        || Py_TYPE(sides[1]) != h->side_cls) {
        sides[0] = sides[1] = NULL;
        r = 0;
        goto check;  /* (on_delta) */
    }
    Py_INCREF(sides[0]);
    Py_INCREF(sides[1]);
    for (int k = 0; k < 2; k++) {  /* each side's window: within ICE_NEAR of its best; an empty side: none */
        long long best;
        int none;
        if ((r = idh_best(h, sides[k], k ? -1 : 1, &best, &none)) <= 0)
            goto check;
        win[2 * k] = none ? ICE_NEVER : best - ICE_NEAR, win[2 * k + 1] = none ? -ICE_NEVER : best + ICE_NEAR;
    }
    r = idh_delta_at((IceWait *)wait, t, changes, win);
check:
    if (r <= 0) {
        if (r == 0 && !PyErr_Occurred())  /* nothing changed: the detector's own way */
            res = idh_fallback(h, args);
        goto done;
    }
    if (t > depth_t) {
        if (PyObject_SetAttr(h->det, h->s_depth_t, t_obj) < 0)
            goto done;
        depth_t = t;
    }
    long long mark = depth_t - s->ns, late = mark - s->ns;  /* (within +-3 * 2^61) */
    if ((out = PyList_New(0)) == NULL || idh_drain(h, (IceWait *)wait, sym, sides, mark, out) < 0)
        goto done;
    /* late(), or the ends: what _tail does (late clamped as the wait's bound() does) */
    int due = idh_late_due((IceWait *)wait, late > ICE_NEVER ? ICE_NEVER : late < -ICE_NEVER ? -ICE_NEVER : late);
    if (!due && (due = idh_ends(h, depth_t)) < 0)  /* no late trades: the ends heap in C while nothing ends */
        goto done;
    if (due) {
        PyObject *m = PyLong_FromLongLong(mark);
        if (m == NULL)
            goto done;
        PyObject *a[3] = {sym, m, out};
        PyObject *got = PyObject_Vectorcall(h->tail, a, 3, NULL);
        Py_DECREF(m);
        if (got == NULL)
            goto done;
        Py_DECREF(got);
    }
    res = Py_NewRef(out);
done:
    Py_DECREF(wait);
    Py_XDECREF(t_obj);
    Py_XDECREF(dt_obj);
    Py_XDECREF(book);
    Py_XDECREF(sides[0]);
    Py_XDECREF(sides[1]);
    Py_XDECREF(out);
    return res;
}

static PyObject *idh_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    PyObject *det, *ends, *usual, *slack, *bid, *ask, *cls, *desc, *bf, *levels, *hpop, *hpush, *kit = NULL;
    long long end_ns;
    double min_add;
    if (kw != NULL && PyDict_GET_SIZE(kw)) {
        PyErr_SetString(PyExc_TypeError, "IdhHook takes no keywords");
        return NULL;
    }
    if (!PyArg_ParseTuple(args, "OO!O!O!OOO!OLdO!O!OO|O!:IdhHook", &det, &PyList_Type, &ends, &PyDict_Type, &usual,
                          &trd_SlackType, &slack, &bid, &ask, &PyType_Type, &cls, &desc, &end_ns, &min_add,
                          &PyTuple_Type, &bf, &PyDict_Type, &levels, &hpop, &hpush, &PyTuple_Type, &kit))
        return NULL;
    PyMemberDef *m_ts = trd_member(desc, cls), *bm[6] = {NULL};
    int bf_ok = PyTuple_GET_SIZE(bf) == 9 && PyType_Check(PyTuple_GET_ITEM(bf, 0))
                && PyType_Check(PyTuple_GET_ITEM(bf, 3)) && PyType_Check(PyTuple_GET_ITEM(bf, 7));
    static const int at[6] = {1, 2, 4, 5, 6, 8}, of[6] = {0, 0, 3, 3, 3, 7};  /* each slot, its class */
    static const char *names[6] = {"bids", "asks", "_index", "_live", "_live_n", "flat"};
    for (int k = 0; k < 6 && bf_ok; k++)
        bf_ok = (bm[k] = trd_member(PyTuple_GET_ITEM(bf, at[k]), PyTuple_GET_ITEM(bf, of[k]))) != NULL
                && strcmp(bm[k]->name, names[k]) == 0;
    if (m_ts == NULL || bid == ask || !PyList_CheckExact(ends) || !PyDict_CheckExact(usual) || !bf_ok
        || !PyDict_CheckExact(levels) || !PyCFunction_Check(hpop) || !PyCFunction_Check(hpush)) {
        PyErr_SetString(PyExc_ValueError, "IdhHook: the time's slot descriptor of the delta class, two sides, "
                                          "a list, a dict, the book's classes and slot descriptors, a dict, "
                                          "heappop and heappush");
        return NULL;
    }
    IdhHook *h = (IdhHook *)type->tp_alloc(type, 0);
    if (h == NULL)
        return NULL;
    h->vectorcall = (vectorcallfunc)idh_call;
    h->det = Py_NewRef(det);
    h->ends = Py_NewRef(ends);
    h->usual = Py_NewRef(usual);
    h->slack = Py_NewRef(slack);
    h->bid = Py_NewRef(bid);
    h->ask = Py_NewRef(ask);
    h->cls = Py_NewRef(cls);
    h->desc = Py_NewRef(desc);
    h->m_ts = m_ts;
    h->book_fields = Py_NewRef(bf);
    h->levels = Py_NewRef(levels);
    h->heappop = Py_NewRef(hpop);
    h->heappush = Py_NewRef(hpush);
    h->book_cls = (PyTypeObject *)PyTuple_GET_ITEM(bf, 0);
    h->side_cls = (PyTypeObject *)PyTuple_GET_ITEM(bf, 3);
    h->index_cls = (PyTypeObject *)PyTuple_GET_ITEM(bf, 7);
    h->m_bids = bm[0], h->m_asks = bm[1], h->m_index = bm[2], h->m_live = bm[3], h->m_live_n = bm[4];
    h->m_flat = bm[5];
    h->end_ns = end_ns;
    h->min_add = min_add;
    h->on_delta = PyObject_GetAttrString(det, "on_delta");
    h->judge = h->on_delta ? PyObject_GetAttrString(det, "_judge") : NULL;
    h->tail = h->judge ? PyObject_GetAttrString(det, "_tail") : NULL;
    h->s_wait = PyUnicode_InternFromString("wait");
    h->s_depth_t = PyUnicode_InternFromString("depth_t");
    h->s_book = PyUnicode_InternFromString("book");
    h->s_top = PyUnicode_InternFromString("top");
    h->ten = PyLong_FromLong(IDH_TOP);
    h->s_rec = PyUnicode_InternFromString("rec");
    h->s_n_ends = PyUnicode_InternFromString("_n_ends");
    h->s_levels = PyUnicode_InternFromString("levels");
    h->s_ends = PyUnicode_InternFromString("_ends");
    if (h->tail == NULL || h->s_wait == NULL || h->s_depth_t == NULL || h->s_book == NULL || h->s_top == NULL
        || h->ten == NULL || h->s_rec == NULL || h->s_n_ends == NULL || h->s_levels == NULL || h->s_ends == NULL
        || (kit != NULL && idh_level_kit(h, kit) < 0)) {
        Py_DECREF(h);
        return NULL;
    }
    return (PyObject *)h;
}

static int idh_traverse(IdhHook *h, visitproc visit, void *arg)
{
    Py_VISIT(h->det);
    Py_VISIT(h->on_delta);
    Py_VISIT(h->judge);
    Py_VISIT(h->tail);
    Py_VISIT(h->ends);
    Py_VISIT(h->usual);
    Py_VISIT(h->slack);
    Py_VISIT(h->bid);
    Py_VISIT(h->ask);
    Py_VISIT(h->cls);
    Py_VISIT(h->desc);
    Py_VISIT(h->book_fields);
    Py_VISIT(h->levels);
    Py_VISIT(h->heappop);
    Py_VISIT(h->heappush);
    Py_VISIT(h->lv_cls);
    Py_VISIT(h->lv_defs);
    return 0;
}

static int idh_clear(IdhHook *h)
{
    Py_CLEAR(h->det);
    Py_CLEAR(h->on_delta);
    Py_CLEAR(h->judge);
    Py_CLEAR(h->tail);
    Py_CLEAR(h->ends);
    Py_CLEAR(h->usual);
    Py_CLEAR(h->slack);
    Py_CLEAR(h->bid);
    Py_CLEAR(h->ask);
    Py_CLEAR(h->cls);
    Py_CLEAR(h->desc);
    Py_CLEAR(h->book_fields);
    Py_CLEAR(h->levels);
    Py_CLEAR(h->heappop);
    Py_CLEAR(h->heappush);
    Py_CLEAR(h->s_rec);
    Py_CLEAR(h->s_n_ends);
    Py_CLEAR(h->s_levels);
    Py_CLEAR(h->s_ends);
    Py_CLEAR(h->lv_cls);
    Py_CLEAR(h->lv_defs);
    Py_CLEAR(h->s_wait);
    Py_CLEAR(h->s_depth_t);
    Py_CLEAR(h->s_book);
    Py_CLEAR(h->s_top);
    Py_CLEAR(h->ten);
    return 0;
}

static void idh_dealloc(IdhHook *h)
{
    PyObject_GC_UnTrack(h);
    idh_clear(h);
    Py_TYPE(h)->tp_free((PyObject *)h);
}

PyTypeObject idh_HookType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "dom.core._native.IdhHook",
    .tp_basicsize = sizeof(IdhHook),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL,
    .tp_doc = "IcebergDetector.on_delta without its Python frames on the messages that need no rule "
              "(the engine's depth hook)",
    .tp_new = idh_new,
    .tp_dealloc = (destructor)idh_dealloc,
    .tp_traverse = (traverseproc)idh_traverse,
    .tp_clear = (inquiry)idh_clear,
    .tp_vectorcall_offset = offsetof(IdhHook, vectorcall),
    .tp_call = PyVectorcall_Call,
};
