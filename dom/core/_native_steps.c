/* dom.core._native.StepStore: what a step window (dom/core/detectors/steps.py) keeps per message,
 * in C structures: the steps kept in the last SAME_NS as one ring of int64 records in the order
 * kept (the move check reads one side's by filtering), and each level's largest recent step in an
 * open-addressing table keyed by (side, price) as one integer. Its methods are
 * step_state.StepState's (dom/core/detectors/step_state.py, where each is documented) and give the
 * same results; the tests run one against the other call by call.
 *
 * What it takes: sides the two objects it was made with; prices, sizes, floors and band widths
 * exact ints within +-2^60, times within +-2^61 (reads clamp a time: nothing stored is past
 * 2^61). Anything else: NotImplemented with nothing changed (the window then moves to the
 * twin). Memory: the ring loses a step once it and every step kept before it are older than
 * SAME_NS (at each step taken), the table its levels older than KEEP_NS (clean(), every
 * CLEAN_NS); both shrink back when they empty out.
 * This file: the ring, the table and the pass (observe); _native_steps_type.c the reads (recent,
 * clean, state) and the type. */
#include <math.h>
#include "_native_steps.h"

/* ----------------------------------------------------------------------------- the ring */

/* Room for k more records: 0; -1 with MemoryError set (nothing changed). */
static int ring_reserve(StepStore *s, Py_ssize_t k)
{
    if (s->n + k <= s->cap)
        return 0;
    Py_ssize_t cap = s->cap ? s->cap : 8;
    while (cap < s->n + k)
        cap *= 2;
    Rec *v = PyMem_Malloc(cap * sizeof(Rec));
    if (v == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < s->n; i++)
        v[i] = *REC(s, i);
    PyMem_Free(s->ring);
    s->ring = v, s->head = 0, s->cap = cap;
    return 0;
}

static void ring_pop(StepStore *s)
{
    s->n--;
    s->head = s->n ? (s->head + 1) & (s->cap - 1) : 0;
}

/* ---------------------------------------------------------------------------- the table */

/* The table rebuilt at tcap slots with the entries whose t is at least lo: 0; -1 with
 * MemoryError set (nothing changed). */
int stp_tab_rebuild(StepStore *s, Py_ssize_t tcap, long long lo)
{
    Slot *v = PyMem_Calloc(tcap, sizeof(Slot));
    if (v == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    Py_ssize_t used = 0;
    for (Py_ssize_t i = 0; i < s->tcap; i++)
        if (s->tab[i].used && s->tab[i].t >= lo) {
            v[slot_of(v, tcap, s->tab[i].key)] = s->tab[i];
            used++;
        }
    PyMem_Free(s->tab);
    s->tab = v, s->tcap = tcap, s->used = used;
    return 0;
}

/* Room for k more entries (the table at most half full): 0; -1 with MemoryError set. */
static int tab_reserve(StepStore *s, Py_ssize_t k)
{
    if (2 * (s->used + k) <= s->tcap)
        return 0;
    Py_ssize_t cap = s->tcap ? s->tcap : 16;
    while (2 * (s->used + k) > cap)
        cap *= 2;
    return stp_tab_rebuild(s, cap, -STP_FAR);
}

/* ------------------------------------------------------------------------------ the pass */

/* StepState._take for a step the window lets through (room reserved): inc into out[*nout]
 * unless a kept order moved here; the level's largest recent step. */
static void take(StepStore *s, long long side, long long px, long long inc, long long now, long long *out,
                 Py_ssize_t *nout)
{
    while (s->n && now - REC(s, 0)->t > STP_SAME_NS)
        ring_pop(s);
    long long lo = px - s->move_ticks, hi = px + s->move_ticks;
    int moved = 0;
    for (Py_ssize_t i = 0; i < s->n; i++) {
        Rec *x = REC(s, i);
        if (x->side == side && x->lo <= inc && inc <= x->hi && lo <= x->px && x->px <= hi && x->px != px) {
            x->t = now, x->px = px;
            moved = 1;
            break;
        }
    }
    if (!moved) {
        out[(*nout)++] = inc;
        long long r = (long long)floor(s->move_tol * (double)inc);
        Rec *x = REC(s, s->n);
        s->n++;
        x->t = now, x->side = side, x->px = px, x->step = inc, x->lo = inc - r, x->hi = inc + r;
    }
    long long key = 2 * px + side;
    Slot *e = &s->tab[slot_of(s->tab, s->tcap, key)];
    if (!e->used) {
        e->used = 1, e->key = key, e->t = now, e->step = inc;
        s->used++;
    } else if (e->step <= inc || now - e->t > STP_KEEP_NS)
        e->t = now, e->step = inc;
}

/* 1 with *v set for an exact int within +-lim; 0 for anything else; -1 with an error set. */
static inline int num(PyObject *o, long long lim, long long *v)
{
    return in_range_fast(o, lim, v);
}

static PyObject *S_book, *S_bids, *S_asks, *S_best_px;

int stp_init(void)
{
    return (S_book = PyUnicode_InternFromString("book")) == NULL || (S_bids = PyUnicode_InternFromString("bids")) == NULL
        || (S_asks = PyUnicode_InternFromString("asks")) == NULL
        || (S_best_px = PyUnicode_InternFromString("best_px")) == NULL ? -1 : 0;
}

/* A BookSideLevels' best price read from its index as best_px() gives it (dom/core/book.py: r x
 * the flat index's last key, None when it is empty): 1 with *has, *v set; 0 when the object is not
 * laid out so (no _index, a tree index, r not +-1, a key past +-2^60): the caller then calls
 * best_px(); -1 with an error set. Nothing here runs Python code. */
static int best_flat(PyObject *lv, int *has, long long *v)
{
    PyObject *idx = PyObject_GetAttr(lv, S_index);
    if (idx == NULL) {
        if (!PyErr_ExceptionMatches(PyExc_AttributeError))
            return -1;
        PyErr_Clear();
        return 0;
    }
    PyObject *flat = PyObject_GetAttr(idx, S_flat);
    Py_DECREF(idx);
    if (flat == NULL) {
        if (!PyErr_ExceptionMatches(PyExc_AttributeError))
            return -1;
        PyErr_Clear();
        return 0;
    }
    int r = 0;
    if (PyList_CheckExact(flat)) {
        Py_ssize_t n = PyList_GET_SIZE(flat);
        PyObject *ro = PyObject_GetAttr(lv, S_r);
        long long k = 0, rv = 0;
        if (ro == NULL) {
            r = PyErr_ExceptionMatches(PyExc_AttributeError) ? 0 : -1;
            if (r == 0)
                PyErr_Clear();
        } else {
            r = exact_int(ro, &rv);
            Py_DECREF(ro);
            if (r > 0 && (rv == 1 || rv == -1)) {
                *has = n > 0;
                if (n > 0) {
                    r = num(PyList_GET_ITEM(flat, n - 1), STP_V, &k);
                    *v = rv * k;
                }
            } else if (r > 0)
                r = 0;
        }
    }
    Py_DECREF(flat);
    return r;
}

/* A side's best price, sym.book.<name>: from its index (best_flat), else best_px() called: 1
 * with *has, *v set (None: *has 0); 0 when it is neither None nor an exact int within +-2^60; -1
 * with an error set. */
static int best_of(PyObject *book, PyObject *name, int *has, long long *v)
{
    PyObject *lv = PyObject_GetAttr(book, name);
    if (lv == NULL)
        return -1;
    int r = best_flat(lv, has, v);
    if (r != 0) {
        Py_DECREF(lv);
        return r;
    }
    PyObject *b = PyObject_CallMethodNoArgs(lv, S_best_px);
    Py_DECREF(lv);
    if (b == NULL)
        return -1;
    *has = b != Py_None;
    r = *has ? num(b, STP_V, v) : 1;
    Py_DECREF(b);
    return r;
}

typedef struct {
    long long side, px, inc;
} Pick;

static PyObject *incs(const long long *v, Py_ssize_t n)
{
    if (n == 0)
        Py_RETURN_NONE;
    PyObject *l = PyList_New(n);
    if (l == NULL)
        return NULL;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *x = PyLong_FromLongLong(v[i]);
        if (x == NULL) {
            Py_DECREF(l);
            return NULL;
        }
        PyList_SET_ITEM(l, i, x);
    }
    return l;
}


/* observe(other, changes, sym, now, fa, ha, fb, hb): StepState.observe. Everything is read and
 * checked (the changes, then the best prices) before anything is written. */
PyObject *stp_observe(StepStore *s, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 8) {
        PyErr_SetString(PyExc_TypeError, "observe(other, changes, sym, now, fa, ha, fb, hb)");
        return NULL;
    }
    PyObject *oo = args[0], *changes = args[1], *sym = args[2];
    StepStore *o = NULL;
    if (oo != Py_None) {
        if (!Py_IS_TYPE(oo, &stp_StoreType) || ((StepStore *)oo)->bid != s->bid || ((StepStore *)oo)->ask != s->ask)
            Py_RETURN_NOTIMPLEMENTED;
        o = (StepStore *)oo;
    }
    long long now, fa, ha, fb, hb;
    int r;
    if ((r = num(args[3], STP_T, &now)) <= 0 || (r = num(args[4], STP_V, &fa)) <= 0
            || (r = num(args[5], STP_V, &ha)) <= 0 || (r = num(args[6], STP_V, &fb)) <= 0
            || (r = num(args[7], STP_V, &hb)) <= 0 || !(r = PyList_CheckExact(changes)))
        return r < 0 ? NULL : Py_NewRef(Py_NotImplemented);
    long long fl = o == NULL || fa < fb ? fa : fb;
    Pick buf[32], *picks = buf;
    Py_ssize_t n = PyList_GET_SIZE(changes), np = 0;
    PyObject *res = NULL;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *c = PyList_GET_ITEM(changes, i);
        long long px, old, nw;
        if (!PyTuple_CheckExact(c) || PyTuple_GET_SIZE(c) != 4 || (r = num(PyTuple_GET_ITEM(c, 1), STP_V, &px)) <= 0
                || (r = num(PyTuple_GET_ITEM(c, 2), STP_V, &old)) <= 0
                || (r = num(PyTuple_GET_ITEM(c, 3), STP_V, &nw)) <= 0) {
            res = r < 0 ? NULL : Py_NewRef(Py_NotImplemented);
            goto done;
        }
        if (nw - old <= fl)
            continue;
        PyObject *side = PyTuple_GET_ITEM(c, 0);
        if (side != s->bid && side != s->ask) {
            res = Py_NewRef(Py_NotImplemented);
            goto done;
        }
        if (np == 32 && picks == buf) {  /* (more steps over the floor than the buffer holds: rare) */
            picks = PyMem_Malloc(n * sizeof(Pick));
            if (picks == NULL) {
                picks = buf;
                res = PyErr_NoMemory();
                goto done;
            }
            memcpy(picks, buf, sizeof buf);
        }
        picks[np].side = side == s->ask, picks[np].px = px, picks[np].inc = nw - old;
        np++;
    }
    if (np == 0) {
        res = Py_NewRef(Py_None);
        goto done;
    }
    /* the best prices, read once (Python code: nothing is written before it) */
    int hb_, ha_;
    long long bb = 0, ba = 0;
    PyObject *book = PyObject_GetAttr(sym, S_book);
    if (book == NULL)
        goto done;
    r = best_of(book, S_bids, &hb_, &bb);
    if (r > 0)
        r = best_of(book, S_asks, &ha_, &ba);
    Py_DECREF(book);
    if (r <= 0) {
        res = r < 0 ? NULL : Py_NewRef(Py_NotImplemented);
        goto done;
    }
    /* the sides' ranges, a window each: [window][side][lo, hi] (an empty side: 0, -1) */
    long long rg[2][2][2];
    long long half[2] = {ha, hb};
    for (int w = 0; w < 2; w++) {
        rg[w][0][0] = hb_ ? bb - half[w] : 0, rg[w][0][1] = hb_ ? bb - STP_NEAR : -1;
        rg[w][1][0] = ha_ ? ba + STP_NEAR : 0, rg[w][1][1] = ha_ ? ba + half[w] : -1;
    }
    Py_ssize_t need = o == s ? 2 * np : np;
    if (ring_reserve(s, need) < 0 || tab_reserve(s, need) < 0
            || (o != NULL && (ring_reserve(o, need) < 0 || tab_reserve(o, need) < 0)))
        goto done;
    long long *out = PyMem_Malloc(2 * np * sizeof(long long));
    if (out == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    Py_ssize_t na = 0, nb = 0;
    for (Py_ssize_t i = 0; i < np; i++) {
        Pick *p = &picks[i];
        long long *a = rg[0][p->side];
        if (p->inc > fa && a[0] <= p->px && p->px <= a[1])
            take(s, p->side, p->px, p->inc, now, out, &na);
        if (o != NULL) {
            long long *b = rg[1][p->side];
            if (p->inc > fb && b[0] <= p->px && p->px <= b[1])
                take(o, p->side, p->px, p->inc, now, out + np, &nb);
        }
    }
    if (na == 0 && nb == 0)
        res = Py_NewRef(Py_None);
    else {
        PyObject *la = incs(out, na), *lb = la == NULL ? NULL : incs(out + np, nb);
        if (lb != NULL)
            res = PyTuple_Pack(2, la, lb);
        Py_XDECREF(la);
        Py_XDECREF(lb);
    }
    PyMem_Free(out);
done:
    if (picks != buf)
        PyMem_Free(picks);
    return res;
}
