/* Absorption's trade hook (symbol_state.trade_hooks; AbsorptionDetector.trade_hook() builds one):
 * what the engine calls for each trade in place of AbsorptionDetector.on_trade, the same work
 * without the Python frame on the trades that need no decision.
 *
 *   AtdHook(det, trade_cls, taker, px, T, qty, ep_cls, synced, buy, bid)
 *       det: the detector (its on_trade, the one truth; its _threshold and _check_cross; its eps, a dict it mutates
 *       in place and never rebinds; its slack, never rebound; its w_ns, fixed; its bid and ask,
 *       AbsSides, and depth_t, read at each call); trade_cls and the slot descriptors of its
 *       taker, px_ticks, ts_exchange_ns and qty_lots; ep_cls: the episode class (_Episode, with
 *       slots); synced: FeedState.SYNCED; buy: TakerSide.BUY; bid: BookSide.BID.
 *
 * A call hook(sym, trade) on a book not synced gives [] (on_trade's first test). Otherwise it
 * decides, changing nothing, whether the trade is one on_trade would only count: the maker side
 * an AbsSide taking its values (px, T exact ints within 2^61, the size within 2^40, totals exact),
 * det.depth_t an exact int; no announced episode of the side that the trade goes through (when
 * its price is new to the side; those not announced it goes through on_trade drops silently);
 * and at its price either no episode (or one on_trade drops: not announced, its last trade more
 * than w_ns before) and a level not to be followed (AbsSide.trade's -1: its threshold None or its
 * volume under the track fraction of it; where no threshold is cached det._threshold(side, px)
 * caches it first, as on_trade would after the trade: nothing else reads or writes that cache),
 * or an episode that this trade counts and does not update: crossed and not announced, announced
 * with less new volume than its update asks, or not announced and not crossed (its threshold
 * cached as above). Such a trade it does as on_trade, in its order: the slack's on_trade_once (in
 * C where the slack takes it: trd_once), the stale episode dropped, those traded through dropped
 * (_trade_through, in eps' order), AbsSide.trade (abs_trade_ll), the episode's count
 * (atd_count), and for an episode not crossed whose threshold is an int its volume reaches,
 * det._check_cross(sym, side, px, T, vw, ep) as on_trade's last step (Python: it may cross; it
 * gives nothing); and gives []. Any other trade (one that opens an episode, may update or end an
 * announced one, a value the hook does not read) goes to det.on_trade itself before anything is
 * changed.
 * Every global name here starts with atd_ / ATD_. */
#include "_native_atd.h"

static const char *ATD_PNAMES[P_COUNT] = {"side", "px", "first_ns", "last_trade_ns", "traded", "times", "cum",
                                          "peak_w", "announced", "cross_ns", "sent_traded"};
enum { S_STATE, S_STATS, S_TRADES, S_BID, S_ASK, S_DEPTH_T, S_ONCE, S_W_NS, S_COUNT };
static const char *ATD_SNAMES[S_COUNT] = {"state", "stats", "trades", "bid", "ask", "depth_t", "on_trade_once",
                                          "w_ns"};
static PyObject *atd_s[S_COUNT];

/* What the hook decided, read before anything changes. */
typedef struct {
    AbsSide *S;
    PyObject *side, *depth_t, *n, *key, *ep, *stale; /* (new references or NULL) */
    PyObject *hits[ATD_MAX]; /* the keys of the episodes the trade goes through (new references) */
    int nhits;
    long long px, T, q, vw;
    int cross; /* after the count, det._check_cross (on_trade's last step for this trade) */
    atd_Ep e;
} atd_Plan;

static void atd_plan_clear(atd_Plan *p)
{
    Py_XDECREF(p->S);
    Py_XDECREF(p->depth_t);
    Py_XDECREF(p->n);
    Py_XDECREF(p->key);
    Py_XDECREF(p->ep);
    Py_XDECREF(p->stale);
    for (int i = 0; i < p->nhits; i++)
        Py_DECREF(p->hits[i]);
}

/* 1: the trade is one the hook does (p filled), 0: on_trade's, -1 on error. */
static int atd_plan(atd_Hook *h, PyObject *sym, PyObject *t, atd_Plan *p)
{
    PyObject *f[F_COUNT];
    for (int i = 0; i < F_COUNT; i++)
        if ((f[i] = ATD_SLOT(t, h->f[i])) == NULL)
            return 0;
    int r;
    if ((r = in_range_fast(f[F_PX], LIM_T, &p->px)) <= 0 || (r = in_range_fast(f[F_T], LIM_T, &p->T)) <= 0
        || (r = in_range_fast(f[F_QTY], LIM_Q, &p->q)) <= 0)
        return r;
    if (p->q < 0)
        return 0;
    PyObject *S = PyObject_GetAttr(h->det, atd_s[f[F_TAKER] == h->buy ? S_ASK : S_BID]);
    if (S == NULL)
        return -1;
    p->S = (AbsSide *)S;
    if (Py_TYPE(S) != &AbsSideType) /* (moved to its twin) */
        return 0;
    p->side = p->S->side;
    if ((p->depth_t = PyObject_GetAttr(h->det, atd_s[S_DEPTH_T])) == NULL)
        return -1;
    if (!PyLong_CheckExact(p->depth_t))
        return 0;
    if (Py_SIZE(p->depth_t) != 0) { /* (if self.depth_t: the slack's count, read as on_trade does) */
        PyObject *stats = PyObject_GetAttr(sym, atd_s[S_STATS]);
        if (stats == NULL)
            return -1;
        p->n = PyObject_GetAttr(stats, atd_s[S_TRADES]);
        Py_DECREF(stats);
        if (p->n == NULL)
            return -1;
    }
    if (PyDict_GET_SIZE(h->eps)) {
        if ((p->key = PyTuple_Pack(2, p->side, f[F_PX])) == NULL)
            return -1;
        PyObject *ep = PyDict_GetItemWithError(h->eps, p->key);
        if (ep == NULL && PyErr_Occurred())
            return -1;
        if (ep != NULL) {
            if ((r = atd_ep_read(h, ep, &p->e)) <= 0)
                return r;
            if (!p->e.announced && p->T - p->e.last_trade > h->w_ns)
                p->stale = Py_NewRef(ep); /* (on_trade drops it: no episode at px then) */
            else
                p->ep = Py_NewRef(ep);
        }
        if (!p->S->has_last || p->px != p->S->last_px) {
            int n = 0;
            if (atd_through(h, p->side, p->side == h->bid, p->px, p->T, p->stale, p->hits, &n) != 0)
                return 0; /* (an announced episode traded through, or a value not read here) */
            for (int i = 0; i < n; i++)
                Py_INCREF(p->hits[i]);
            p->nhits = n;
        }
    }
    int track = p->ep == NULL;
    if (!abs_trade_peek(p->S, p->px, p->T, p->q, track, &p->vw))
        return 0; /* (AbsSide.trade declines it: on_trade moves the side to its twin) */
    if (track) {
        if (p->vw < -1) { /* no threshold cached: the detector's _threshold caches it */
            PyObject *a[2] = {p->side, f[F_PX]}, *thr = PyObject_Vectorcall(h->threshold, a, 2, NULL);
            if (thr == NULL)
                return -1;
            Py_DECREF(thr);
            if (!abs_trade_peek(p->S, p->px, p->T, p->q, track, &p->vw))
                return 0;
        }
        return p->vw == -1; /* (else it opens an episode, or no threshold took) */
    }
    atd_Ep *e = &p->e;
    if (e->has_times && p->T < e->times_last)
        return 0; /* (add_trade's insertion out of time order) */
    if (!e->announced && !e->cross) { /* (_check_cross unless a cached threshold is None or above vw) */
        Win *th = abs_find(&p->S->th, p->px);
        long long thr;
        if (th == NULL) { /* (_check_cross's first step: the detector's _threshold caches it) */
            PyObject *a[2] = {p->side, f[F_PX]}, *got = PyObject_Vectorcall(h->threshold, a, 2, NULL);
            if (got == NULL)
                return -1;
            Py_DECREF(got);
            if ((th = abs_find(&p->S->th, p->px)) == NULL)
                return 0;
        }
        if (th->thr == Py_None)
            return 1;
        if ((r = in_range_fast(th->thr, LIM_T, &thr)) <= 0)
            return r;
        p->cross = p->vw >= thr;
        return 1;
    }
    if (e->announced) { /* (the update: ep.traded - ep.sent_traded >= 0.5 * max(1, ep.sent_traded)) */
        long long d = e->traded + p->q - e->sent;
        return !((double)d >= 0.5 * (double)(e->sent > 1 ? e->sent : 1));
    }
    return 1;
}

static PyObject *atd_call(atd_Hook *h, PyObject *const *args, size_t nargsf, PyObject *kw)
{
    if (PyVectorcall_NARGS(nargsf) != 2 || kw != NULL) {
        PyErr_SetString(PyExc_TypeError, "hook(sym, trade)");
        return NULL;
    }
    PyObject *sym = args[0], *t = args[1];
    if (Py_TYPE(t) != (PyTypeObject *)h->trade_cls)
        return trd_fallback(h->on_trade, args);
    PyObject *state = PyObject_GetAttr(sym, atd_s[S_STATE]);
    if (state == NULL)
        return NULL;
    Py_DECREF(state);
    if (state != h->synced)
        return PyList_New(0);
    atd_Plan p = {0};
    int r = atd_plan(h, sym, t, &p);
    if (r <= 0) {
        atd_plan_clear(&p);
        return r < 0 ? NULL : trd_fallback(h->on_trade, args);
    }
    /* on_trade's side effects, in its order */
    PyObject *T_o = ATD_SLOT(t, h->f[F_T]), *res = NULL;
    long long vw;
    if (p.n != NULL && trd_once(h->slack, atd_s[S_ONCE], p.n, p.depth_t, T_o) < 0)
        goto done;
    if (p.stale != NULL && PyDict_DelItem(h->eps, p.key) < 0)
        goto done;
    for (int i = 0; i < p.nhits; i++) /* (_trade_through: episodes not announced end silently) */
        if (PyDict_DelItem(h->eps, p.hits[i]) < 0)
            goto done;
    if ((r = abs_trade_ll(p.S, p.px, p.T, p.q, p.ep == NULL, &vw)) <= 0 || vw != p.vw) {
        if (r >= 0)
            PyErr_SetString(PyExc_SystemError, "AtdHook: the side's trade is not the one foreseen");
        goto done;
    }
    if (p.ep != NULL && atd_count(h, p.ep, &p.e, T_o, p.T, p.q, vw) < 0)
        goto done;
    if (p.cross) { /* (on_trade's call, with its arguments: it may cross; it gives no output) */
        PyObject *vw_o = PyLong_FromLongLong(vw);
        if (vw_o == NULL)
            goto done;
        PyObject *a[6] = {sym, p.side, ATD_SLOT(t, h->f[F_PX]), T_o, vw_o, p.ep};
        PyObject *got = PyObject_Vectorcall(h->check_cross, a, 6, NULL);
        Py_DECREF(vw_o);
        if (got == NULL)
            goto done;
        Py_DECREF(got);
    }
    res = PyList_New(0);
done:
    atd_plan_clear(&p);
    return res;
}

static PyMemberDef *atd_member(PyObject *d, PyObject *cls)
{
    return d == NULL ? NULL : trd_member(d, cls);
}

static PyObject *atd_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    PyObject *det, *cls, *d[F_COUNT], *ep_cls, *synced, *buy, *bid;
    if (kw != NULL && PyDict_GET_SIZE(kw)) {
        PyErr_SetString(PyExc_TypeError, "AtdHook takes no keywords");
        return NULL;
    }
    if (!PyArg_ParseTuple(args, "OO!OOOOO!OOO:AtdHook", &det, &PyType_Type, &cls, &d[0], &d[1], &d[2], &d[3],
                          &PyType_Type, &ep_cls, &synced, &buy, &bid))
        return NULL;
    for (int i = 0; i < S_COUNT; i++)
        if (atd_s[i] == NULL && (atd_s[i] = PyUnicode_InternFromString(ATD_SNAMES[i])) == NULL)
            return NULL;
    atd_Hook *h = NULL;
    PyObject *descs = PyTuple_New(F_COUNT + P_COUNT), *on_trade = NULL, *threshold = NULL, *eps = NULL;
    PyObject *check_cross = NULL;
    PyObject *slack = NULL, *w = NULL;
    PyMemberDef *f[F_COUNT], *m[P_COUNT];
    long long w_ns = -1;
    if (descs == NULL)
        return NULL;
    int ok = 1;
    for (int i = 0; i < F_COUNT; i++) {
        PyTuple_SET_ITEM(descs, i, Py_NewRef(d[i]));
        ok = ok && (f[i] = atd_member(d[i], cls)) != NULL;
    }
    for (int i = 0; i < P_COUNT; i++) {
        PyObject *dsc = ok ? PyObject_GetAttrString(ep_cls, ATD_PNAMES[i]) : NULL;
        if (dsc == NULL)
            PyErr_Clear();
        PyTuple_SET_ITEM(descs, F_COUNT + i, dsc ? dsc : Py_NewRef(Py_None));
        ok = ok && (m[i] = atd_member(dsc, ep_cls)) != NULL;
    }
    if (!ok) {
        PyErr_SetString(PyExc_ValueError, "AtdHook: the trade class and its fields' slot descriptors, an episode "
                                          "class with slots");
        goto fail;
    }
    if ((on_trade = PyObject_GetAttrString(det, "on_trade")) == NULL
        || (threshold = PyObject_GetAttrString(det, "_threshold")) == NULL
        || (check_cross = PyObject_GetAttrString(det, "_check_cross")) == NULL
        || (eps = PyObject_GetAttrString(det, "eps")) == NULL || (slack = PyObject_GetAttrString(det, "slack")) == NULL
        || (w = PyObject_GetAttr(det, atd_s[S_W_NS])) == NULL)
        goto fail;
    if (!PyDict_CheckExact(eps) || in_range(w, ATD_T, &w_ns) <= 0 || w_ns < 0) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_ValueError, "AtdHook: the detector's eps a dict, its w_ns an int");
        goto fail;
    }
    if ((h = (atd_Hook *)type->tp_alloc(type, 0)) == NULL)
        goto fail;
    h->vectorcall = (vectorcallfunc)atd_call;
    h->det = Py_NewRef(det);
    h->on_trade = on_trade;
    h->threshold = threshold;
    h->check_cross = check_cross;
    h->eps = eps;
    h->slack = slack;
    h->trade_cls = Py_NewRef(cls);
    h->ep_cls = Py_NewRef(ep_cls);
    h->synced = Py_NewRef(synced);
    h->buy = Py_NewRef(buy);
    h->bid = Py_NewRef(bid);
    h->descs = descs;
    for (int i = 0; i < F_COUNT; i++)
        h->f[i] = f[i];
    for (int i = 0; i < P_COUNT; i++)
        h->m[i] = m[i];
    h->w_ns = w_ns;
    Py_DECREF(w);
    return (PyObject *)h;
fail:
    Py_XDECREF(descs);
    Py_XDECREF(on_trade);
    Py_XDECREF(threshold);
    Py_XDECREF(check_cross);
    Py_XDECREF(eps);
    Py_XDECREF(slack);
    Py_XDECREF(w);
    return NULL;
}

#define ATD_FIELDS(X) X(det) X(on_trade) X(threshold) X(check_cross) X(eps) X(slack) X(trade_cls) X(ep_cls) X(synced) X(buy) \
    X(bid) X(descs)

static int atd_traverse(atd_Hook *h, visitproc visit, void *arg)
{
#define ATD_VISIT(f) Py_VISIT(h->f);
    ATD_FIELDS(ATD_VISIT)
    return 0;
}

static int atd_clear(atd_Hook *h)
{
#define ATD_CLEAR(f) Py_CLEAR(h->f);
    ATD_FIELDS(ATD_CLEAR)
    return 0;
}

static void atd_dealloc(atd_Hook *h)
{
    PyObject_GC_UnTrack(h);
    atd_clear(h);
    Py_TYPE(h)->tp_free((PyObject *)h);
}

static PyTypeObject atd_HookType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "dom.core._native.AtdHook",
    .tp_basicsize = sizeof(atd_Hook),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL,
    .tp_doc = "AbsorptionDetector.on_trade without its Python frame on the trades it only counts (the engine's "
              "trade hook)",
    .tp_new = atd_new,
    .tp_dealloc = (destructor)atd_dealloc,
    .tp_traverse = (traverseproc)atd_traverse,
    .tp_clear = (inquiry)atd_clear,
    .tp_vectorcall_offset = offsetof(atd_Hook, vectorcall),
    .tp_call = PyVectorcall_Call,
};

int atd_wall_register(PyObject *m); /* (the walls' trade hook, _native_atd_wall.c) */

int atd_register(PyObject *m)
{
    if (PyType_Ready(&atd_HookType) < 0 || PyModule_AddObjectRef(m, "AtdHook", (PyObject *)&atd_HookType) < 0)
        return -1;
    return atd_wall_register(m);
}
