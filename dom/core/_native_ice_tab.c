/* dom.core._native.IceWait's table of keys (side, price) -> IceKey (open addressing, linear
 * probing, backward-shift deletion: no tombstones) and each key's ring of waiting trades. */
#include "_native_ice.h"

static inline Py_ssize_t home(IceWait *w, long long key)
{
    return (Py_ssize_t)(((unsigned long long)key * 0x9E3779B97F4A7C15ULL) >> 20) & (w->cap - 1);
}

IceKey *ice_find(IceWait *w, long long key)
{
    if (!w->cap)
        return NULL;
    for (Py_ssize_t i = home(w, key);; i = (i + 1) & (w->cap - 1)) {
        IceKey *e = w->slots[i];
        if (e == NULL || e->key == key)
            return e;
    }
}

static int grow(IceWait *w)
{
    Py_ssize_t cap = w->cap ? 2 * w->cap : 16, old = w->cap;
    IceKey **slots = PyMem_Calloc(cap, sizeof(IceKey *)), **prev = w->slots;
    if (slots == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    w->slots = slots, w->cap = cap;
    for (Py_ssize_t i = 0; i < old; i++)
        if (prev[i] != NULL) {
            Py_ssize_t j = home(w, prev[i]->key);
            while (slots[j] != NULL)
                j = (j + 1) & (cap - 1);
            slots[j] = prev[i];
        }
    PyMem_Free(prev);
    return 0;
}

/* A new key (not there yet): no trades, not followed; NULL with an error set. */
IceKey *ice_add(IceWait *w, long long key, long long px, int ask)
{
    if (2 * (w->used + 1) > w->cap && grow(w) < 0)
        return NULL;
    IceKey *e = PyMem_Calloc(1, sizeof(IceKey));
    if (e == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    e->key = key, e->px = px, e->ask = ask;
    Py_ssize_t i = home(w, key);
    while (w->slots[i] != NULL)
        i = (i + 1) & (w->cap - 1);
    w->slots[i] = e;
    w->used++;
    return e;
}

static void free_key(IceKey *e)
{
    Py_XDECREF(e->rec);
    PyMem_Free(e->t);
    PyMem_Free(e->q);
    PyMem_Free(e);
}

/* Remove the key (its trades, if any, go with it: the caller counts them). */
void ice_drop(IceWait *w, long long key)
{
    if (!w->cap)
        return;
    Py_ssize_t m = w->cap - 1, i = home(w, key);
    while (w->slots[i] != NULL && w->slots[i]->key != key)
        i = (i + 1) & m;
    if (w->slots[i] == NULL)
        return;
    free_key(w->slots[i]);
    w->slots[i] = NULL;
    w->used--;
    for (Py_ssize_t j = (i + 1) & m; w->slots[j] != NULL; j = (j + 1) & m) {
        Py_ssize_t h = home(w, w->slots[j]->key);
        /* the entry at j may move to the hole at i when its home is not within (i, j] */
        if (((j - h) & m) >= ((j - i) & m)) {
            w->slots[i] = w->slots[j];
            w->slots[j] = NULL;
            i = j;
        }
    }
}

void ice_tab_clear(IceWait *w)
{
    for (Py_ssize_t i = 0; i < w->cap; i++)
        if (w->slots[i] != NULL) {
            free_key(w->slots[i]);
            w->slots[i] = NULL;
        }
    w->used = 0;
}

int ice_push(IceKey *e, long long t, long long q)
{
    if (e->n == e->cap) {
        Py_ssize_t cap = e->cap ? 2 * e->cap : 4;
        long long *t2 = PyMem_Malloc(cap * sizeof(long long)), *q2 = PyMem_Malloc(cap * sizeof(long long));
        if (t2 == NULL || q2 == NULL) {
            PyMem_Free(t2);
            PyMem_Free(q2);
            PyErr_NoMemory();
            return -1;
        }
        for (Py_ssize_t i = 0; i < e->n; i++) {
            t2[i] = e->t[(e->head + i) & (e->cap - 1)];
            q2[i] = e->q[(e->head + i) & (e->cap - 1)];
        }
        PyMem_Free(e->t);
        PyMem_Free(e->q);
        e->t = t2, e->q = q2, e->head = 0, e->cap = cap;
    }
    Py_ssize_t j = (e->head + e->n) & (e->cap - 1);
    e->t[j] = t, e->q[j] = q;
    e->n++;
    e->mass += q < 0 ? -q : q;
    return 0;
}

int ice_seq_order(const void *a, const void *b)
{
    long long x = (*(IceKey *const *)a)->seq, y = (*(IceKey *const *)b)->seq;
    return (x > y) - (x < y);
}
