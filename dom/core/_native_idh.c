/* What the engine calls for each applied depth message in place of IcebergDetector.on_delta
 * (symbol_state.delta_hooks; the detector's delta_hook() builds one): the same work, without the
 * Python frames of on_delta and _drain on the messages that need no rule.
 *
 *   IdhHook(det, ends, usual, slack, bid, ask, delta_cls, ts, end_ns, min_add, book_fields, levels,
 *           heappop, heappush)
 *       det: the IcebergDetector; ends: its heap of level ends (det._ends, changed in place);
 *       usual: its dict of the sides' usual level size (det.usual, changed in place); slack: its
 *       Slack; bid, ask: the two sides; delta_cls: BookDelta, ts the slot descriptor of its
 *       exchange time; end_ns: iceberg_end_s in ns; min_add: iceberg_min_add (a float);
 *       book_fields: (OrderBook, its bids and asks slots, BookSideLevels, its _index, _live and
 *       _live_n slots, PriceIndex, its flat slot), read directly (a book of other classes: on_delta);
 *       levels: det.levels (changed in place); heapq's heappop and heappush.
 *
 * A call (sym, delta, changes) does on_delta's work in C: the message's changes into det.wait (an
 * IceWait: idh_delta_at) with the sides' best prices read from the book's flat indexes, the depth
 * clock moved on, the waiting changes up to the watermark judged (idh_step_at). A judgement that
 * leaves a possible refill alone (ADD) moves the side's usual size as _usual does and, when the
 * add is below iceberg_min_add of it, needs nothing more; any other goes to det._judge (the
 * usual size handed over when taken here). The late trades and the quiet levels go to det._tail
 * when either is due; with no late trade due, the ends heap's entries that end nothing (levels
 * ended or replaced, or traded since: pushed again) are taken in C first (idh_ends). Anything this does not take (not a BookDelta, the wait or the slack moved to
 * their twins, a number past the limits, a book side on its tree index) goes to det.on_delta
 * before anything is changed. Every global name here starts with idh_ / Idh. */
#include "_native_ice.h"
#include "_native_trd.h"

#define IDH_TOP 10  /* the levels _usual reads */
#define IDH_EXACT (1LL << 53)  /* a double holds every int within */

typedef struct {
    PyObject_HEAD
    vectorcallfunc vectorcall;
    PyObject *det, *on_delta, *judge, *tail; /* the detector and its bound on_delta, _judge, _tail */
    PyObject *ends, *usual, *slack, *bid, *ask, *cls, *desc;
    PyMemberDef *m_ts;
    /* the book's classes and the slots read (book_fields): OrderBook's bids and asks,
     * BookSideLevels' _index, _live and _live_n, PriceIndex's flat */
    PyObject *book_fields;
    PyObject *levels, *heappop, *heappush; /* det.levels (changed in place), heapq's two */
    PyTypeObject *book_cls, *side_cls, *index_cls;
    PyMemberDef *m_bids, *m_asks, *m_index, *m_live, *m_live_n, *m_flat;
    long long end_ns;
    double min_add;
    PyObject *s_wait, *s_depth_t, *s_book, *s_top, *ten, *s_rec, *s_n_ends;
} IdhHook;

static PyObject *idh_fallback(IdhHook *h, PyObject *const *args)
{
    return PyObject_Vectorcall(h->on_delta, args, 3, NULL);
}

/* An object slot's value, borrowed (NULL: unset). */
static inline PyObject *idh_slot(PyObject *o, PyMemberDef *m)
{
    return *(PyObject **)((char *)o + m->offset);
}

/* A book side's best price (BookSideLevels.best_px, its flat index read here): 1 with *px set
 * (*none for an empty side), 0 not taken (the tree index, a key past the limit, an unset slot). */
static int idh_best(IdhHook *h, PyObject *side, int r, long long *px, int *none)
{
    PyObject *idx = idh_slot(side, h->m_index), *flat;
    if (idx == NULL || Py_TYPE(idx) != h->index_cls || (flat = idh_slot(idx, h->m_flat)) == NULL)
        return 0;
    int ok = 0;
    if (PyList_CheckExact(flat)) {
        Py_ssize_t n = PyList_GET_SIZE(flat);
        *none = n == 0;
        ok = n == 0 ? 1 : in_range(PyList_GET_ITEM(flat, n - 1), ICE_LIM_T, px);
        if (n && ok > 0)
            *px *= r;
    }
    return ok;
}

/* The median of the top IDH_TOP sizes of a book side (_usual's): 1 with *med set, 0 not taken (a
 * size that is not an exact int within 2^53, levels not (px, size) pairs), -1 error. Read from
 * the side's live top where the C apply keeps it (what top() would copy), else from top(). */
static int idh_median(IdhHook *h, PyObject *side, long long *med)
{
    PyObject *top = idh_slot(side, h->m_live), *n_obj = idh_slot(side, h->m_live_n);
    long long live_n = 0;
    int r = 0;
    if (top != NULL && PyList_CheckExact(top) && n_obj != NULL && (r = in_range(n_obj, ICE_LIM_T, &live_n)) < 0)
        return -1;
    if (r > 0 && live_n >= IDH_TOP)
        Py_INCREF(top);  /* (what top() would copy the head of) */
    else {
        if ((top = PyObject_CallMethodOneArg(side, h->s_top, h->ten)) == NULL)
            return -1;
        if (!PyList_CheckExact(top)) {
            Py_DECREF(top);
            return 0;
        }
    }
    Py_ssize_t n = PyList_GET_SIZE(top);
    if (n > IDH_TOP)
        n = IDH_TOP;
    long long s[IDH_TOP];
    r = 1;
    for (Py_ssize_t i = 0; i < n && r > 0; i++) {
        PyObject *lv = PyList_GET_ITEM(top, i);
        if (!PyTuple_CheckExact(lv) || PyTuple_GET_SIZE(lv) != 2)
            r = 0;
        else if ((r = in_range(PyTuple_GET_ITEM(lv, 1), IDH_EXACT, &s[i])) > 0) {
            long long x = s[i];  /* insertion: s[0..i] sorted */
            Py_ssize_t j = i;
            for (; j > 0 && s[j - 1] > x; j--)
                s[j] = s[j - 1];
            s[j] = x;
        }
    }
    Py_DECREF(top);
    if (r > 0)
        *med = n ? s[n / 2] : 0;
    return r;
}

/* _usual's new value for a side, not stored: 1 with *u set, 0 not taken, -1 error. */
static int idh_usual(IdhHook *h, PyObject *side, PyObject *book_side, double *u)
{
    PyObject *was = PyDict_GetItemWithError(h->usual, side);
    if (was == NULL)
        return PyErr_Occurred() ? -1 : 0;
    if (!PyFloat_CheckExact(was))
        return 0;
    long long med;
    int r = idh_median(h, book_side, &med);
    if (r <= 0)
        return r;
    double x = PyFloat_AS_DOUBLE(was);
    *u = x == 0.0 ? (double)med : x + ((double)med - x) * 0.001;
    return 1;
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

/* _end_quiet's pass over the ends heap while nothing ends: an entry of a level ended or replaced,
 * or that never traded, popped; one whose level traded since its time pushed again at its last
 * trade (det._n_ends counting on), as _end_quiet does. 0: no entry due is left; 1: the first due
 * entry is a level that ends (or holds what this does not take): _end_quiet goes on from there;
 * -1 error. */
static int idh_ends(IdhHook *h, long long depth_t)
{
    PyObject *ends = h->ends;
    while (PyList_GET_SIZE(ends) > 0) {
        PyObject *e0 = PyList_GET_ITEM(ends, 0), *rec;
        long long last, n;
        int r;
        if (!PyTuple_CheckExact(e0) || PyTuple_GET_SIZE(e0) != 4)
            return 1;
        if ((r = in_range(PyTuple_GET_ITEM(e0, 0), ICE_LIM_T, &last)) <= 0)
            return r < 0 ? -1 : 1;
        if (!(depth_t - last > h->end_ns))
            return 0;
        PyObject *key = PyTuple_GET_ITEM(e0, 2), *lv = PyTuple_GET_ITEM(e0, 3);
        Py_INCREF(key);
        Py_INCREF(lv);
        PyObject *cur = PyDict_GetItemWithError(h->levels, key);
        long long now = 0;
        int stale = cur != lv;
        if (cur == NULL && PyErr_Occurred())
            goto fail;
        if (!stale) {
            if ((rec = PyObject_GetAttr(lv, h->s_rec)) == NULL)
                goto fail;
            int ok = Py_TYPE(rec) == &IceLevelType;
            now = ok ? ((IceLevel *)rec)->last : 0;
            Py_DECREF(rec);
            if (!ok || now == last) {  /* (not an IceLevel; a level that ends) */
                Py_DECREF(key);
                Py_DECREF(lv);
                return 1;
            }
        }
        PyObject *got = PyObject_CallOneArg(h->heappop, ends);
        if (got == NULL)
            goto fail;
        Py_DECREF(got);
        if (!stale && now) {  /* it traded since: its entry moves to its last trade */
            PyObject *n_obj = PyObject_GetAttr(h->det, h->s_n_ends), *t = NULL;
            if (n_obj == NULL)
                goto fail;
            r = in_range(n_obj, 1LL << 62, &n);
            Py_DECREF(n_obj);
            if (r <= 0) {
                if (r == 0)  /* (a count C does not take: the Python form of the same step) */
                    PyErr_SetString(PyExc_OverflowError, "IdhHook: _n_ends past 2^62");
                goto fail;
            }
            if ((n_obj = PyLong_FromLongLong(n + 1)) == NULL)
                goto fail;
            if (PyObject_SetAttr(h->det, h->s_n_ends, n_obj) < 0 || (t = PyTuple_New(4)) == NULL) {
                Py_DECREF(n_obj);
                goto fail;
            }
            PyTuple_SET_ITEM(t, 1, n_obj);
            PyTuple_SET_ITEM(t, 2, key);  /* (the references taken above) */
            PyTuple_SET_ITEM(t, 3, lv);
            PyObject *tl = PyLong_FromLongLong(now);
            if (tl == NULL) {
                Py_DECREF(t);
                return -1;
            }
            PyTuple_SET_ITEM(t, 0, tl);
            PyObject *a[2] = {ends, t};
            got = PyObject_Vectorcall(h->heappush, a, 2, NULL);
            Py_DECREF(t);
            if (got == NULL)
                return -1;
            Py_DECREF(got);
            continue;
        }
        Py_DECREF(key);
        Py_DECREF(lv);
        continue;
    fail:
        Py_DECREF(key);
        Py_DECREF(lv);
        return -1;
    }
    return 0;
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
    PyObject *det, *ends, *usual, *slack, *bid, *ask, *cls, *desc, *bf, *levels, *hpop, *hpush;
    long long end_ns;
    double min_add;
    if (kw != NULL && PyDict_GET_SIZE(kw)) {
        PyErr_SetString(PyExc_TypeError, "IdhHook takes no keywords");
        return NULL;
    }
    if (!PyArg_ParseTuple(args, "OO!O!O!OOO!OLdO!O!OO:IdhHook", &det, &PyList_Type, &ends, &PyDict_Type, &usual,
                          &trd_SlackType, &slack, &bid, &ask, &PyType_Type, &cls, &desc, &end_ns, &min_add,
                          &PyTuple_Type, &bf, &PyDict_Type, &levels, &hpop, &hpush))
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
    if (h->tail == NULL || h->s_wait == NULL || h->s_depth_t == NULL || h->s_book == NULL || h->s_top == NULL
        || h->ten == NULL || h->s_rec == NULL || h->s_n_ends == NULL) {
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
