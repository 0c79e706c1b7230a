/* The walls' depth hook (symbol_state.delta_hooks; WallDetector.delta_hook() builds one): what
 * the engine calls for each applied depth message in place of WallDetector.on_delta, the same
 * work without the Python frame on the messages that need nothing.
 *
 *   WallHook(det, walls, steps, delta_cls, ts, steps_cls, synced_ns, at, start, twin, st, floor,
 *            half, samples, bid[, side_cls])
 *       det: the detector (its on_delta, the one truth, and its _judge: on_delta past its gate);
 *       walls: det.walls (a dict the detector mutates in place, never rebinds); steps: det.steps
 *       (a LargeSteps) or None; delta_cls, ts: BookDelta and its ts_exchange_ns slot descriptor;
 *       steps_cls and the eight slot descriptors of LargeSteps it reads and writes; bid: BookSide.BID
 *       (a change's side that is not it is the asks'); side_cls: BookSideLevels, whose flat index
 *       the gate reads for a best price (without it, or for another class, best_px() is called).
 *   hook.set(next_stats_ns, tmin[, bid_half, ask_half, bid_entries, ask_entries]): the gate's numbers,
 *       which the detector hands over each time it changes them (exact ints within +-2^62, halves
 *       not negative, the entries two tuples of ten; anything else turns the gate off: every
 *       message goes to on_delta). With the bands' entries (wall_hook.entries), a change at no
 *       wall matters only within its side's band around its best price (half ticks), up to the
 *       entry of its distance bucket (dist_bucket); without them, up to tmin at any price.
 *   hook.walls(due_ns, bid_lo, bid_hi, ask_lo, ask_hi[, bid_prices, ask_prices[, bid_quiet, ask_quiet]]):
 *       the standing walls' gate, handed over by each _judge that leaves walls: before due_ns no
 *       wall can change with time (an update due, a dip or a candidate's wait over, a wall gone),
 *       and no wall stands on a side outside [lo, hi], nor (where a side's prices are handed over,
 *       a tuple of at most WDH_NW: more, the range alone) at a price not among them; a change at
 *       a price whose quiet size (the tuple of the same length; without it -2^62) it is under
 *       matters only outside its side's band (with the bands' entries set: a candidate dipping
 *       under its entry, which _level leaves as it is within the band)
 *       (exact ints within +-2^62; anything else turns this gate off: _judge for every message
 *       while a wall stands).
 *
 * A call hook(sym, delta, changes): LargeSteps.observe(changes, now) (in C through the window's
 * StepStore where everything is as that expects: the window synced and started, stores of the C
 * type, the engine's count an exact int; else the window's own observe), then on_delta's gate:
 * no stats due (now < next_stats_ns), no wall, no change that may matter (wdh_matters: in its
 * side's band up to its bucket's entry, or up to tmin without the entries): a fresh empty list;
 * with walls, likewise before due_ns when no change may matter nor stands at a price within its
 * side's walls' range (_judge would do nothing: the changes it acts on are those, and the rest of
 * its work is due by time). Past the gate, det._judge(sym, now, changes). Anything the hook does not
 * take (a delta of another class, a time or a change that is not exact ints within +-2^61, the
 * gate off) goes to det.on_delta itself, whose observe then finds the message seen (or sees it).
 * Every global name here starts with wdh_ / WDH_. */
#include "_native.h"
#include "_native_steps.h"
#include <structmember.h>

#define WDH_LIM (1LL << 61) /* a change's price and sizes, a time: what pick_changes takes */
#define WDH_GATE (1LL << 62)
#define WDH_NSLOTS 8
/* WDH_NW (_native.h): the walls' prices a side's gate holds (more: its range alone) */

enum { W_SYNCED, W_AT, W_START, W_TWIN, W_ST, W_FLOOR, W_HALF, W_SAMPLES };

typedef struct {
    PyObject_HEAD
    vectorcallfunc vectorcall;
    PyObject *det, *on_delta, *judge, *walls, *steps, *cls, *steps_cls, *bid;
    PyObject *side_cls; /* BookSideLevels (its flat index read here), or NULL: best_px() called */
    PyMemberDef *m_ts, *m[WDH_NSLOTS];
    PyObject *descs;
    long long next_ns, tmin;
    int gate; /* 1: next_ns and tmin set; 0: every message to on_delta */
    long long due, blo, bhi, alo, ahi;
    int wgate; /* 1: the walls' gate set; 0: _judge for every message while a wall stands */
    int band; /* 1: the bands' entries set (set's six numbers): a change at no wall matters only within
               * its side's band, up to its distance bucket's entry; 0: up to tmin, every price */
    long long half[2], ent[2][DIST_NB], emin[2]; /* [0] the bids', [1] the asks'; emin: the lower entry */
    int nw[2]; /* each side's walls' prices as handed over (px[s][0..nw[s])); -1: not handed over (the range alone) */
    long long px[2][WDH_NW];
    long long quiet[2][WDH_NW]; /* a change at px[s][k] under quiet[s][k] within its side's band: nothing
                                 * for _judge (a candidate dipping under its entry; -2^62: every change) */
    long long hold[2][WDH_NW]; /* a change at px[s][k] up to hold[s][k] within its side's band (not over its old
                                * size where rise[s][k] is 0): _level's work on a steady candidate, done here
                                * (_native_wdh_hold.c) when no other change matters (2^62: none) */
    char rise[2][WDH_NW];
} wdh_Hook;

typedef struct { /* a message's changes at steady candidates (wdh_matters' 3) */
    int n;
    Py_ssize_t idx[WDH_HOLD_MAX];
    long long dist[WDH_HOLD_MAX], hold[WDH_HOLD_MAX];
} wdh_Holds;

static PyObject *wdh_s_stats, *wdh_s_applied, *wdh_s_add_many, *wdh_s_observe, *wdh_s_book, *wdh_s_sides[2],
    *wdh_s_best_px;

#define wdh_int in_range_fast /* (_native.h) */

/* The slot descriptor's PyMemberDef (an object slot of cls), or NULL. */
static PyMemberDef *wdh_member(PyObject *d, PyObject *cls)
{
    if (Py_TYPE(d) != &PyMemberDescr_Type)
        return NULL;
    PyMemberDescrObject *m = (PyMemberDescrObject *)d;
    if (m->d_common.d_type != (PyTypeObject *)cls || m->d_member->type != T_OBJECT_EX)
        return NULL;
    return m->d_member;
}

/* A slot's object, borrowed (NULL: unset). */
#define SLOT(obj, m) (*(PyObject **)((char *)(obj) + (m)->offset))

static void wdh_put(PyObject *obj, PyMemberDef *m, PyObject *v)
{
    PyObject **p = (PyObject **)((char *)obj + m->offset);
    PyObject *old = *p;
    *p = Py_NewRef(v);
    Py_XDECREF(old);
}

/* A LargeSteps of the class the hook was built for, whose slots the observe reads set, its store a
 * StepStore, synced and started (else 0: the window's own observe). */
static int wdh_window(wdh_Hook *h, PyObject *w, long long *at)
{
    if (Py_TYPE(w) != (PyTypeObject *)h->steps_cls)
        return 0;
    for (int i = 0; i < WDH_NSLOTS; i++)
        if (SLOT(w, h->m[i]) == NULL)
            return 0;
    long long synced, start;
    int r;
    if ((r = wdh_int(SLOT(w, h->m[W_SYNCED]), WDH_GATE, &synced)) <= 0 || synced < 0
        || (r = wdh_int(SLOT(w, h->m[W_START]), WDH_GATE, &start)) <= 0 || start < 0
        || (r = wdh_int(SLOT(w, h->m[W_AT]), WDH_GATE, at)) <= 0)
        return r < 0 ? -1 : 0;
    return Py_TYPE(SLOT(w, h->m[W_ST])) == &stp_StoreType;
}

static int wdh_add(PyObject *samples, PyObject *now, PyObject *got)
{
    if (got == Py_None || !PyObject_IsTrue(got))
        return 0;
    if (samples == NULL) { /* (unset while the pass ran Python code: what observe would meet) */
        PyErr_SetString(PyExc_AttributeError, "samples");
        return -1;
    }
    PyObject *a[3] = {samples, now, got};
    PyObject *r = PyObject_VectorcallMethod(wdh_s_add_many, a, 3, NULL);
    Py_XDECREF(r);
    return r == NULL ? -1 : 0;
}

/* LargeSteps.observe(changes, now) for h->steps: 0 done; -1 error. In C where the windows are as
 * wdh_window takes them; else the window's own observe (nothing written before). */
static int wdh_observe(wdh_Hook *h, PyObject *sym, PyObject *changes, PyObject *now)
{
    PyObject *w = h->steps;
    long long at, n, oat = 0;
    int r = wdh_window(h, w, &at);
    if (r < 0)
        return -1;
    PyObject *o = NULL, *na = NULL;
    if (r == 0 || !PyList_CheckExact(changes))
        goto own;
    if (PyList_GET_SIZE(changes) == 0)
        return 0;
    PyObject *stats = PyObject_GetAttr(sym, wdh_s_stats);
    if (stats == NULL)
        return -1;
    na = PyObject_GetAttr(stats, wdh_s_applied);
    Py_DECREF(stats);
    if (na == NULL)
        return -1;
    if ((r = wdh_int(na, WDH_GATE, &n)) <= 0) {
        Py_DECREF(na);
        if (r < 0)
            return -1;
        na = NULL;
        goto own;
    }
    if (n == at) {
        Py_DECREF(na);
        return 0;
    }
    o = SLOT(w, h->m[W_TWIN]);
    if (o != Py_None) {
        if ((r = wdh_window(h, o, &oat)) <= 0) {
            Py_DECREF(na);
            if (r < 0)
                return -1;
            na = NULL;
            goto own;
        }
        if (oat == n)
            o = NULL; /* (it saw this message: this window alone, as observe does) */
    } else
        o = NULL;
    /* (held while the pass runs: reading a best price may run Python code) */
    PyObject *st = Py_NewRef(SLOT(w, h->m[W_ST]));
    Py_XINCREF(o);
    PyObject *a[8] = {o ? Py_NewRef(SLOT(o, h->m[W_ST])) : Py_None, changes, sym, now, SLOT(w, h->m[W_FLOOR]),
                      SLOT(w, h->m[W_HALF]), o ? SLOT(o, h->m[W_FLOOR]) : ZERO, o ? SLOT(o, h->m[W_HALF]) : ZERO};
    PyObject *old_at = Py_NewRef(SLOT(w, h->m[W_AT])), *old_oat = o ? Py_NewRef(SLOT(o, h->m[W_AT])) : NULL;
    wdh_put(w, h->m[W_AT], na);
    if (o)
        wdh_put(o, h->m[W_AT], na);
    PyObject *got = stp_observe((StepStore *)st, a, 8);
    Py_DECREF(st);
    if (o)
        Py_DECREF(a[0]);
    if (got == Py_NotImplemented) { /* (nothing changed: the window's own observe, as if not seen) */
        Py_DECREF(got);
        wdh_put(w, h->m[W_AT], old_at);
        if (o)
            wdh_put(o, h->m[W_AT], old_oat);
        Py_DECREF(old_at);
        Py_XDECREF(old_oat);
        Py_XDECREF(o);
        Py_DECREF(na);
        na = NULL;
        goto own;
    }
    Py_DECREF(old_at);
    Py_XDECREF(old_oat);
    Py_DECREF(na);
    r = got == NULL ? -1 : 0;
    if (got != NULL && got != Py_None) {
        r = wdh_add(SLOT(w, h->m[W_SAMPLES]), now, PyTuple_GET_ITEM(got, 0));
        if (r == 0 && o)
            r = wdh_add(SLOT(o, h->m[W_SAMPLES]), now, PyTuple_GET_ITEM(got, 1));
    }
    Py_XDECREF(got);
    Py_XDECREF(o);
    return r;
own:;
    PyObject *b[3] = {w, changes, now};
    PyObject *res = PyObject_VectorcallMethod(wdh_s_observe, b, 3, NULL);
    Py_XDECREF(res);
    return res == NULL ? -1 : 0;
}

/* One change of the list read: its side (1: the asks'), price and new size; 1 read; 0 not what
 * pick_changes takes; -1 with an error set. (Inlined: the gate reads every change of most messages.) */
static inline __attribute__((always_inline)) int wdh_change(wdh_Hook *h, PyObject *c, int *ask, long long *px,
                                                            long long *old, long long *nw)
{
    int r = 0;
    if (!PyTuple_CheckExact(c) || PyTuple_GET_SIZE(c) != 4 || (r = wdh_int(PyTuple_GET_ITEM(c, 1), WDH_LIM, px)) <= 0
        || (r = wdh_int(PyTuple_GET_ITEM(c, 2), WDH_LIM, old)) <= 0
        || (r = wdh_int(PyTuple_GET_ITEM(c, 3), WDH_LIM, nw)) <= 0)
        return r < 0 ? -1 : 0;
    *ask = PyTuple_GET_ITEM(c, 0) != h->bid;
    return 1;
}

/* sym.book.<bids|asks>.best_px(): 1 read into *best; 0 an empty side (None); 2 not an exact int
 * within +-2^61; -1 with an error set. */
static int wdh_best(wdh_Hook *h, PyObject *sym, int ask, long long *best)
{
    PyObject *book = PyObject_GetAttr(sym, wdh_s_book);
    if (book == NULL)
        return -1;
    PyObject *side = PyObject_GetAttr(book, wdh_s_sides[ask]);
    Py_DECREF(book);
    if (side == NULL)
        return -1;
    if (h->side_cls != NULL && Py_TYPE(side) == (PyTypeObject *)h->side_cls) {
        /* best_px(): self._r * flat[-1] if flat else None, where the index is a flat list (read here
         * when it is a list and _r and its last key exact ints: else best_px() itself) */
        PyObject *idx = PyObject_GetAttr(side, S_index), *flat = idx ? PyObject_GetAttr(idx, S_flat) : NULL;
        PyObject *r = flat ? PyObject_GetAttr(side, S_r) : NULL;
        Py_XDECREF(idx);
        long long rv, k;
        int got = -2;
        if (r == NULL)
            got = -1;
        else if (PyList_CheckExact(flat) && in_range_fast(r, 2, &rv) > 0 && (rv == 1 || rv == -1)) {
            Py_ssize_t n = PyList_GET_SIZE(flat);
            if (n == 0)
                got = 0;
            else if (in_range_fast(PyList_GET_ITEM(flat, n - 1), WDH_LIM, &k) > 0) {
                *best = rv * k;
                got = 1;
            }
        }
        Py_XDECREF(flat);
        Py_XDECREF(r);
        if (got != -2) {
            Py_DECREF(side);
            return got;
        }
    }
    PyObject *av[1] = {side};
    PyObject *b = PyObject_VectorcallMethod(wdh_s_best_px, av, 1 | PY_VECTORCALL_ARGUMENTS_OFFSET, NULL);
    Py_DECREF(side);
    if (b == NULL)
        return -1;
    int r = b == Py_None ? 0 : wdh_int(b, WDH_LIM, best);
    if (r == 0 && b != Py_None)
        r = 2;
    Py_DECREF(b);
    return r;
}

/* Is px (side ask) within its side's walls' range and, where their prices were handed over, one of
 * them? 0 no; 1 yes; 2 at a wall whose quiet size nw is under (nothing to _judge when px lies
 * within its side's band: a candidate dipping under its entry stays as it is); 3 at a steady
 * candidate that nw holds (up to its hold size; not over old unless it may rise: within its side's
 * band, _level's work the hook does itself), its index into *k. */
static inline int wdh_at_wall(wdh_Hook *h, int ask, long long px, long long old, long long nw, int *k)
{
    if (ask ? !(h->alo <= px && px <= h->ahi) : !(h->blo <= px && px <= h->bhi))
        return 0;
    int n = h->nw[ask];
    if (n < 0)
        return 1;
    for (int i = 0; i < n; i++)
        if (h->px[ask][i] == px) {
            *k = i;
            if (!h->band)
                return 1;
            if (nw < h->quiet[ask][i])
                return 2;
            return nw >= h->hold[ask][i] && (h->rise[ask][i] || nw <= old) ? 3 : 1;
        }
    return 0;
}

/* The gate on the changes (walls: a wall stands and the walls' gate is set): 1 when one may matter
 * to _judge, 0 when none does, 2 when a change (or a best price read) is not what pick_changes
 * takes (on_delta then), -1 with an error set. A change may matter at a wall's price on its side
 * (walls; at a candidate dipping under its entry, only outside its side's band: _level lets it
 * fall back there), or: with the bands' entries set, within its side's band around its best
 * price (read only when a change reaches the side's lower entry or is at such a candidate), up
 * to its distance bucket's entry, as _judge's pick and _level test it; without them, up to tmin
 * at any price. */
static int wdh_matters(wdh_Hook *h, PyObject *sym, PyObject *changes, int walls, wdh_Holds *hs)
{
    if (!PyList_CheckExact(changes))
        return 2;
    int need[2] = {0, 0}, ask, r, band = h->band, at, k;
    long long px, old, nw, lim[2] = {band ? h->emin[0] : h->tmin, band ? h->emin[1] : h->tmin};
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(changes); i++) {
        if ((r = wdh_change(h, PyList_GET_ITEM(changes, i), &ask, &px, &old, &nw)) <= 0)
            return r < 0 ? -1 : 2;
        if (walls && (at = wdh_at_wall(h, ask, px, old, nw, &k)) != 0) {
            if (at == 1)
                return 1;
            need[ask] = 1;
        } else if (nw >= lim[ask]) {
            if (!band)
                return 1;
            need[ask] = 1;
        }
    }
    if (!need[0] && !need[1])
        return 0;
    long long best[2] = {0, 0};
    int has[2] = {0, 0};
    for (int s = 0; s < 2; s++) /* (Python code may run here: nothing of the list is held) */
        if (need[s] && (has[s] = wdh_best(h, sym, s, &best[s])) != 0 && has[s] != 1)
            return has[s];
    if (!h->gate || !h->band || (walls && !h->wgate))
        return 2; /* (the numbers were handed over again meanwhile: on_delta) */
    hs->n = 0;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(changes); i++) {
        if ((r = wdh_change(h, PyList_GET_ITEM(changes, i), &ask, &px, &old, &nw)) <= 0)
            return r < 0 ? -1 : 2;
        long long d = px < best[ask] ? best[ask] - px : px - best[ask];
        if (walls && (at = wdh_at_wall(h, ask, px, old, nw, &k)) != 0) {
            if (at == 1 || has[ask] != 1 || d > h->half[ask])
                return 1;
            if (at == 3) { /* (a steady candidate's: _level's work, if nothing else matters) */
                if (hs->n == WDH_HOLD_MAX)
                    return 1;
                hs->idx[hs->n] = i, hs->dist[hs->n] = d, hs->hold[hs->n] = h->hold[ask][k];
                hs->n++;
            }
        } else if (has[ask] == 1 && nw >= h->emin[ask] && d <= h->half[ask] && nw >= h->ent[ask][dist_bucket(d)])
            return 1;
    }
    return hs->n ? 3 : 0;
}

static PyObject *wdh_call(wdh_Hook *h, PyObject *const *args, size_t nargsf, PyObject *kw)
{
    if (PyVectorcall_NARGS(nargsf) != 3 || kw != NULL) {
        PyErr_SetString(PyExc_TypeError, "hook(sym, delta, changes)");
        return NULL;
    }
    PyObject *sym = args[0], *delta = args[1], *changes = args[2];
    if (!h->gate || Py_TYPE(delta) != (PyTypeObject *)h->cls)
        return PyObject_Vectorcall(h->on_delta, args, 3, NULL);
    PyObject *now = SLOT(delta, h->m_ts);
    long long t;
    int r;
    if (now == NULL || (r = wdh_int(now, WDH_LIM, &t)) == 0)
        return PyObject_Vectorcall(h->on_delta, args, 3, NULL);
    if (r < 0)
        return NULL;
    Py_INCREF(now);
    PyObject *res = NULL;
    if (h->steps != Py_None && wdh_observe(h, sym, changes, now) < 0)
        goto done;
    /* (the observe may run Python code: the gate is read after it) */
    if (!h->gate) {
        res = PyObject_Vectorcall(h->on_delta, args, 3, NULL);
        goto done;
    }
    if (t < h->next_ns) {
        wdh_Holds hs;
        if (PyDict_GET_SIZE(h->walls) == 0)
            r = wdh_matters(h, sym, changes, 0, &hs);
        else if (h->wgate && t < h->due)
            r = wdh_matters(h, sym, changes, 1, &hs);
        else
            r = 1;
        if (r == 3) /* (every change that matters at a steady candidate: its _level done here; 1: _judge) */
            r = wdh_hold_apply(h->walls, changes, hs.idx, hs.dist, hs.hold, hs.n);
        if (r < 0)
            goto done;
        if (r == 0) {
            res = PyList_New(0);
            goto done;
        }
        if (r == 2) {
            res = PyObject_Vectorcall(h->on_delta, args, 3, NULL);
            goto done;
        }
    }
    PyObject *a[3] = {sym, now, changes};
    res = PyObject_Vectorcall(h->judge, a, 3, NULL);
done:
    Py_DECREF(now);
    return res;
}

static PyObject *wdh_set(wdh_Hook *h, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2 && nargs != 6) {
        PyErr_SetString(PyExc_TypeError, "set(next_stats_ns, tmin[, bid_half, ask_half, bid_entries, ask_entries])");
        return NULL;
    }
    long long a, b, half[2] = {0, 0}, ent[2][DIST_NB];
    int r = wdh_int(args[0], WDH_GATE, &a);
    if (r > 0)
        r = wdh_int(args[1], WDH_GATE, &b);
    for (int s = 0; s < 2 && r > 0 && nargs == 6; s++) {
        PyObject *e = args[4 + s];
        if ((r = wdh_int(args[2 + s], WDH_GATE, &half[s])) <= 0)
            break;
        if (!PyTuple_CheckExact(e) || PyTuple_GET_SIZE(e) != DIST_NB || half[s] < 0) {
            r = 0;
            break;
        }
        for (int k = 0; k < DIST_NB && r > 0; k++)
            r = wdh_int(PyTuple_GET_ITEM(e, k), WDH_GATE, &ent[s][k]);
    }
    if (r < 0)
        return NULL;
    h->gate = r;
    h->band = r && nargs == 6;
    if (r)
        h->next_ns = a, h->tmin = b;
    if (h->band)
        for (int s = 0; s < 2; s++) {
            h->half[s] = half[s];
            h->emin[s] = WDH_GATE;
            for (int k = 0; k < DIST_NB; k++) {
                h->ent[s][k] = ent[s][k];
                if (ent[s][k] < h->emin[s])
                    h->emin[s] = ent[s][k];
            }
        }
    Py_RETURN_NONE;
}

int wjg_side_entries(PyObject *thr, PyObject *ratio, PyObject *p90s, long long *ent, long long *low); /* _native_wjg.c */

/* band(next_stats_ns, tmin, bid_half, ask_half, bid_threshold, ask_threshold, ratio, bid_p90s, ask_p90s):
 * set(next_stats_ns, tmin, bid_half, ask_half, *entries) with the entries worked out here
 * (wjg_side_entries: wall_hook.entries' twin) from each side's threshold (None: none), the
 * distance ratio and its DistanceBaseline's p90s; returns (lowest bid entry, lowest ask entry).
 * NotImplemented, the hook left as it was, for anything C does not take (the twin then). */
static PyObject *wdh_band(wdh_Hook *h, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 9) {
        PyErr_SetString(PyExc_TypeError,
                        "band(next_stats_ns, tmin, bid_half, ask_half, bid_threshold, ask_threshold, ratio, bid_p90s, ask_p90s)");
        return NULL;
    }
    long long a, b, half[2], ent[2][DIST_NB], low[2];
    int r = wdh_int(args[0], WDH_GATE, &a);
    if (r > 0)
        r = wdh_int(args[1], WDH_GATE, &b);
    for (int s = 0; s < 2 && r > 0; s++)
        if ((r = wdh_int(args[2 + s], WDH_GATE, &half[s])) > 0 && half[s] < 0)
            r = 0;
    for (int s = 0; s < 2 && r > 0; s++)
        r = wjg_side_entries(args[4 + s], args[6], args[7 + s], ent[s], &low[s]);
    if (r < 0)
        return NULL;
    if (r == 0)
        Py_RETURN_NOTIMPLEMENTED;
    h->gate = h->band = 1;
    h->next_ns = a, h->tmin = b;
    for (int s = 0; s < 2; s++) {
        h->half[s] = half[s];
        h->emin[s] = low[s];
        memcpy(h->ent[s], ent[s], sizeof ent[s]);
    }
    return Py_BuildValue("(LL)", low[0], low[1]);
}

/* The standing walls' gate set and on: the due time, each side's price range, and (nw[s] >= 0) its
 * first nw[s] prices with their quiet and hold sizes and rise flags (nw[s] -1: its range alone). */
static void wdh_gate_set(wdh_Hook *h, long long due, const long long lo[2], const long long hi[2], const int nw[2],
                         long long px[2][WDH_NW], long long quiet[2][WDH_NW], long long hold[2][WDH_NW],
                         char rise[2][WDH_NW])
{
    h->wgate = 1;
    h->due = due, h->blo = lo[0], h->bhi = hi[0], h->alo = lo[1], h->ahi = hi[1];
    for (int s = 0; s < 2; s++) {
        h->nw[s] = nw[s];
        for (int k = 0; k < nw[s]; k++)
            h->px[s][k] = px[s][k], h->quiet[s][k] = quiet[s][k], h->hold[s][k] = hold[s][k], h->rise[s][k] = rise[s][k];
    }
}

static PyObject *wdh_walls(wdh_Hook *h, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 5 && nargs != 7 && nargs != 9 && nargs != 13) {
        PyErr_SetString(PyExc_TypeError, "walls(due_ns, bid_lo, bid_hi, ask_lo, ask_hi[, bid_prices, ask_prices[, "
                                         "bid_quiet, ask_quiet[, bid_hold, ask_hold, bid_rise, ask_rise]]])");
        return NULL;
    }
    long long v[5], px[2][WDH_NW], qt[2][WDH_NW], hd[2][WDH_NW], ri;
    char rs[2][WDH_NW];
    int r = 1, nw[2] = {-1, -1};
    for (int i = 0; i < 5 && r > 0; i++)
        r = wdh_int(args[i], WDH_GATE, &v[i]);
    for (int s = 0; s < 2 && r > 0 && nargs >= 7; s++) {
        PyObject *t = args[5 + s], *q = nargs >= 9 ? args[7 + s] : NULL;
        PyObject *hl = nargs == 13 ? args[9 + s] : NULL, *rf = nargs == 13 ? args[11 + s] : NULL;
        Py_ssize_t n = PyTuple_CheckExact(t) ? PyTuple_GET_SIZE(t) : -1;
        if (n < 0 || (q != NULL && (!PyTuple_CheckExact(q) || PyTuple_GET_SIZE(q) != n))
            || (hl != NULL && (!PyTuple_CheckExact(hl) || PyTuple_GET_SIZE(hl) != n || !PyTuple_CheckExact(rf)
                               || PyTuple_GET_SIZE(rf) != n))) {
            r = 0;
            break;
        }
        if (n > WDH_NW)
            continue; /* (the range alone) */
        for (Py_ssize_t k = 0; k < n && r > 0; k++) {
            r = wdh_int(PyTuple_GET_ITEM(t, k), WDH_GATE, &px[s][k]);
            qt[s][k] = -WDH_GATE; /* (without the quiet sizes: every change at a wall's price) */
            hd[s][k] = WDH_GATE;  /* (without the hold sizes: no steady candidate) */
            rs[s][k] = 0;
            if (r > 0 && q != NULL)
                r = wdh_int(PyTuple_GET_ITEM(q, k), WDH_GATE, &qt[s][k]);
            if (r > 0 && hl != NULL)
                r = wdh_int(PyTuple_GET_ITEM(hl, k), WDH_GATE, &hd[s][k]);
            if (r > 0 && rf != NULL && (r = wdh_int(PyTuple_GET_ITEM(rf, k), 1, &ri)) > 0) {
                if (ri < 0)
                    r = 0;
                rs[s][k] = (char)ri;
            }
        }
        nw[s] = (int)n;
    }
    if (r < 0)
        return NULL;
    h->wgate = 0;
    if (r)
        wdh_gate_set(h, v[0], (long long[2]){v[1], v[3]}, (long long[2]){v[2], v[4]}, nw, px, qt, hd, rs);
    Py_RETURN_NONE;
}

/* hand(walls, now, persist, p, thr, candidate_due, det, wall_cls, ask): walls(...) with the 13 numbers
 * worked out here from the walls themselves (wdh_hand_read, _native_wdh_hand.c; the twin is
 * wall_hook.hand_walls_py, which reads the same and calls walls()): None; NotImplemented, the hook
 * as it was, for anything C does not take (the twin then). */
static PyObject *wdh_hand(wdh_Hook *h, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 9) {
        PyErr_SetString(PyExc_TypeError, "hand(walls, now, persist, p, thr, candidate_due, det, wall_cls, ask)");
        return NULL;
    }
    PyObject *a[10];
    for (int i = 0; i < 8; i++)
        a[i] = args[i];
    a[8] = h->bid, a[9] = args[8];
    WdhGate g;
    int r = wdh_hand_read(a, &g);
    if (r < 0)
        return NULL;
    if (r == 0)
        Py_RETURN_NOTIMPLEMENTED;
    int nw[2] = {g.n[0] > WDH_NW ? -1 : g.n[0], g.n[1] > WDH_NW ? -1 : g.n[1]};
    wdh_gate_set(h, g.due, g.lo, g.hi, nw, g.px, g.quiet, g.hold, g.rise);
    Py_RETURN_NONE;
}

static PyObject *wdh_entries(wdh_Hook *h, PyObject *Py_UNUSED(ignored))
{
    if (!h->gate || !h->band)
        Py_RETURN_NONE;
    PyObject *e[2] = {PyTuple_New(DIST_NB), PyTuple_New(DIST_NB)};
    for (int s = 0; s < 2; s++)
        for (int k = 0; k < DIST_NB && e[s] != NULL; k++) {
            PyObject *v = PyLong_FromLongLong(h->ent[s][k]);
            if (v == NULL)
                Py_CLEAR(e[s]);
            else
                PyTuple_SET_ITEM(e[s], k, v);
        }
    PyObject *res = e[0] && e[1] ? Py_BuildValue("(LLOO)", h->half[0], h->half[1], e[0], e[1]) : NULL;
    Py_XDECREF(e[0]);
    Py_XDECREF(e[1]);
    return res;
}

static PyObject *wdh_state(wdh_Hook *h, PyObject *Py_UNUSED(ignored))
{
    if (!h->gate)
        Py_RETURN_NONE;
    if (!h->wgate)
        return Py_BuildValue("(LL)", h->next_ns, h->tmin);
    return Py_BuildValue("(LL(LLLLL))", h->next_ns, h->tmin, h->due, h->blo, h->bhi, h->alo, h->ahi);
}

/* One side's px, quiet, hold or rise (which 0..3) as held, a tuple (NULL with an error set). */
static PyObject *wdh_held(wdh_Hook *h, int s, int which)
{
    PyObject *t = PyTuple_New(h->nw[s]);
    for (int k = 0; t != NULL && k < h->nw[s]; k++) {
        long long v = which == 0 ? h->px[s][k] : which == 1 ? h->quiet[s][k] : which == 2 ? h->hold[s][k] : h->rise[s][k];
        PyObject *x = PyLong_FromLongLong(v);
        if (x == NULL)
            Py_CLEAR(t);
        else
            PyTuple_SET_ITEM(t, k, x);
    }
    return t;
}

static PyObject *wdh_walls_state(wdh_Hook *h, PyObject *Py_UNUSED(ignored))
{
    if (!h->wgate)
        Py_RETURN_NONE;
    PyObject *res = PyTuple_New(13);
    if (res == NULL)
        return NULL;
    long long v[5] = {h->due, h->blo, h->bhi, h->alo, h->ahi};
    for (int i = 0; i < 13; i++) {
        PyObject *x = i < 5 ? PyLong_FromLongLong(v[i]) : h->nw[(i - 5) % 2] < 0 ? Py_NewRef(Py_None)
                                                                               : wdh_held(h, (i - 5) % 2, (i - 5) / 2);
        if (x == NULL) {
            Py_DECREF(res);
            return NULL;
        }
        PyTuple_SET_ITEM(res, i, x);
    }
    return res;
}

static PyObject *wdh_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    PyObject *det, *walls, *steps, *cls, *dts, *scls, *d[WDH_NSLOTS], *bid, *side_cls = NULL;
    if (kw != NULL && PyDict_GET_SIZE(kw)) {
        PyErr_SetString(PyExc_TypeError, "WallHook takes no keywords");
        return NULL;
    }
    if (!PyArg_ParseTuple(args, "OO!OO!OO!OOOOOOOOO|O!:WallHook", &det, &PyDict_Type, &walls, &steps, &PyType_Type, &cls,
                          &dts, &PyType_Type, &scls, &d[0], &d[1], &d[2], &d[3], &d[4], &d[5], &d[6], &d[7], &bid,
                          &PyType_Type, &side_cls))
        return NULL;
    PyMemberDef *mts = wdh_member(dts, cls), *m[WDH_NSLOTS];
    int bad = mts == NULL || (steps != Py_None && Py_TYPE(steps) != (PyTypeObject *)scls);
    for (int i = 0; i < WDH_NSLOTS; i++)
        bad |= (m[i] = wdh_member(d[i], scls)) == NULL;
    if (bad) {
        PyErr_SetString(PyExc_ValueError,
                        "WallHook: the delta class's time slot, a window of the steps class (or None), its slots");
        return NULL;
    }
    PyObject *on_delta = PyObject_GetAttrString(det, "on_delta");
    if (on_delta == NULL)
        return NULL;
    PyObject *judge = PyObject_GetAttrString(det, "_judge");
    if (judge == NULL) {
        Py_DECREF(on_delta);
        return NULL;
    }
    wdh_Hook *h = (wdh_Hook *)type->tp_alloc(type, 0);
    if (h == NULL) {
        Py_DECREF(on_delta);
        Py_DECREF(judge);
        return NULL;
    }
    h->vectorcall = (vectorcallfunc)wdh_call;
    h->det = Py_NewRef(det);
    h->on_delta = on_delta;
    h->judge = judge;
    h->walls = Py_NewRef(walls);
    h->steps = Py_NewRef(steps);
    h->cls = Py_NewRef(cls);
    h->steps_cls = Py_NewRef(scls);
    h->bid = Py_NewRef(bid);
    h->side_cls = Py_XNewRef(side_cls);
    h->m_ts = mts;
    for (int i = 0; i < WDH_NSLOTS; i++)
        h->m[i] = m[i];
    h->descs = PyTuple_Pack(9, dts, d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]);
    if (h->descs == NULL) {
        Py_DECREF(h);
        return NULL;
    }
    return (PyObject *)h;
}

static int wdh_traverse(wdh_Hook *h, visitproc visit, void *arg)
{
    Py_VISIT(h->det);
    Py_VISIT(h->on_delta);
    Py_VISIT(h->judge);
    Py_VISIT(h->walls);
    Py_VISIT(h->steps);
    Py_VISIT(h->cls);
    Py_VISIT(h->steps_cls);
    Py_VISIT(h->descs);
    Py_VISIT(h->bid);
    Py_VISIT(h->side_cls);
    return 0;
}

static int wdh_clear(wdh_Hook *h)
{
    Py_CLEAR(h->det);
    Py_CLEAR(h->on_delta);
    Py_CLEAR(h->judge);
    Py_CLEAR(h->walls);
    Py_CLEAR(h->steps);
    Py_CLEAR(h->cls);
    Py_CLEAR(h->steps_cls);
    Py_CLEAR(h->descs);
    Py_CLEAR(h->bid);
    Py_CLEAR(h->side_cls);
    h->gate = h->wgate = h->band = 0;
    return 0;
}

static void wdh_dealloc(wdh_Hook *h)
{
    PyObject_GC_UnTrack(h);
    wdh_clear(h);
    Py_TYPE(h)->tp_free((PyObject *)h);
}

static PyMethodDef wdh_methods[] = {
    {"set", (PyCFunction)(void (*)(void))wdh_set, METH_FASTCALL,
     "set(next_stats_ns, tmin[, bid_half, ask_half, bid_entries, ask_entries]): the gate's numbers, with the bands' "
     "entries (two tuples of ten) or without (anything but exact ints within +-2^62, halves not negative: the gate off)."},
    {"band", (PyCFunction)(void (*)(void))wdh_band, METH_FASTCALL,
     "band(next_stats_ns, tmin, bid_half, ask_half, bid_threshold, ask_threshold, ratio, bid_p90s, ask_p90s): set() "
     "with the entries worked out in C (wall_hook.entries); (lowest bid entry, lowest ask entry), or NotImplemented "
     "(the hook as it was) for anything C does not take."},
    {"walls", (PyCFunction)(void (*)(void))wdh_walls, METH_FASTCALL,
     "walls(due_ns, bid_lo, bid_hi, ask_lo, ask_hi[, bid_prices, ask_prices[, bid_quiet, ask_quiet[, bid_hold, ask_hold, "
     "bid_rise, ask_rise]]]): the standing walls' gate, the prices tuples, their quiet sizes, the steady candidates' hold "
     "sizes and rise flags (0 or 1) (anything but exact ints within +-2^62: off)."},
    {"hand", (PyCFunction)(void (*)(void))wdh_hand, METH_FASTCALL,
     "hand(walls, now, persist, p, thr, candidate_due, det, wall_cls, ask): walls() with its numbers worked out in C "
     "from the walls (wall_hook.hand_walls_py's); None, or NotImplemented (the hook as it was) for anything C does not take."},
    {"entries", (PyCFunction)wdh_entries, METH_NOARGS,
     "(bid_half, ask_half, bid_entries, ask_entries) as set; None without them (or with the gate off)."},
    {"state", (PyCFunction)wdh_state, METH_NOARGS,
     "(next_stats_ns, tmin) as set, with the walls' gate (due_ns, bid_lo, bid_hi, ask_lo, ask_hi) when set; None with the gate off."},
    {"walls_state", (PyCFunction)wdh_walls_state, METH_NOARGS,
     "The walls' gate as held: walls()' 13 numbers (due_ns, bid_lo, bid_hi, ask_lo, ask_hi, bid_prices, ask_prices, "
     "bid_quiet, ask_quiet, bid_hold, ask_hold, bid_rise, ask_rise; a side's four None where it holds its range alone); "
     "None with the walls' gate off."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject wdh_HookType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "dom.core._native.WallHook",
    .tp_basicsize = sizeof(wdh_Hook),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL,
    .tp_doc = "WallDetector.on_delta without its Python frame on the messages that need nothing (the engine's depth hook)",
    .tp_new = wdh_new,
    .tp_dealloc = (destructor)wdh_dealloc,
    .tp_traverse = (traverseproc)wdh_traverse,
    .tp_clear = (inquiry)wdh_clear,
    .tp_vectorcall_offset = offsetof(wdh_Hook, vectorcall),
    .tp_call = PyVectorcall_Call,
    .tp_methods = wdh_methods,
};

int wdh_tail_add(PyObject *m); /* (_native_wdh_tail.c: tail_hill) */

/* The type ready and added to the module m, and tail_hill: 0; -1 with an error set. */
int wdh_register(PyObject *m)
{
    if ((wdh_s_stats = PyUnicode_InternFromString("stats")) == NULL
        || (wdh_s_applied = PyUnicode_InternFromString("applied")) == NULL
        || (wdh_s_add_many = PyUnicode_InternFromString("add_many")) == NULL
        || (wdh_s_observe = PyUnicode_InternFromString("observe")) == NULL
        || (wdh_s_book = PyUnicode_InternFromString("book")) == NULL
        || (wdh_s_sides[0] = PyUnicode_InternFromString("bids")) == NULL
        || (wdh_s_sides[1] = PyUnicode_InternFromString("asks")) == NULL
        || (wdh_s_best_px = PyUnicode_InternFromString("best_px")) == NULL || wdh_hold_init() < 0 || wdh_hand_init() < 0
        || PyType_Ready(&wdh_HookType) < 0)
        return -1;
    return PyModule_AddObjectRef(m, "WallHook", (PyObject *)&wdh_HookType) < 0 ? -1 : wdh_tail_add(m);
}
