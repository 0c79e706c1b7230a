/* dom.core._native.IceWait: what the iceberg-like detector holds between a depth message and its
 * judgement, with integer keys (iceberg_wait.py holds its pure-Python twin, _Wait, and says what
 * each method gives; the tests run one against the other call by call).
 *
 * Held: the picked level changes waiting for the watermark (a ring of records t, ask, px, before,
 * after), and per key (side, price) its trades waiting (a ring of (T, qty)), when its queue of
 * trades began (seq: the order of the twin's dict) and whether the detector follows the level
 * there; a key is held while it has trades waiting or is followed (_native_ice_tab.c: the table).
 * A method handed what it does not take (a side that is neither of the two, a number that is not
 * an exact int within the limits in _native_ice.h) returns NotImplemented with nothing changed:
 * the detector then moves to the twin (state()). */
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
    if (!PyArg_ParseTuple(args, "OO:IceWait", &bid, &ask))
        return NULL;
    IceWait *w = (IceWait *)type->tp_alloc(type, 0);
    if (w == NULL)
        return NULL;
    Py_INCREF(bid);
    Py_INCREF(ask);
    w->bid = bid, w->ask = ask;
    w->first = ICE_NEVER;
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
    if (e != NULL && e->mass + (qty < 0 ? -qty : qty) > ICE_LIM_MASS)
        Py_RETURN_NOTIMPLEMENTED;  /* (the volumes a drain adds up stay exact) */
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

/* delta(t, changes, blo, bhi, alo, ahi) -> None | NotImplemented */
static PyObject *ice_delta(IceWait *w, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 6) {
        PyErr_SetString(PyExc_TypeError, "delta(t, changes, blo, bhi, alo, ahi)");
        return NULL;
    }
    PyObject *changes = args[1];
    long long t, win[4];
    int r = 1;
    if (!PyList_CheckExact(changes))
        Py_RETURN_NOTIMPLEMENTED;
    if ((r = in_range(args[0], ICE_LIM_T, &t)) <= 0)
        DECLINE(r);
    for (int k = 0; k < 4; k++)
        if ((r = bound(args[2 + k], &win[k])) <= 0)
            DECLINE(r);
    Py_ssize_t n = PyList_GET_SIZE(changes);
    for (Py_ssize_t i = 0; i < n; i++) {  /* everything checked first: nothing done on a refusal */
        PyObject *c = PyList_GET_ITEM(changes, i);
        long long x;
        if (!PyTuple_CheckExact(c) || PyTuple_GET_SIZE(c) != 4 || ask_of(w, PyTuple_GET_ITEM(c, 0)) < 0)
            Py_RETURN_NOTIMPLEMENTED;
        for (int k = 1; k < 4; k++)
            if ((r = in_range(PyTuple_GET_ITEM(c, k), ICE_LIM_T, &x)) <= 0)
                DECLINE(r);
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *c = PyList_GET_ITEM(changes, i);
        long long rec[ICE_REC];
        rec[0] = t;
        rec[1] = ask_of(w, PyTuple_GET_ITEM(c, 0));
        for (int k = 1; k < 4; k++)
            exact_int(PyTuple_GET_ITEM(c, k), &rec[1 + k]);
        long long px = rec[2];
        int near = rec[1] ? win[2] <= px && px <= win[3] : win[0] <= px && px <= win[1];
        if ((near || ice_find(w, ICE_KEY(px, (int)rec[1])) != NULL) && pend_push(w, rec) < 0)
            return NULL;
    }
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

/* drain(mark, late) -> None | (items, lates) | NotImplemented */
static PyObject *ice_drain(IceWait *w, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "drain(mark, late)");
        return NULL;
    }
    long long mark, late;
    int r = 1;
    if ((r = bound(args[0], &mark)) <= 0 || (r = bound(args[1], &late)) <= 0)
        DECLINE(r);
    PyObject *items = NULL, *lates = NULL;
    IceKey **due = NULL;
    while (w->pn && w->pend[w->phead * ICE_REC] <= mark) {
        long long rec[ICE_REC];
        memcpy(rec, w->pend + w->phead * ICE_REC, sizeof rec);
        w->phead = (w->phead + 1) & (w->pcap - 1);
        w->pn--;
        long long key = ICE_KEY(rec[2], (int)rec[1]), v = 0;
        IceKey *e = ice_find(w, key);
        if (e == NULL)
            continue;  /* no trades waiting there, not followed: nothing to judge */
        v = take(w, e, rec[0]);
        if (v)
            e->followed = 1;  /* (the detector follows every level it attributes trades to) */
        if (!e->followed) {
            if (!e->n)
                ice_drop(w, key);
            continue;
        }
        long long nums[4] = {rec[0], rec[3], rec[4], v};
        if ((items == NULL && (items = PyList_New(0)) == NULL) || emit(items, side_obj(w, (int)rec[1]), rec[2], nums, 4) < 0)
            goto fail;
    }
    if (late >= w->first) {  /* some trade may be that old: look */
        Py_ssize_t nd = 0;
        if (w->used && (due = PyMem_Malloc(w->used * sizeof(IceKey *))) == NULL) {
            PyErr_NoMemory();
            goto fail;
        }
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
            if (v)
                e->followed = 1;
            if (!e->n && !e->followed)
                ice_drop(w, key);  /* (frees e; the others stay where they are) */
            if ((lates == NULL && (lates = PyList_New(0)) == NULL) || emit(lates, side_obj(w, ask), px, &v, 1) < 0)
                goto fail;
        }
        PyMem_Free(due);
        due = NULL;
        long long first = ICE_NEVER;
        for (Py_ssize_t i = 0; i < w->cap; i++) {
            IceKey *e = w->slots[i];
            if (e != NULL && e->n && e->t[e->head] < first)
                first = e->t[e->head];
        }
        w->first = first;
    }
    if (items == NULL && lates == NULL)
        Py_RETURN_NONE;
    if (items == NULL && (items = PyList_New(0)) == NULL)
        goto fail;
    if (lates == NULL && (lates = PyList_New(0)) == NULL)
        goto fail;
    PyObject *res = PyTuple_Pack(2, items, lates);
    Py_DECREF(items);
    Py_DECREF(lates);
    return res;
fail:
    PyMem_Free(due);
    Py_XDECREF(items);
    Py_XDECREF(lates);
    return NULL;
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
        if (e == NULL)
            continue;
        e->followed = 0;
        if (!e->n)
            ice_drop(w, key);
    }
    Py_RETURN_NONE;
}

static PyObject *ice_clear(IceWait *w, PyObject *unused)
{
    ice_tab_clear(w);
    w->phead = w->pn = 0;
    w->waiting = 0;
    w->first = ICE_NEVER;
    Py_RETURN_NONE;
}

static PyObject *ice_sizes(IceWait *w, PyObject *unused)
{
    return Py_BuildValue("(nnn)", w->used, w->waiting, w->pn);
}

static int follow_order(const void *a, const void *b)
{
    const IceKey *x = *(IceKey *const *)a, *y = *(IceKey *const *)b;
    if (x->ask != y->ask)
        return x->ask - y->ask;
    return (x->px > y->px) - (x->px < y->px);
}

/* state() -> (pending, trades, followed): as _Wait.state() */
static PyObject *ice_state(IceWait *w, PyObject *unused)
{
    PyObject *pend = PyTuple_New(w->pn), *trades = NULL, *followed = NULL;
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
    Py_ssize_t n = 0, nf = 0;
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
    for (Py_ssize_t i = 0; i < w->cap; i++)
        if (w->slots[i] != NULL && w->slots[i]->followed)
            all[nf++] = w->slots[i];
    qsort(all, nf, sizeof(IceKey *), follow_order);
    if ((followed = PyTuple_New(nf)) == NULL)
        goto fail;
    for (Py_ssize_t i = 0; i < nf; i++) {
        PyObject *x = Py_BuildValue("(OL)", side_obj(w, all[i]->ask), all[i]->px);
        if (x == NULL)
            goto fail;
        PyTuple_SET_ITEM(followed, i, x);
    }
    PyMem_Free(all);
    return Py_BuildValue("(NNN)", pend, trades, followed);
fail:
    if (all == NULL)
        PyErr_NoMemory();
    PyMem_Free(all);
    Py_XDECREF(pend);
    Py_XDECREF(trades);
    Py_XDECREF(followed);
    return NULL;
}

static PyMethodDef ice_methods[] = {
    {"trade", (PyCFunction)(void (*)(void))ice_trade, METH_FASTCALL, "trade(side, px, T, qty): as _Wait.trade"},
    {"delta", (PyCFunction)(void (*)(void))ice_delta, METH_FASTCALL,
     "delta(t, changes, blo, bhi, alo, ahi): as _Wait.delta"},
    {"drain", (PyCFunction)(void (*)(void))ice_drain, METH_FASTCALL, "drain(mark, late): as _Wait.drain"},
    {"unfollow", (PyCFunction)ice_unfollow, METH_O, "unfollow(keys): as _Wait.unfollow"},
    {"clear", (PyCFunction)ice_clear, METH_NOARGS, "clear(): as _Wait.clear"},
    {"sizes", (PyCFunction)ice_sizes, METH_NOARGS, "sizes(): as _Wait.sizes"},
    {"state", (PyCFunction)ice_state, METH_NOARGS, "state(): as _Wait.state"},
    {NULL, NULL, 0, NULL},
};

static PyMemberDef ice_members[] = {
    {"bid", T_OBJECT, offsetof(IceWait, bid), READONLY, "the bid side's object"},
    {"ask", T_OBJECT, offsetof(IceWait, ask), READONLY, "the ask side's object"},
    {NULL, 0, 0, 0, NULL},
};

PyTypeObject IceWaitType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "dom.core._native.IceWait",
    .tp_basicsize = sizeof(IceWait),
    .tp_dealloc = (destructor)ice_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "The iceberg-like detector's waiting changes and trades (iceberg_wait.py: _Wait is its twin).",
    .tp_methods = ice_methods,
    .tp_members = ice_members,
    .tp_new = ice_new,
};
