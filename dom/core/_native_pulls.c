/* dom.core._native: pulled liquidity's work at each depth message, pulls_delta() (delta_py and the
 * functions it calls in dom/core/detectors/spoof_delta.py are the same steps in Python). */
#include <limits.h>
#include "_native_pstore.h"

#define LIM61 (1LL << 61)
#define LIM62 (1LL << 62)
#define SEC 1000000000LL
#define PULLS_STACK 128  /* changes a message holds on the stack */

enum {
    N__level, N__maybe_pull, N_popleft, N_q, N_popped,
    N_book, N_bids, N_asks, N_held, N_COUNT
};
static const char *NAMES[N_COUNT] = {
    "_level", "_maybe_pull", "popleft", "q", "popped",
    "book", "bids", "asks", "held"};

/* SpoofDetector.held, in order (spoof_delta.held). */
enum { H_st, H_trades, H_threshold, H_half, H_d0, H_approach, H_window, H_keep, H_reach, H_no_range, H_median,
       H_ratio, H_drop, H_level_drop, H_queue_ticks, H_level_big, H_level_order, H_pk, H_lim, H_COUNT };
/* det.lim's places (spoof.py's LIM_ names) */
enum { L_next, L_lo, L_hi, L_big, L_tb, L_ta, L_depth, L_prev, L_COUNT };
static PyObject *N[N_COUNT];
_Static_assert(H_COUNT == PDH_HELD, "det.held's length");
_Static_assert(L_COUNT == PDH_LIM, "det.lim's length");

static int names(void)
{
    if (N[0] != NULL)
        return 0;
    for (int i = 0; i < N_COUNT; i++)
        if ((N[i] = PyUnicode_InternFromString(NAMES[i])) == NULL)
            return -1;
    return 0;
}

/* det.lim[i] (H[H_lim], a list), a new reference; NULL with an error set when it no longer holds
 * L_COUNT items. */
static PyObject *lim_get(PyObject *const *H, Py_ssize_t i)
{
    PyObject *lim = H[H_lim];
    if (PyList_GET_SIZE(lim) != L_COUNT) {
        PyErr_SetString(PyExc_ValueError, "det.lim: a list of eight");
        return NULL;
    }
    return Py_NewRef(PyList_GET_ITEM(lim, i));
}

/* det.lim[i] = v: 0, -1 with an error set. */
static int lim_set(PyObject *const *H, Py_ssize_t i, PyObject *v)
{
    return lim_put(H[H_lim], i, v);
}

/* f(args...), its result dropped; 0, -1 with an error set. */
static int call(PyObject *f, PyObject *const *av, Py_ssize_t n)
{
    PyObject *got = PyObject_Vectorcall(f, av, n, NULL);
    Py_XDECREF(got);
    return got == NULL ? -1 : 0;
}

/* Drop the front of the deque-like dq while it is not empty and its first item's item 0 is less
 * than horizon (bound: horizon as an int, made here when first needed, for an item 0 that is not an
 * exact int within +-2^62); how many went (>= 0), -1 with an error set. */
static Py_ssize_t drop_front(PyObject *dq, long long horizon, PyObject **bound)
{
    Py_ssize_t gone = 0;
    for (;;) {
        Py_ssize_t n = PyObject_Size(dq);
        if (n < 0)
            return -1;
        if (n == 0)
            return gone;
        PyObject *x = PySequence_GetItem(dq, 0), *t = NULL;
        if (x == NULL)
            return -1;
        int cmp = -1;
        long long v;
        if (PyTuple_CheckExact(x) && PyTuple_GET_SIZE(x) > 0
                && in_range_fast(PyTuple_GET_ITEM(x, 0), LIM62, &v) > 0)
            cmp = v < horizon;
        else if ((t = PySequence_GetItem(x, 0)) != NULL
                 && (*bound != NULL || (*bound = PyLong_FromLongLong(horizon)) != NULL))
            cmp = PyObject_RichCompareBool(t, *bound, Py_LT);
        Py_DECREF(x);
        Py_XDECREF(t);
        if (cmp <= 0)
            return cmp < 0 ? -1 : gone;
        PyObject *av[1] = {dq};
        PyObject *got = PyObject_VectorcallMethod(N[N_popleft], av, 1 | PY_VECTORCALL_ARGUMENTS_OFFSET, NULL);
        if (got == NULL)
            return -1;
        Py_DECREF(got);
        gone++;
    }
}

/* The book's bid and ask levels (dicts), read once a message when first needed into lv[0], lv[1],
 * and its two sides into lv[2], lv[3]: from sides (the book's two sides) where the caller read them,
 * else from sym.book. 0, -1 with an error set. */
static int book_levels(PyObject *sym, PyObject *const *sides, PyObject **lv)
{
    if (lv[0] != NULL)
        return 0;
    PyObject *book = NULL, *bids = NULL, *asks = NULL;
    if (sides == NULL) {
        if ((book = PyObject_GetAttr(sym, N[N_book])) == NULL || (bids = PyObject_GetAttr(book, N[N_bids])) == NULL
                || (asks = PyObject_GetAttr(book, N[N_asks])) == NULL)
            goto done;
    } else {
        bids = Py_NewRef(sides[0]);
        asks = Py_NewRef(sides[1]);
    }
    if ((lv[0] = PyObject_GetAttr(bids, S_levels)) != NULL && (lv[1] = PyObject_GetAttr(asks, S_levels)) == NULL)
        Py_CLEAR(lv[0]);
    if (lv[0] != NULL) {
        lv[2] = Py_NewRef(bids);
        lv[3] = Py_NewRef(asks);
    }
done:
    Py_XDECREF(book);
    Py_XDECREF(bids);
    Py_XDECREF(asks);
    return lv[0] == NULL ? -1 : 0;
}

/* The kit: (bid, ask, TakerTape, tick_py, rest_py, loop_py, end_py). */
enum { K_BID, K_ASK, K_TAPE, K_TICK, K_REST, K_LOOP, K_END, K_COUNT };

/* The taker tapes and size increases before now - det.keep_ns dropped, the candidates brought up
 * to the message and the dead ones removed (the store's sweep), the range set (end_py). tb..ha: as
 * the loop read them. 0, -1 with an error set. */
static int end(PyObject *det, PyObject *sym, PyObject *now, long long t_now, int nbb, long long bb, int nba,
               long long ba, PyObject *const *kit, PyObject *const *H, int ntb, long long tb, int nta, long long ta,
               long long hb, long long ha, long long lo0, long long hi0, PyObject *const *sides, PyObject **lv)
{
    PStore *st = (PStore *)H[H_st];
    PyObject *trades = H[H_trades];
    long long keep, horizon;
    int r = -1;
    Py_ssize_t pos = 0;
    PyObject *k, *v;
    int plain = PyDict_CheckExact(trades) && (r = in_range_fast(H[H_keep], LIM61, &keep)) > 0;
    while (plain && PyDict_Next(trades, &pos, &k, &v))
        plain = Py_TYPE(v) == (PyTypeObject *)kit[K_TAPE];
    if (!plain) {  /* (nothing done yet) */
        if (r < 0)
            return -1;
        PyObject *bo = nbb ? Py_NewRef(Py_None) : PyLong_FromLongLong(bb);
        PyObject *ao = nba ? Py_NewRef(Py_None) : PyLong_FromLongLong(ba);
        PyObject *av[5] = {det, sym, now, bo, ao};
        r = bo && ao ? call(kit[K_END], av, 5) : -1;
        Py_XDECREF(bo);
        Py_XDECREF(ao);
        return r;
    }
    r = -1;
    horizon = t_now - keep;
    PyObject *hz = NULL;  /* horizon as an int, if needed */
    PyObject *lo_o = NULL, *hi_o = NULL;
    pos = 0;
    while (PyDict_Next(trades, &pos, &k, &v)) {  /* TakerTape.expire where its front is old */
        Py_INCREF(v);
        PyObject *q = PyObject_GetAttr(v, N[N_q]);
        Py_ssize_t gone = q == NULL ? -1 : drop_front(q, horizon, &hz);
        if (gone > 0) {
            PyObject *popped = PyObject_GetAttr(v, N[N_popped]), *n = PyLong_FromSsize_t(gone);
            PyObject *sum = popped && n ? PyNumber_Add(popped, n) : NULL;
            if (sum == NULL || PyObject_SetAttr(v, N[N_popped], sum) < 0)
                gone = -1;
            Py_XDECREF(popped);
            Py_XDECREF(n);
            Py_XDECREF(sum);
        }
        Py_XDECREF(q);
        Py_DECREF(v);
        if (gone < 0)
            goto done;
    }
    ps_expire(st, horizon);
    if (st->n == 0) {
        r = 0;
        goto done;
    }
    long long approach, window, lo, hi;
    if ((r = in_range_fast(H[H_approach], LIM61, &approach)) <= 0
            || (r = in_range_fast(H[H_window], LIM61, &window)) <= 0) {
        if (r == 0)
            PyErr_SetString(PyExc_TypeError, "held: the approach and drop windows are ints");
        r = -1;
        goto done;
    }
    r = -1;
    if (book_levels(sym, sides, lv) < 0)
        goto done;
    if (ps_sweep(st, nbb, bb, nba, ba, ntb, tb, nta, ta, hb, ha, lv[0], lv[1], t_now, t_now - approach, t_now - window,
                 &lo, &hi) < 0)
        goto done;
    /* (the range as the loop left it, lo0..hi0, stays: an equal int in its place is no change) */
    if ((lo != lo0 && ((lo_o = PyLong_FromLongLong(lo)) == NULL || lim_set(H, L_lo, lo_o) < 0))
            || (hi != hi0 && ((hi_o = PyLong_FromLongLong(hi)) == NULL || lim_set(H, L_hi, hi_o) < 0)))
        goto done;
    r = 0;
done:
    Py_XDECREF(hz);
    Py_XDECREF(lo_o);
    Py_XDECREF(hi_o);
    return r;
}

/* One level change, read and checked before the loop. */
typedef struct {
    PyObject *t;  /* the change (a new reference: a hook may empty the list) */
    PyObject *side, *px, *before, *after;  /* borrowed from it */
    long long p, b, a;
    int bid;
} Change;

/* pulls_delta(det, sym, changes, now, bb, ba, kit) -> None | NotImplemented: delta_py(det, sym,
 * changes, now, bb, ba) of spoof_delta.py, with the detector's store (candidates, mids, size
 * increases: a PullStore, worked on directly), tapes, thresholds, half widths and constants read
 * from det.held (spoof_delta.held: the same objects; what the loop reads of the detector and its
 * depth times in det.lim, its last item). NotImplemented, nothing done, when kit is not a tuple of
 * seven, det.held missing, not a tuple of 18, its store not a PullStore (the Python twin) or its
 * lim not a list of eight, now, bb or ba not what it takes (an exact int within +-2^62; None or an exact int within
 * +-2^61). Past the mids and the statistics (tick_py, in Python), what the loop reads is checked:
 * anything else than the detector holds (changes a list of exact 4-tuples of a side and exact ints
 * within +-2^61; the thresholds, big, half widths, reach and spoof_min_d0_ticks None or such ints,
 * the range and no_range ints within +-2^62) hands the message on to rest_py; a candidates' range
 * no longer such ints after _level, the changes after it to loop_py; the rest is end() (end_py for
 * tapes or dicts of another kind). pdh_delta is that once the kit and held are checked (the depth
 * hook's, _native_pdh.c, which hands the book's sides it read). */
PyObject *pdh_delta(PyObject *const *args, PyObject *const *kit, PyObject *const *H, PyObject *const *sides)
{
    if (names() < 0)
        return NULL;
    PyObject *det = args[0], *sym = args[1], *changes = args[2], *now = args[3], *bb = args[4], *ba = args[5];
    long long t_now, vbb = 0, vba = 0;
    int nbb, nba, r;
    if ((r = in_range_fast(now, LIM62, &t_now)) <= 0 || (r = pdh_opt_int(bb, LIM61, &vbb, &nbb)) <= 0
            || (r = pdh_opt_int(ba, LIM61, &vba, &nba)) <= 0) {
        if (r < 0)
            return NULL;
        Py_RETURN_NOTIMPLEMENTED;
    }
    /* The mids of the last second, the statistics. */
    PStore *st = (PStore *)H[H_st];
    if (ps_mid(st, t_now, !nbb && !nba, vbb + vba) < 0)
        return NULL;
    PyObject *nx = lim_get(H, L_next);
    long long vnx;
    int ge = nx == NULL ? -1 : in_range_fast(nx, LIM62, &vnx);
    if (ge > 0)
        ge = t_now >= vnx;
    else if (ge == 0)
        ge = PyObject_RichCompareBool(now, nx, Py_GE);
    Py_XDECREF(nx);
    if (ge < 0)
        return NULL;
    if (ge > 0) {
        PyObject *av[3] = {det, sym, now};
        if (call(kit[K_TICK], av, 3) < 0)
            return NULL;
    }

    /* What the loop reads, read once and checked (no hook below changes a threshold). */
    PyObject *o[5] = {NULL};  /* lo, hi, big, tb, ta */
    static const int which[5] = {L_lo, L_hi, L_big, L_tb, L_ta};
    PyObject *hb_o = NULL, *ha_o = NULL, *res = NULL;
    Gate gate = {0};
    PyObject *lv[4] = {NULL, NULL, NULL, NULL};  /* the book's levels and sides, once read */
    Change stack[PULLS_STACK], *cs = stack;  /* (a real book's message holds ~68 changes: the heap past 128) */
    Py_ssize_t n = 0, held = 0;
    for (int i = 0; i < 5; i++)
        if ((o[i] = lim_get(H, which[i])) == NULL)
            goto fail;
    PyObject *thr_d = H[H_threshold], *tb_o = o[3], *ta_o = o[4], *half = H[H_half];
    PyObject *no_range = H[H_no_range];
    long long lo, hi, reach = 0, big, tb = 0, ta = 0, hb = 0, ha = 0, d0, ilo = 0, ihi = 0;
    int nreach, ntb, nta, thr, ok;
    if ((thr = PyObject_IsTrue(thr_d)) < 0)
        goto fail;
    if (PyDict_CheckExact(half)) {
        hb_o = PyDict_GetItemWithError(half, kit[K_BID]);
        ha_o = hb_o ? PyDict_GetItemWithError(half, kit[K_ASK]) : NULL;
        if (ha_o == NULL && PyErr_Occurred())
            goto fail;
        Py_XINCREF(hb_o);
        Py_XINCREF(ha_o);
    }
    ok = PyList_CheckExact(changes) && hb_o != NULL && ha_o != NULL
         && PyTuple_CheckExact(no_range) && PyTuple_GET_SIZE(no_range) == 2;
    if (ok && ((r = in_range_fast(o[0], LIM62, &lo)) <= 0 || (r = in_range_fast(o[1], LIM62, &hi)) <= 0
               || (r = pdh_opt_int(H[H_reach], LIM61, &reach, &nreach)) <= 0
               || (r = in_range_fast(o[2], LIM61, &big)) <= 0
               || (r = pdh_opt_int(tb_o, LIM61, &tb, &ntb)) <= 0 || (r = pdh_opt_int(ta_o, LIM61, &ta, &nta)) <= 0
               || (r = in_range_fast(hb_o, LIM61, &hb)) <= 0 || (r = in_range_fast(ha_o, LIM61, &ha)) <= 0
               || (r = in_range_fast(H[H_d0], LIM61, &d0)) <= 0)) {
        if (r < 0)
            goto fail;
        ok = 0;
    }
    if (ok) {
        if (!nreach && lo <= hi) {
            ilo = lo - reach;
            ihi = hi + reach;
        } else if ((r = in_range_fast(PyTuple_GET_ITEM(no_range, 0), LIM62, &ilo)) <= 0
                   || (r = in_range_fast(PyTuple_GET_ITEM(no_range, 1), LIM62, &ihi)) <= 0) {
            if (r < 0)
                goto fail;
            ok = 0;
        }
    }
    if (ok) {
        n = PyList_GET_SIZE(changes);
        if (n > PULLS_STACK && (cs = PyMem_Malloc(n * sizeof(Change))) == NULL) {
            PyErr_NoMemory();
            goto fail;
        }
        for (Py_ssize_t i = 0; ok && i < n; i++) {
            PyObject *c = PyList_GET_ITEM(changes, i);
            Change *x = &cs[i];
            if (!PyTuple_CheckExact(c) || PyTuple_GET_SIZE(c) != 4) {
                ok = 0;
                break;
            }
            x->t = Py_NewRef(c);
            held++;
            x->side = PyTuple_GET_ITEM(c, 0);
            x->px = PyTuple_GET_ITEM(c, 1);
            x->before = PyTuple_GET_ITEM(c, 2);
            x->after = PyTuple_GET_ITEM(c, 3);
            x->bid = x->side == kit[K_BID];
            if (!x->bid && x->side != kit[K_ASK]) {  /* (not a side: the store keys none) */
                ok = 0;
                break;
            }
            if ((r = in_range_fast(x->px, LIM61, &x->p)) <= 0 || (r = in_range_fast(x->before, LIM61, &x->b)) <= 0
                    || (r = in_range_fast(x->after, LIM61, &x->a)) <= 0) {
                if (r < 0)
                    goto fail;
                ok = 0;
            }
        }
    }
    if (!ok) {  /* the rest in Python */
        PyObject *av[6] = {det, sym, changes, now, bb, ba};
        if (call(kit[K_REST], av, 6) < 0)
            goto fail;
        res = Py_NewRef(Py_None);
        goto fail;
    }
    /* pick's arguments (changes.pick_py), the loop (loop_py) over what it keeps: over the changes
     * as they were (pick's list was a copy; loop_py's slice is one). */
    long long ptb = ntb || nbb ? LIM62 : tb, pta = nta || nba ? LIM62 : ta, inc = big ? big - 1 : LIM62;
    long long blo = nbb ? 0 : vbb - hb, bhi = nbb ? 0 : vbb - d0, alo = nba ? 0 : vba + d0, ahi = nba ? 0 : vba + ha;
    long long plo = lo, phi = hi;
    for (Py_ssize_t i = 0; i < n; i++) {
        Change *x = &cs[i];
        long long px = x->p, before = x->b, after = x->a;
        int up = x->bid ? after >= ptb && blo <= px && px <= bhi : after >= pta && alo <= px && px <= ahi;
        if (up) {
            if (px < plo)
                plo = px;
            if (px > phi)
                phi = px;
        } else if (!((plo <= px && px <= phi) || (after - before > inc && ilo <= px && px <= ihi)))
            continue;
        int level = 0;  /* 1: _level called (a new candidate, perhaps) */
        int k = !x->bid;  /* the store's side */
        PCand *c = NULL;  /* (found again after any Python call: the store may have moved it) */
        r = 0;
        if (after < big) {
            if (lo <= px && px <= hi && (c = ps_find(st, k, px)) != NULL)
                r = ps_seen(c, t_now, after);
        } else {
            if (big && after - before >= big && ilo <= px && px <= ihi)
                r = ps_ring_push(&st->adds[k], t_now, px, after - before);
            if (r == 0 && (st->n || (thr && after >= big))) {
                int nt = x->bid ? ntb : nta;
                long long t = x->bid ? tb : ta;
                int known = lo <= px && px <= hi && (c = ps_find(st, k, px)) != NULL;
                if (known)  /* what _level does to a known candidate */
                    r = ps_seen(c, t_now, after);
                else if (!nt && after >= t) {
                    int nb = x->bid ? nbb : nba;
                    long long b = x->bid ? vbb : vba, d = x->bid ? b - px : px - b;
                    if (!nb && d >= d0 && d <= (x->bid ? hb : ha)) {
                        r = pl_level(H[H_pk], H[H_threshold], H[H_lim], st, k, x->side, x->px, px, x->after, after,
                                     now, t_now, d);
                        if (r == 0) {  /* (not taken: the method) */
                            PyObject *av[6] = {det, sym, x->side, x->px, x->after, now};
                            PyObject *got = PyObject_VectorcallMethod(N[N__level], av,
                                                                      6 | PY_VECTORCALL_ARGUMENTS_OFFSET, NULL);
                            Py_XDECREF(got);
                            r = got == NULL ? -1 : 0;
                        } else if (r > 0)
                            r = 0;
                        level = 1;
                        if (r == 0)
                            c = ps_find(st, k, px);
                    }
                }
            }
        }
        long long gv[3];  /* pull_gate's 2: the largest size kept, the band median, the queue beside it */
        if (r == 0 && c != NULL && after < before && !c->pending && (r = book_levels(sym, sides, lv)) == 0
                && (r = pull_gate(&gate, &H[H_median], lv[0], lv[1], c, after, x->side, gv)) > 0) {
            /* the rest of _maybe_pull in C where the detector hands it a pull kit, else the method */
            PyObject *prev = r == 2 && H[H_pk] != Py_None ? lim_get(H, L_prev) : NULL;
            if (r == 2 && H[H_pk] != Py_None)
                r = prev == NULL ? -1 : pjd_pull(H[H_pk], det, st, c, x->side, kit[x->bid ? K_ASK : K_BID], x->px,
                                                  x->after, after, now, t_now, x->bid ? nbb : nba, x->bid ? vbb : vba,
                                                  lv[x->bid ? 2 : 3], H[H_threshold], H[H_trades], prev, gv);
            else
                r = 0;
            Py_XDECREF(prev);
            if (r == 0) {
                PyObject *av[6] = {det, sym, x->side, x->px, x->after, now};
                PyObject *got = PyObject_VectorcallMethod(N[N__maybe_pull], av, 6 | PY_VECTORCALL_ARGUMENTS_OFFSET,
                                                          NULL);
                if (got == NULL)
                    r = -1;
                Py_XDECREF(got);
            } else if (r > 0)
                r = 0;
        }
        if (r < 0)
            goto fail;
        if (level) {  /* the candidates' range as _level left it */
            PyObject *lo_o = lim_get(H, L_lo);
            PyObject *hi_o = lo_o ? lim_get(H, L_hi) : NULL;
            int ok2 = hi_o == NULL ? -1 : in_range_fast(lo_o, LIM62, &lo);
            if (ok2 > 0)
                ok2 = in_range_fast(hi_o, LIM62, &hi);
            if (ok2 == 0) {  /* the changes after it in Python */
                PyObject *left = PyList_New(n - i - 1), *ix = PyLong_FromLong(0);
                PyObject *pl = PyLong_FromLongLong(plo), *ph = PyLong_FromLongLong(phi);
                PyObject *il = PyLong_FromLongLong(ilo), *ih = PyLong_FromLongLong(ihi);
                for (Py_ssize_t j = i + 1; left && j < n; j++)
                    PyList_SET_ITEM(left, j - i - 1, Py_NewRef(cs[j].t));
                if (left && ix && pl && ph && il && ih) {
                    PyObject *av[13] = {det, sym, left, ix, now, bb, ba, lo_o, hi_o, pl, ph, il, ih};
                    ok2 = call(kit[K_LOOP], av, 13) < 0 ? -1 : 2;
                } else
                    ok2 = -1;
                Py_XDECREF(left);
                Py_XDECREF(ix);
                Py_XDECREF(pl);
                Py_XDECREF(ph);
                Py_XDECREF(il);
                Py_XDECREF(ih);
            }
            Py_XDECREF(lo_o);
            Py_XDECREF(hi_o);
            if (ok2 < 0)
                goto fail;
            if (ok2 == 2) {
                lo = hi = LLONG_MIN;  /* (loop_py may have moved det's range: end() sets it) */
                break;
            }
        }
    }
    if (end(det, sym, now, t_now, nbb, vbb, nba, vba, kit, H, ntb, tb, nta, ta, hb, ha, lo, hi, sides, lv) < 0)
        goto fail;
    res = Py_NewRef(Py_None);
fail:
    for (int i = 0; i < 5; i++)
        Py_XDECREF(o[i]);
    Py_XDECREF(hb_o);
    Py_XDECREF(ha_o);
    gate_clear(&gate);
    for (int i = 0; i < 4; i++)
        Py_XDECREF(lv[i]);
    for (Py_ssize_t i = 0; i < held; i++)
        Py_DECREF(cs[i].t);
    if (cs != stack)
        PyMem_Free(cs);
    return res;
}

PyObject *pulls_delta(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 7) {
        PyErr_SetString(PyExc_TypeError, "pulls_delta(det, sym, changes, now, bb, ba, kit)");
        return NULL;
    }
    if (names() < 0)
        return NULL;
    PyObject *kit = args[6];
    if (!PyTuple_CheckExact(kit) || PyTuple_GET_SIZE(kit) != K_COUNT)
        Py_RETURN_NOTIMPLEMENTED;
    PyObject *held = PyObject_GetAttr(args[0], N[N_held]);
    if (held == NULL) {  /* (no held: not the detector C knows) */
        if (!PyErr_ExceptionMatches(PyExc_AttributeError))
            return NULL;
        PyErr_Clear();
        Py_RETURN_NOTIMPLEMENTED;
    }
    PyObject *res = PyTuple_CheckExact(held) && PyTuple_GET_SIZE(held) == H_COUNT
                    && Py_TYPE(PyTuple_GET_ITEM(held, H_st)) == &PStoreType
                    && PyList_CheckExact(PyTuple_GET_ITEM(held, H_lim))
                    && PyList_GET_SIZE(PyTuple_GET_ITEM(held, H_lim)) == L_COUNT
                    ? pdh_delta(args, &PyTuple_GET_ITEM(kit, 0), &PyTuple_GET_ITEM(held, 0), NULL)
                    : Py_NewRef(Py_NotImplemented);
    Py_DECREF(held);
    return res;
}
