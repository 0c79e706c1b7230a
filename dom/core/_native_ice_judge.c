/* dom.core._native.IceWait's judgements (_native_ice.c has the type; iceberg_wait.py, _Wait.judge,
 * step and late, the same in Python): the trades waiting at a key taken, the null control, a
 * followed level's numbers, and the flags of what is left to the detector's rules. */
#include "_native_ice.h"

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
PyObject *ice_judge(IceWait *w, PyObject *const *args, Py_ssize_t nargs)
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

/* step's work, for C callers too (_native_idh.c): the waiting changes up to mark judged in order
 * up to the first that leaves work to the detector: its flags (> 0), with *ep its key's entry,
 * rec[0..ICE_REC) the change and *v the volume attributed; 0 when none is left, -2 with an error
 * set. */
int idh_step_at(IceWait *w, long long mark, IceKey **ep, long long *rec, long long *v)
{
    while (w->pn && w->pend[w->phead * ICE_REC] <= mark) {
        memcpy(rec, w->pend + w->phead * ICE_REC, ICE_REC * sizeof(long long));
        w->phead = (w->phead + 1) & (w->pcap - 1);
        w->pn--;
        long long key = ICE_KEY(rec[2], (int)rec[1]);
        IceKey *e = ice_find(w, key);
        if (e == NULL)
            continue;  /* no trades waiting there, not followed: nothing to judge */
        *v = take(w, e, rec[0]);
        if (!*v && e->rec == NULL) {
            if (!e->n && !e->watched)
                ice_drop(w, key);
            continue;
        }
        int flags = judge(w, &e, key, rec[2], (int)rec[1], rec[0], rec[3], rec[4], *v);
        if (flags == -2)
            return -2;
        if (flags > 0) {
            *ep = e;
            return flags;
        }
    }
    return 0;
}

/* step(mark) -> item | None | NotImplemented */
PyObject *ice_step(IceWait *w, PyObject *mark_obj)
{
    long long mark, rec[ICE_REC], v;
    IceKey *e;
    int r = bound(mark_obj, &mark);
    if (r <= 0)
        DECLINE(r);
    int flags = idh_step_at(w, mark, &e, rec, &v);
    if (flags == -2)
        return NULL;
    if (flags == 0)
        Py_RETURN_NONE;
    return item(w, e, rec[0], rec[3], rec[4], v, flags);
}

/* late(late) -> [(side, px, v), ...] | None | NotImplemented */
PyObject *ice_late(IceWait *w, PyObject *late_obj)
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
    qsort(due, nd, sizeof(IceKey *), ice_seq_order);  /* in the order their queues began */
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

/* Are trades waiting up to late (would late(late) take any)? When none are, what late() would
 * change is changed (first: the earliest trade waiting), as it would: 1 due, 0 not. */
int idh_late_due(IceWait *w, long long late)
{
    if (late < w->first)
        return 0;
    long long first = ICE_NEVER;
    for (Py_ssize_t i = 0; i < w->cap; i++) {
        IceKey *e = w->slots[i];
        if (e == NULL || !e->n)
            continue;
        if (e->t[e->head] <= late)
            return 1;
        if (e->t[e->head] < first)
            first = e->t[e->head];
    }
    w->first = first;
    return 0;
}
