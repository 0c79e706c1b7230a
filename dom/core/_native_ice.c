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
 * returns NotImplemented with nothing changed: the detector then moves to the twin (state()). What
 * the tests and the move to the twin read (state(), sizes(), ...) is in _native_ice_read.c; the
 * judgements (judge(), step(), late()) in _native_ice_judge.c. */
#include "_native_ice.h"
#include <structmember.h>

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
    if ((r = idh_delta_at(w, t, changes, win)) <= 0)
        DECLINE(r);
    Py_RETURN_NONE;
}

/* delta's work, t within ICE_LIM_T, changes a list, win each side's window (lo, hi: bids, asks): 1
 * done, 0 not taken (nothing changed), -1 with an error set. */
int idh_delta_at(IceWait *w, long long t, PyObject *changes, const long long *win)
{
    int r = 1;
    /* One pass reads and checks every change and keeps those picked (nothing is done on a
     * refusal); then they are queued. */
    Py_ssize_t n = PyList_GET_SIZE(changes), np = 0, cap = 32;
    /* (only the changes picked are kept: a few a message; the heap only past 32 of them) */
    long long local[32 * ICE_REC], *keep = local;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *c = PyList_GET_ITEM(changes, i);
        if (np == cap) {  /* (np < n here: room for every change left) */
            long long *more = PyMem_Malloc(n * ICE_REC * sizeof(long long));
            if (more == NULL) {
                PyErr_NoMemory();
                r = -1;
                goto out;
            }
            memcpy(more, keep, np * ICE_REC * sizeof(long long));
            keep = more;
            cap = n;
        }
        long long *rec = keep + np * ICE_REC;
        int ask;
        if (!PyTuple_CheckExact(c) || PyTuple_GET_SIZE(c) != 4 || (ask = ask_of(w, PyTuple_GET_ITEM(c, 0))) < 0) {
            r = 0;
            goto out;
        }
        for (int k = 1; k < 4; k++)
            if ((r = in_range_fast(PyTuple_GET_ITEM(c, k), k == 1 ? ICE_LIM_T : ICE_LIM_S, &rec[1 + k])) <= 0)
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
    return r;
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

/* IceWait.trade's work for a caller in C (_native_trd.c's iceberg trade hook): args are
 * (side, px, T, qty); None, NotImplemented (nothing changed) or NULL, as the method. */
PyObject *ice_trade_args(PyObject *w, PyObject *const *args)
{
    return ice_trade((IceWait *)w, args, 4);
}
