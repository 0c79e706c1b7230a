/* dom.core._native.IceWait: what the iceberg-like detector holds between a depth message and its
 * judgement, and the hot numbers of the levels it follows, with integer keys (iceberg_wait.py holds
 * its pure-Python twin, _Wait, and says what each method gives; the tests run one against the
 * other call by call).
 *
 * Held: the picked level changes waiting for the watermark (a ring of records t, ask, px, before,
 * after), and per key (side, price) its trades waiting (a ring of (T, qty)), when its queue of
 * trades began (seq: the order of the twin's dict), the level followed there (an IceLevel, shared
 * with the detector's _Level) and the null control's watch there; a key is held while it has any
 * of the three (_native_ice_tab.c: the table). A method handed what it does not take (a side that
 * is neither of the two, a number that is not an exact int within the limits in _native_ice.h)
 * returns NotImplemented with nothing changed: the detector then moves to the twin (state()). */
#include "_native_ice.h"
#include <structmember.h>

/* 0 bid, 1 ask, -1 neither */
static inline int ask_of(IceWait *w, PyObject *side)
{
    return side == w->bid ? 0 : side == w->ask ? 1 : -1;
}

/* Any exact int, clamped to +-ICE_NEVER (a bound: every held time and price is within +-2^61). */
static int bound(PyObject *o, long long *v)
{
    if (!PyLong_CheckExact(o))
        return 0;
    int over = 0;
    long long x = PyLong_AsLongLongAndOverflow(o, &over);
    if (x == -1 && PyErr_Occurred())
        return -1;
    *v = over > 0 || x > ICE_NEVER ? ICE_NEVER : over < 0 || x < -ICE_NEVER ? -ICE_NEVER : x;
    return 1;
}

#define DECLINE(r) do { if ((r) < 0) return NULL; Py_RETURN_NOTIMPLEMENTED; } while (0)

static PyObject *ice_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    PyObject *bid, *ask;
    long long window;
    int overrun;
    if (!PyArg_ParseTuple(args, "OOLp:IceWait", &bid, &ask, &window, &overrun))
        return NULL;
    if (window < 0 || window > ICE_LIM_W) {
        PyErr_SetString(PyExc_ValueError, "IceWait: the window is within 0..2^60 ns");
        return NULL;
    }
    IceWait *w = (IceWait *)type->tp_alloc(type, 0);
    if (w == NULL)
        return NULL;
    Py_INCREF(bid);
    Py_INCREF(ask);
    w->bid = bid, w->ask = ask;
    w->first = ICE_NEVER;
    w->window_ns = window, w->overrun = overrun;
    return (PyObject *)w;
}

static void ice_dealloc(IceWait *w)
{
    ice_tab_clear(w);
    PyMem_Free(w->slots);
    PyMem_Free(w->pend);
    Py_XDECREF(w->bid);
    Py_XDECREF(w->ask);
    Py_TYPE(w)->tp_free((PyObject *)w);
}

/* trade(side, px, T, qty) -> None | NotImplemented */
static PyObject *ice_trade(IceWait *w, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 4) {
        PyErr_SetString(PyExc_TypeError, "trade(side, px, T, qty)");
        return NULL;
    }
    int ask = ask_of(w, args[0]), r = 1;
    long long px, T, qty;
    if (ask < 0)
        Py_RETURN_NOTIMPLEMENTED;
    if ((r = in_range(args[1], ICE_LIM_T, &px)) <= 0 || (r = in_range(args[2], ICE_LIM_T, &T)) <= 0
        || (r = in_range(args[3], ICE_LIM_Q, &qty)) <= 0)
        DECLINE(r);
    long long key = ICE_KEY(px, ask);
    IceKey *e = ice_find(w, key);
    if (e != NULL && e->mass + (qty < 0 ? -qty : qty) + (e->rec ? llabs(e->rec->traded) : 0) > ICE_LIM_MASS)
        Py_RETURN_NOTIMPLEMENTED;  /* (the volumes a judgement adds up stay exact) */
    if (e == NULL && (e = ice_add(w, key, px, ask)) == NULL)
        return NULL;
    if (e->n == 0) {  /* a new queue of trades there */
        e->seq = ++w->seq;
        if (T < w->first)
            w->first = T;
    }
    if (ice_push(e, T, qty) < 0)
        return NULL;
    w->waiting++;
    Py_RETURN_NONE;
}

static int pend_push(IceWait *w, const long long *rec)
{
    if (w->pn == w->pcap) {
        Py_ssize_t cap = w->pcap ? 2 * w->pcap : 64;
        long long *p = PyMem_Malloc(cap * ICE_REC * sizeof(long long));
        if (p == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        for (Py_ssize_t i = 0; i < w->pn; i++)
            memcpy(p + i * ICE_REC, w->pend + ((w->phead + i) & (w->pcap - 1)) * ICE_REC, ICE_REC * sizeof(long long));
        PyMem_Free(w->pend);
        w->pend = p, w->phead = 0, w->pcap = cap;
    }
    memcpy(w->pend + ((w->phead + w->pn) & (w->pcap - 1)) * ICE_REC, rec, ICE_REC * sizeof(long long));
    w->pn++;
    return 0;
}

/* delta(t, changes, bb, ba) -> None | NotImplemented */
static PyObject *ice_delta(IceWait *w, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 4) {
        PyErr_SetString(PyExc_TypeError, "delta(t, changes, bb, ba)");
        return NULL;
    }
    PyObject *changes = args[1];
    long long t, win[4];
    int r = 1;
    if (!PyList_CheckExact(changes))
        Py_RETURN_NOTIMPLEMENTED;
    if ((r = in_range(args[0], ICE_LIM_T, &t)) <= 0)
        DECLINE(r);
    for (int k = 0; k < 2; k++) {  /* each side's window: within ICE_NEAR of its best; an empty side: none */
        long long best;
        if (args[2 + k] == Py_None) {
            win[2 * k] = ICE_NEVER, win[2 * k + 1] = -ICE_NEVER;
            continue;
        }
        if ((r = bound(args[2 + k], &best)) <= 0)
            DECLINE(r);
        win[2 * k] = best - ICE_NEAR, win[2 * k + 1] = best + ICE_NEAR;
    }
    /* One pass reads and checks every change and keeps those picked (nothing is done on a
     * refusal); then they are queued. */
    Py_ssize_t n = PyList_GET_SIZE(changes), np = 0;
    long long local[32 * ICE_REC], *keep = n <= 32 ? local : PyMem_Malloc(n * ICE_REC * sizeof(long long));
    if (keep == NULL)
        return PyErr_NoMemory();
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *c = PyList_GET_ITEM(changes, i);
        long long *rec = keep + np * ICE_REC;
        int ask;
        if (!PyTuple_CheckExact(c) || PyTuple_GET_SIZE(c) != 4 || (ask = ask_of(w, PyTuple_GET_ITEM(c, 0))) < 0) {
            r = 0;
            goto out;
        }
        for (int k = 1; k < 4; k++)
            if ((r = in_range(PyTuple_GET_ITEM(c, k), k == 1 ? ICE_LIM_T : ICE_LIM_S, &rec[1 + k])) <= 0)
                goto out;
        rec[0] = t;
        rec[1] = ask;
        long long px = rec[2];
        int near = ask ? win[2] <= px && px <= win[3] : win[0] <= px && px <= win[1];
        IceKey *e = near ? NULL : ice_find(w, ICE_KEY(px, ask));
        if (near || (e != NULL && (e->n || e->rec != NULL)))  /* near, or trades waiting there, or followed */
            np++;
    }
    for (Py_ssize_t i = 0; i < np; i++)
        if (pend_push(w, keep + i * ICE_REC) < 0) {
            r = -1;
            goto out;
        }
    r = 1;
out:
    if (keep != local)
        PyMem_Free(keep);
    if (r < 0)
        return NULL;
    if (r == 0)
        Py_RETURN_NOTIMPLEMENTED;
    Py_RETURN_NONE;
}

/* The trades at the front of e's queue stamped at or before t taken off: their volume. */
static long long take(IceWait *w, IceKey *e, long long t)
{
    long long v = 0;
    while (e->n && e->t[e->head] <= t) {
        long long q = e->q[e->head];
        v += q;
        e->mass -= q < 0 ? -q : q;
        e->head = (e->head + 1) & (e->cap - 1);
        e->n--;
        w->waiting--;
    }
    return v;
}

static PyObject *side_obj(IceWait *w, int ask)
{
    return ask ? w->ask : w->bid;
}

static int seq_order(const void *a, const void *b)
{
    long long x = (*(IceKey *const *)a)->seq, y = (*(IceKey *const *)b)->seq;
    return (x > y) - (x < y);
}

/* Append (side, px, n numbers...) to out; -1 with an error set. */
static int emit(PyObject *out, PyObject *side, long long px, const long long *nums, int n)
{
    PyObject *it = PyTuple_New(2 + n);
    if (it == NULL)
        return -1;
    Py_INCREF(side);
    PyTuple_SET_ITEM(it, 0, side);
    for (int k = -1; k < n; k++) {
        PyObject *x = PyLong_FromLongLong(k < 0 ? px : nums[k]);
        if (x == NULL) {
            Py_DECREF(it);
            return -1;
        }
        PyTuple_SET_ITEM(it, 2 + k, x);
    }
    int r = PyList_Append(out, it);
    Py_DECREF(it);
    return r;
}

/* The null control's part of a judgement (iceberg_control.NullControl.on_judged), at key e. */
static void nulls(IceWait *w, IceKey *e, long long t, long long before, long long after, long long v)
{
    int gain = after - before + v > 0;
    if (e->watched) {
        if (t > e->wfe)
            e->watched = 0;
        else if (gain) {
            if (t <= e->wnear && !(e->wstate & 1)) {
                w->counts[1]++;
                e->wstate |= 1;
            }
            else if (e->wfs <= t && !(e->wstate & 2)) {
                w->counts[2]++;
                e->wstate |= 2;
            }
        }
    }
    if (!e->watched && v && before > 0 && 2 * v >= before) {  /* (v >= 0.5 * before, exactly: sizes within 2^53) */
        w->counts[0]++;
        e->wstate = 0;
        if (gain) {
            w->counts[1]++;
            e->wstate = 1;
        }
        e->watched = 1;
        e->wnear = t + w->window_ns, e->wfs = t + ICE_SEC, e->wfe = t + ICE_SEC + w->window_ns;
    }
}

/* _Wait.judge at key (e: its entry or NULL): the flags (0: nothing left to the detector), -1 when
 * not judged at all, -2 with an error set. *ep: the entry after (a new one for a new level). */
static int judge(IceWait *w, IceKey **ep, long long key, long long px, int ask, long long t, long long before,
                 long long after, long long v)
{
    IceKey *e = *ep;
    int flags = 0;
    if (e == NULL || e->rec == NULL) {
        if (v == 0)
            return -1;
        IceLevel *rec = PyObject_New(IceLevel, &IceLevelType);
        if (rec == NULL)
            return -2;
        rec->traded = rec->last = rec->max_q = rec->last_q = 0;
        if (e == NULL && (e = ice_add(w, key, px, ask)) == NULL) {
            Py_DECREF(rec);
            return -2;
        }
        e->rec = rec;
        *ep = e;
        flags = ICE_NEW;
    }
    if (e->watched || (v && before > 0 && 2 * v >= before))
        nulls(w, e, t, before, after, v);
    IceLevel *rec = e->rec;
    if (v) {
        rec->traded += v;
        if (t < rec->last || !rec->last)  /* a new level, or its last trade moves earlier */
            flags |= ICE_PUSH;
        rec->last = t;
        if (w->overrun)
            flags |= ICE_OVR;
    }
    if (before > rec->max_q || after > rec->max_q)
        rec->max_q = before > after ? before : after;
    rec->last_q = after;
    long long r = v - (before - after);
    if (r > 0 && (v > 0 || t - rec->last < w->window_ns))
        flags |= ICE_ADD;
    return flags;
}

/* (side, px, t, before, after, v, flags, rec) */
static PyObject *item(IceWait *w, IceKey *e, long long t, long long before, long long after, long long v, int flags)
{
    PyObject *side = e->ask ? w->ask : w->bid;
    return Py_BuildValue("(OLLLLLiO)", side, e->px, t, before, after, v, flags, (PyObject *)e->rec);
}

/* judge(side, px, t, before, after, v) -> item | None | NotImplemented */
static PyObject *ice_judge(IceWait *w, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 6) {
        PyErr_SetString(PyExc_TypeError, "judge(side, px, t, before, after, v)");
        return NULL;
    }
    int ask = ask_of(w, args[0]), r = 1;
    long long x[5];
    static const long long lim[5] = {ICE_LIM_T, ICE_LIM_T, ICE_LIM_S, ICE_LIM_S, ICE_LIM_MASS};
    if (ask < 0)
        Py_RETURN_NOTIMPLEMENTED;
    for (int k = 0; k < 5; k++)
        if ((r = in_range(args[1 + k], lim[k], &x[k])) <= 0)
            DECLINE(r);
    long long key = ICE_KEY(x[0], ask);
    IceKey *e = ice_find(w, key);
    if (e != NULL && e->rec != NULL && llabs(e->rec->traded) + e->mass + llabs(x[4]) > ICE_LIM_MASS)
        Py_RETURN_NOTIMPLEMENTED;
    int flags = judge(w, &e, key, x[0], ask, x[1], x[2], x[3], x[4]);
    if (flags == -2)
        return NULL;
    if (flags <= 0)
        Py_RETURN_NONE;
    return item(w, e, x[1], x[2], x[3], x[4], flags);
}

/* step(mark) -> item | None | NotImplemented */
static PyObject *ice_step(IceWait *w, PyObject *mark_obj)
{
    long long mark;
    int r = bound(mark_obj, &mark);
    if (r <= 0)
        DECLINE(r);
    while (w->pn && w->pend[w->phead * ICE_REC] <= mark) {
        long long rec[ICE_REC];
        memcpy(rec, w->pend + w->phead * ICE_REC, sizeof rec);
        w->phead = (w->phead + 1) & (w->pcap - 1);
        w->pn--;
        long long key = ICE_KEY(rec[2], (int)rec[1]);
        IceKey *e = ice_find(w, key);
        if (e == NULL)
            continue;  /* no trades waiting there, not followed: nothing to judge */
        long long v = take(w, e, rec[0]);
        if (!v && e->rec == NULL) {
            if (!e->n && !e->watched)
                ice_drop(w, key);
            continue;
        }
        int flags = judge(w, &e, key, rec[2], (int)rec[1], rec[0], rec[3], rec[4], v);
        if (flags == -2)
            return NULL;
        if (flags > 0)
            return item(w, e, rec[0], rec[3], rec[4], v, flags);
    }
    Py_RETURN_NONE;
}

/* late(late) -> [(side, px, v), ...] | None | NotImplemented */
static PyObject *ice_late(IceWait *w, PyObject *late_obj)
{
    long long late;
    int r = bound(late_obj, &late);
    if (r <= 0)
        DECLINE(r);
    if (late < w->first)  /* no trade is that old */
        Py_RETURN_NONE;
    PyObject *lates = NULL;
    IceKey **due = NULL;
    Py_ssize_t nd = 0;
    if (w->used && (due = PyMem_Malloc(w->used * sizeof(IceKey *))) == NULL)
        return PyErr_NoMemory();
    for (Py_ssize_t i = 0; i < w->cap; i++) {
        IceKey *e = w->slots[i];
        if (e != NULL && e->n && e->t[e->head] <= late)
            due[nd++] = e;
    }
    qsort(due, nd, sizeof(IceKey *), seq_order);  /* in the order their queues began */
    for (Py_ssize_t i = 0; i < nd; i++) {
        IceKey *e = due[i];
        long long v = take(w, e, late), px = e->px, key = e->key;
        int ask = e->ask;
        if (!e->n && e->rec == NULL && !e->watched)
            ice_drop(w, key);  /* (frees e; the others stay where they are) */
        if ((lates == NULL && (lates = PyList_New(0)) == NULL) || emit(lates, side_obj(w, ask), px, &v, 1) < 0) {
            PyMem_Free(due);
            Py_XDECREF(lates);
            return NULL;
        }
    }
    PyMem_Free(due);
    long long first = ICE_NEVER;
    for (Py_ssize_t i = 0; i < w->cap; i++) {
        IceKey *e = w->slots[i];
        if (e != NULL && e->n && e->t[e->head] < first)
            first = e->t[e->head];
    }
    w->first = first;
    if (lates == NULL)
        Py_RETURN_NONE;
    return lates;
}

/* unfollow(keys) -> None | NotImplemented: keys a list of (side, px) */
static PyObject *ice_unfollow(IceWait *w, PyObject *keys)
{
    if (!PyList_CheckExact(keys))
        Py_RETURN_NOTIMPLEMENTED;
    Py_ssize_t n = PyList_GET_SIZE(keys);
    int r = 1;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *k = PyList_GET_ITEM(keys, i);
        long long px;
        if (!PyTuple_CheckExact(k) || PyTuple_GET_SIZE(k) != 2 || ask_of(w, PyTuple_GET_ITEM(k, 0)) < 0)
            Py_RETURN_NOTIMPLEMENTED;
        if ((r = in_range(PyTuple_GET_ITEM(k, 1), ICE_LIM_T, &px)) <= 0)
            DECLINE(r);
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *k = PyList_GET_ITEM(keys, i);
        long long px;
        exact_int(PyTuple_GET_ITEM(k, 1), &px);
        long long key = ICE_KEY(px, ask_of(w, PyTuple_GET_ITEM(k, 0)));
        IceKey *e = ice_find(w, key);
        if (e == NULL || e->rec == NULL)
            continue;
        Py_CLEAR(e->rec);
        if (!e->n && !e->watched)
            ice_drop(w, key);
    }
    Py_RETURN_NONE;
}

/* clear(): the waiting changes and trades and the levels followed forgotten; the watches stay */
static PyObject *ice_clear(IceWait *w, PyObject *unused)
{
    long long *drop = w->used ? PyMem_Malloc(w->used * sizeof(long long)) : NULL;
    Py_ssize_t nd = 0;
    if (w->used && drop == NULL)
        return PyErr_NoMemory();
    for (Py_ssize_t i = 0; i < w->cap; i++) {
        IceKey *e = w->slots[i];
        if (e == NULL)
            continue;
        e->head = e->n = 0;
        e->mass = 0;
        Py_CLEAR(e->rec);
        if (!e->watched)
            drop[nd++] = e->key;
    }
    for (Py_ssize_t i = 0; i < nd; i++)
        ice_drop(w, drop[i]);
    PyMem_Free(drop);
    w->phead = w->pn = 0;
    w->waiting = 0;
    w->first = ICE_NEVER;
    Py_RETURN_NONE;
}

static PyObject *ice_sizes(IceWait *w, PyObject *unused)
{
    return Py_BuildValue("(nnn)", w->used, w->waiting, w->pn);
}

static const char *COUNTS[3] = {"depletions", "near_hits", "far_hits"};

static PyObject *ice_counts(IceWait *w, PyObject *unused)
{
    return Py_BuildValue("{sLsLsL}", COUNTS[0], w->counts[0], COUNTS[1], w->counts[1], COUNTS[2], w->counts[2]);
}

/* set_counts(counts) -> None | NotImplemented: a dict with the three counts, exact ints within 2^62 */
static PyObject *ice_set_counts(IceWait *w, PyObject *d)
{
    long long c[3];
    if (!PyDict_Check(d))
        Py_RETURN_NOTIMPLEMENTED;
    for (int k = 0; k < 3; k++) {
        PyObject *x = PyDict_GetItemString(d, COUNTS[k]);
        int r = x == NULL ? 0 : in_range(x, ICE_NEVER, &c[k]);
        if (r <= 0)
            DECLINE(r);
    }
    memcpy(w->counts, c, sizeof c);
    Py_RETURN_NONE;
}

static int key_order(const void *a, const void *b)
{
    const IceKey *x = *(IceKey *const *)a, *y = *(IceKey *const *)b;
    if (x->ask != y->ask)
        return x->ask - y->ask;
    return (x->px > y->px) - (x->px < y->px);
}

/* recs_by_key() -> {(side, px): IceLevel} */
static PyObject *ice_recs(IceWait *w, PyObject *unused)
{
    PyObject *d = PyDict_New();
    if (d == NULL)
        return NULL;
    for (Py_ssize_t i = 0; i < w->cap; i++) {
        IceKey *e = w->slots[i];
        if (e == NULL || e->rec == NULL)
            continue;
        PyObject *k = Py_BuildValue("(OL)", side_obj(w, e->ask), e->px);
        if (k == NULL || PyDict_SetItem(d, k, (PyObject *)e->rec) < 0) {
            Py_XDECREF(k);
            Py_DECREF(d);
            return NULL;
        }
        Py_DECREF(k);
    }
    return d;
}

/* state() -> (pending, trades, followed, watch, counts): as _Wait.state() */
static PyObject *ice_state(IceWait *w, PyObject *unused)
{
    PyObject *pend = PyTuple_New(w->pn), *trades = NULL, *followed = NULL, *watch = NULL;
    IceKey **all = PyMem_Malloc((w->used ? w->used : 1) * sizeof(IceKey *));
    if (pend == NULL || all == NULL)
        goto fail;
    for (Py_ssize_t i = 0; i < w->pn; i++) {
        long long *rec = w->pend + ((w->phead + i) & (w->pcap - 1)) * ICE_REC;
        PyObject *x = Py_BuildValue("(LOLLL)", rec[0], side_obj(w, (int)rec[1]), rec[2], rec[3], rec[4]);
        if (x == NULL)
            goto fail;
        PyTuple_SET_ITEM(pend, i, x);
    }
    Py_ssize_t n = 0;
    for (Py_ssize_t i = 0; i < w->cap; i++)
        if (w->slots[i] != NULL && w->slots[i]->n)
            all[n++] = w->slots[i];
    qsort(all, n, sizeof(IceKey *), seq_order);
    if ((trades = PyTuple_New(n)) == NULL)
        goto fail;
    for (Py_ssize_t i = 0; i < n; i++) {
        IceKey *e = all[i];
        PyObject *q = PyTuple_New(e->n), *x;
        if (q == NULL)
            goto fail;
        for (Py_ssize_t j = 0; j < e->n; j++) {
            Py_ssize_t at = (e->head + j) & (e->cap - 1);
            if ((x = Py_BuildValue("(LL)", e->t[at], e->q[at])) == NULL) {
                Py_DECREF(q);
                goto fail;
            }
            PyTuple_SET_ITEM(q, j, x);
        }
        if ((x = Py_BuildValue("(OLN)", side_obj(w, e->ask), e->px, q)) == NULL)
            goto fail;
        PyTuple_SET_ITEM(trades, i, x);
    }
    for (int part = 0; part < 2; part++) {  /* the followed levels, then the watches */
        Py_ssize_t nf = 0;
        for (Py_ssize_t i = 0; i < w->cap; i++)
            if (w->slots[i] != NULL && (part ? w->slots[i]->watched : w->slots[i]->rec != NULL))
                all[nf++] = w->slots[i];
        qsort(all, nf, sizeof(IceKey *), key_order);
        PyObject *t = PyTuple_New(nf);
        if (t == NULL)
            goto fail;
        *(part ? &watch : &followed) = t;
        for (Py_ssize_t i = 0; i < nf; i++) {
            IceKey *e = all[i];
            PyObject *x = part ? Py_BuildValue("(OLLLLi)", side_obj(w, e->ask), e->px, e->wnear, e->wfs, e->wfe, e->wstate)
                               : Py_BuildValue("(OLLLLL)", side_obj(w, e->ask), e->px, e->rec->traded, e->rec->last,
                                               e->rec->max_q, e->rec->last_q);
            if (x == NULL)
                goto fail;
            PyTuple_SET_ITEM(t, i, x);
        }
    }
    PyMem_Free(all);
    return Py_BuildValue("(NNNN(LLL))", pend, trades, followed, watch, w->counts[0], w->counts[1], w->counts[2]);
fail:
    if (all == NULL)
        PyErr_NoMemory();
    PyMem_Free(all);
    Py_XDECREF(pend);
    Py_XDECREF(trades);
    Py_XDECREF(followed);
    Py_XDECREF(watch);
    return NULL;
}

static PyMethodDef ice_methods[] = {
    {"trade", (PyCFunction)(void (*)(void))ice_trade, METH_FASTCALL, "trade(side, px, T, qty): as _Wait.trade"},
    {"delta", (PyCFunction)(void (*)(void))ice_delta, METH_FASTCALL,
     "delta(t, changes, bb, ba): as _Wait.delta"},
    {"judge", (PyCFunction)(void (*)(void))ice_judge, METH_FASTCALL,
     "judge(side, px, t, before, after, v): as _Wait.judge"},
    {"step", (PyCFunction)ice_step, METH_O, "step(mark): as _Wait.step"},
    {"late", (PyCFunction)ice_late, METH_O, "late(late): as _Wait.late"},
    {"unfollow", (PyCFunction)ice_unfollow, METH_O, "unfollow(keys): as _Wait.unfollow"},
    {"clear", (PyCFunction)ice_clear, METH_NOARGS, "clear(): as _Wait.clear"},
    {"counts", (PyCFunction)ice_counts, METH_NOARGS, "counts(): as _Wait.counts"},
    {"set_counts", (PyCFunction)ice_set_counts, METH_O, "set_counts(counts): as _Wait.set_counts"},
    {"sizes", (PyCFunction)ice_sizes, METH_NOARGS, "sizes(): as _Wait.sizes"},
    {"recs_by_key", (PyCFunction)ice_recs, METH_NOARGS, "recs_by_key(): as _Wait.recs_by_key"},
    {"state", (PyCFunction)ice_state, METH_NOARGS, "state(): as _Wait.state"},
    {NULL, NULL, 0, NULL},
};

static PyMemberDef ice_members[] = {
    {"bid", T_OBJECT, offsetof(IceWait, bid), READONLY, "the bid side's object"},
    {"ask", T_OBJECT, offsetof(IceWait, ask), READONLY, "the ask side's object"},
    {"window_ns", T_LONGLONG, offsetof(IceWait, window_ns), READONLY, "the refill window (ns)"},
    {"overrun", T_BOOL, offsetof(IceWait, overrun), READONLY, "the overrun rule is on"},
    {NULL, 0, 0, 0, NULL},
};

PyTypeObject IceWaitType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "dom.core._native.IceWait",
    .tp_basicsize = sizeof(IceWait),
    .tp_dealloc = (destructor)ice_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "The iceberg-like detector's waiting changes and trades and its levels' numbers "
              "(iceberg_wait.py: _Wait is its twin).",
    .tp_methods = ice_methods,
    .tp_members = ice_members,
    .tp_new = ice_new,
};

static PyMemberDef lvl_members[] = {
    {"traded", T_LONGLONG, offsetof(IceLevel, traded), 0, "volume traded at the level"},
    {"last", T_LONGLONG, offsetof(IceLevel, last), 0, "its last trade's time (0: none)"},
    {"max_q", T_LONGLONG, offsetof(IceLevel, max_q), 0, "the largest size it showed"},
    {"last_q", T_LONGLONG, offsetof(IceLevel, last_q), 0, "the last size it showed"},
    {NULL, 0, 0, 0, NULL},
};

PyTypeObject IceLevelType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "dom.core._native.IceLevel",
    .tp_basicsize = sizeof(IceLevel),
    .tp_dealloc = (destructor)PyObject_Del,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A followed level's numbers (iceberg_wait.py: _Rec is its twin).",
    .tp_members = lvl_members,
};
