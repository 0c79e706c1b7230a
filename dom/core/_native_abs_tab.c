/* dom.core._native.AbsSide's rings of (t, q) (pruned from the oldest, as the Python deques are)
 * and its tables by price (open addressing, linear probing, backward-shift deletion). */
#include "_native_abs.h"

/* ------------------------------------------------------------------------------------ rings */
int abs_ring_push(Ring *r, long long t, long long q)
{
    if (r->n == r->cap) {
        Py_ssize_t cap = r->cap ? 2 * r->cap : 8;
        long long *t2 = PyMem_Malloc(cap * sizeof(long long)), *q2 = PyMem_Malloc(cap * sizeof(long long));
        if (t2 == NULL || q2 == NULL) {
            PyMem_Free(t2);
            PyMem_Free(q2);
            PyErr_NoMemory();
            return -1;
        }
        for (Py_ssize_t i = 0; i < r->n; i++) {
            t2[i] = r->t[AT(r, i)];
            q2[i] = r->q[AT(r, i)];
        }
        PyMem_Free(r->t);
        PyMem_Free(r->q);
        r->t = t2, r->q = q2, r->head = 0, r->cap = cap;
    }
    Py_ssize_t j = AT(r, r->n);
    r->t[j] = t, r->q[j] = q;
    r->n++;
    r->total += q;
    return 0;
}

/* Entries from the oldest while their time is <= lo; the total left. */
long long abs_ring_prune(Ring *r, long long lo)
{
    while (r->n && r->t[r->head] <= lo) {
        r->total -= r->q[r->head];
        r->head = (r->head + 1) & (r->cap - 1);
        r->n--;
    }
    return r->total;
}

void abs_ring_free(Ring *r)
{
    PyMem_Free(r->t);
    PyMem_Free(r->q);
    memset(r, 0, sizeof(Ring));
}

/* ------------------------------------------------------------------------------ the tables */
Win *abs_find(Tab *t, long long px)
{
    if (!t->cap)
        return NULL;
    for (Py_ssize_t i = home(t, px);; i = (i + 1) & (t->cap - 1)) {
        Win *w = t->slots[i];
        if (w == NULL || w->px == px)
            return w;
    }
}

void abs_win_free(Win *w)
{
    abs_ring_free(&w->r);
    Py_XDECREF(w->thr);
    PyMem_Free(w);
}

static int grow(Tab *t)
{
    Py_ssize_t cap = t->cap ? 2 * t->cap : 16, old = t->cap;
    Win **slots = PyMem_Calloc(cap, sizeof(Win *)), **prev = t->slots;
    if (slots == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    t->slots = slots, t->cap = cap;
    for (Py_ssize_t i = 0; i < old; i++)
        if (prev[i] != NULL) {
            Py_ssize_t j = home(t, prev[i]->px);
            while (slots[j] != NULL)
                j = (j + 1) & (cap - 1);
            slots[j] = prev[i];
        }
    PyMem_Free(prev);
    return 0;
}

/* A new, empty entry at px (not there yet); NULL with an error set. */
Win *abs_add(Tab *t, long long px)
{
    if (2 * (t->used + 1) > t->cap && grow(t) < 0)
        return NULL;
    Win *w = PyMem_Calloc(1, sizeof(Win));
    if (w == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    w->px = px;
    Py_ssize_t i = home(t, px);
    while (t->slots[i] != NULL)
        i = (i + 1) & (t->cap - 1);
    t->slots[i] = w;
    t->used++;
    return w;
}

/* Remove the entry in slot i (backward-shift deletion: no tombstones). */
void abs_drop_slot(Tab *t, Py_ssize_t i)
{
    abs_win_free(t->slots[i]);
    t->slots[i] = NULL;
    t->used--;
    Py_ssize_t m = t->cap - 1;
    for (Py_ssize_t j = (i + 1) & m; t->slots[j] != NULL; j = (j + 1) & m) {
        Py_ssize_t h = home(t, t->slots[j]->px);
        /* the entry at j may move to the hole at i when its home is not within (i, j] */
        if (((j - h) & m) >= ((j - i) & m)) {
            t->slots[i] = t->slots[j];
            t->slots[j] = NULL;
            i = j;
        }
    }
}

void abs_tab_clear(Tab *t)
{
    for (Py_ssize_t i = 0; i < t->cap; i++)
        if (t->slots[i] != NULL) {
            abs_win_free(t->slots[i]);
            t->slots[i] = NULL;
        }
    t->used = 0;
}

/* A ring as a tuple: of (t, q) pairs, or of its times alone (state()). */
PyObject *abs_pairs(Ring *r, int with_q)
{
    PyObject *out = PyTuple_New(r->n);
    if (out == NULL)
        return NULL;
    for (Py_ssize_t i = 0; i < r->n; i++) {
        PyObject *x = with_q ? Py_BuildValue("(LL)", r->t[AT(r, i)], r->q[AT(r, i)])
                             : PyLong_FromLongLong(r->t[AT(r, i)]);
        if (x == NULL) {
            Py_DECREF(out);
            return NULL;
        }
        PyTuple_SET_ITEM(out, i, x);
    }
    return out;
}
