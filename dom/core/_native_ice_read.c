/* dom.core._native.IceWait's reads (_native_ice.c has the type): its sizes, the null control's
 * counts, its levels' records, and state(), the form the tests compare with the twin's and the
 * detector rebuilds the twin from. */
#include "_native_ice.h"

PyObject *ice_sizes(IceWait *w, PyObject *unused)
{
    return Py_BuildValue("(nnn)", w->used, w->waiting, w->pn);
}

static const char *COUNTS[3] = {"depletions", "near_hits", "far_hits"};

PyObject *ice_counts(IceWait *w, PyObject *unused)
{
    return Py_BuildValue("{sLsLsL}", COUNTS[0], w->counts[0], COUNTS[1], w->counts[1], COUNTS[2], w->counts[2]);
}

/* set_counts(counts) -> None | NotImplemented: a dict with the three counts, exact ints within 2^62 */
PyObject *ice_set_counts(IceWait *w, PyObject *d)
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
PyObject *ice_recs(IceWait *w, PyObject *unused)
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
PyObject *ice_state(IceWait *w, PyObject *unused)
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
    qsort(all, n, sizeof(IceKey *), ice_seq_order);
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
