/* dom.core._native: the book's apply of a sorted batch (apply_side's way for a real depth message).
 *
 * A venue sends each side's levels of a depth message sorted by price (Binance: ~68 changes a
 * message, each side ascending). Applied one by one, each new or removed level moves the index's
 * tail (about 500 pointers a change on the real BTCUSDT book) and each bisect starts afresh. Here
 * a side whose keys are all C numbers in strictly monotone order is applied in three passes:
 * every level's index position found in one walk down the index (each search galloping down from
 * the last one found), the dict and the changes updated in the levels' order (as the loop does),
 * then the index changed in one merge of its tail (each pointer moved once) and the live top
 * rebuilt once from the result, reusing what did not change. Same dict, same index, same changes,
 * same live top (by value) as apply_side's loop; anything else (a key past +-2^62, a float in the
 * index, unsorted rows) is declined before anything changes. */
#include "_native.h"

#define DSP_STACK 128    /* levels held on the stack (more: the heap) */

/* An exact int within +-MAX_ID as a C number (1), else 0 (no error left set). */
static inline int dsp_ll(PyObject *o, long long *v)
{
    if (!PyLong_CheckExact(o))
        return 0;
    if (!int_digits(o, v)) {
        int of;
        *v = PyLong_AsLongLongAndOverflow(o, &of);
        if (of || (*v == -1 && PyErr_Occurred())) {
            PyErr_Clear();
            return 0;
        }
    }
    return *v > -MAX_ID && *v < MAX_ID;
}

/* flat[p] == kv (p < len(flat)): 1, 0, -1 with an error set. */
static inline int dsp_at(PyObject *flat, Py_ssize_t p, long long kv, PyObject **kobj)
{
    long long x;
    PyObject *key = PyList_GET_ITEM(flat, p);
    if (dsp_ll(key, &x))
        return x == kv;
    if (*kobj == NULL && (*kobj = PyLong_FromLongLong(kv)) == NULL)
        return -1;
    return PyObject_RichCompareBool(key, *kobj, Py_EQ);
}

/* A level's size > 0: 1, 0, -1 with an error set. */
static inline int dsp_positive(PyObject *qty)
{
    long long q;
    if (int_digits(qty, &q))
        return q > 0;
    return PyObject_RichCompareBool(qty, ZERO, Py_GT);
}

/* Two sizes equal: 1, 0, -1 with an error set. */
static inline int dsp_same(PyObject *a, PyObject *b)
{
    long long x, y;
    if (PyLong_CheckExact(a) && int_digits(a, &x) && int_digits(b, &y))
        return x == y;
    return PyObject_RichCompareBool(a, b, Py_EQ);
}

/* What a level did: */
enum { DSP_NONE = 0, DSP_INS = 1, DSP_DEL = 2, DSP_SIZE = 3 };

/* The index changed in place by its ops idx[0..nops) (ordered by key; their positions in pos, in
 * the index as it was): each stretch between two ops moved once, by the shift the ops before it
 * made (none once inserts and deletes even out). The list has room for its new size; the keys
 * taken out are handed back in keyobj (the caller drops them). Returns the new size. */
static Py_ssize_t dsp_merge(PyObject *flat, Py_ssize_t m, const Py_ssize_t *idx, Py_ssize_t nops,
                            const Py_ssize_t *pos, const unsigned char *act, PyObject **keyobj)
{
    PyObject **items = ((PyListObject *)flat)->ob_item;
    Py_ssize_t s = 0;
    for (Py_ssize_t j = 0; j < nops; j++) {  /* the keys taken out, before anything moves */
        Py_ssize_t i = idx[j];
        if (act[i] == DSP_DEL)
            keyobj[i] = items[pos[i]];
    }
    /* stretch j: from after op j to op j + 1, moved by s_j (the shift after op j); left-moving
     * ones from the left, right-moving ones from the right: none writes where another still is */
    for (Py_ssize_t j = 0; j < nops; j++) {
        Py_ssize_t i = idx[j];
        s += act[i] == DSP_INS ? 1 : -1;
        if (s < 0) {
            Py_ssize_t start = pos[i] + (act[i] == DSP_DEL), end = j + 1 < nops ? pos[idx[j + 1]] : m;
            memmove(&items[start + s], &items[start], (size_t)(end - start) * sizeof(PyObject *));
        }
    }
    Py_ssize_t total = s;
    for (Py_ssize_t j = nops - 1; j >= 0; j--) {
        Py_ssize_t i = idx[j];
        if (s > 0) {
            Py_ssize_t start = pos[i] + (act[i] == DSP_DEL), end = j + 1 < nops ? pos[idx[j + 1]] : m;
            memmove(&items[start + s], &items[start], (size_t)(end - start) * sizeof(PyObject *));
        }
        s -= act[i] == DSP_INS ? 1 : -1;  /* (now the shift before op j) */
        if (act[i] == DSP_INS)
            items[pos[i] + s] = keyobj[i];  /* (the reference made for it) */
    }
    Py_SET_SIZE(flat, m + total);
    return m + total;
}

/* The live top (the best n levels as (px, size) pairs) rebuilt from the index after a batch:
 * a level the batch put in or resized is its row (px, size); one it did not touch keeps its pair;
 * one moved up from deeper is read from the dict. 0, or -1 with an error set. */
static int dsp_live(PyObject *live, Py_ssize_t live_n, PyObject *flat, PyObject *d, long r, PyObject *levels,
                    const long long *kv, const unsigned char *act, const Py_ssize_t *down, Py_ssize_t n)
{
    Py_ssize_t m = PyList_GET_SIZE(flat), want = m < live_n ? m : live_n, L = PyList_GET_SIZE(live), j = 0, b = 0;
    PyObject *nl = PyList_New(want);
    if (nl == NULL)
        return -1;
    for (Py_ssize_t i = 0; i < want; i++) {
        PyObject *k = PyList_GET_ITEM(flat, m - 1 - i), *e = NULL;
        long long x, y;
        int fast = dsp_ll(k, &x);
        if (fast) {
            while (b < n && kv[down[b]] > x)
                b++;
            while (j < L && dsp_ll(PyTuple_GET_ITEM(PyList_GET_ITEM(live, j), 0), &y) && r * y > x)
                j++;
            if (b < n && kv[down[b]] == x && (act[down[b]] == DSP_INS || act[down[b]] == DSP_SIZE))
                e = PyTuple_GET_ITEM(levels, down[b]);
            else if (j < L && dsp_ll(PyTuple_GET_ITEM(PyList_GET_ITEM(live, j), 0), &y) && r * y == x)
                e = PyList_GET_ITEM(live, j);
        }
        if (e != NULL)
            Py_INCREF(e);
        else {
            PyObject *px = r > 0 ? (Py_INCREF(k), k) : PyNumber_Negative(k), *q = NULL;
            if (px != NULL && (q = PyDict_GetItemWithError(d, px)) == NULL && !PyErr_Occurred())
                PyErr_SetObject(PyExc_KeyError, px);
            if (q != NULL && (e = PyTuple_Pack(2, px, q)) != NULL)
                PyObject_GC_UnTrack(e);
            Py_XDECREF(px);
            if (e == NULL) {
                Py_DECREF(nl);
                return -1;
            }
        }
        PyList_SET_ITEM(nl, i, e);
    }
    int rc = PyList_SetSlice(live, 0, L, nl);
    Py_DECREF(nl);
    return rc;
}

/* apply_side's loop for a sorted batch (see the top): 1 done (*best: a new reference to the
 * batch's best key), 0 declined (nothing changed), -1 with an error set. levels is a tuple of
 * exact (int, int) tuples (levels_ok), n = len(levels) >= 2. */
int dsp_apply_sorted(PyObject *d, PyObject *flat, long r, PyObject *levels, PyObject *changes, PyObject *side,
                     PyObject *live, Py_ssize_t live_n, PyObject **best)
{
    Py_ssize_t n = PyTuple_GET_SIZE(levels), m = PyList_GET_SIZE(flat);
    long long kv_s[DSP_STACK];
    Py_ssize_t pos_s[DSP_STACK], down_s[DSP_STACK], idx_s[DSP_STACK];
    unsigned char act_s[DSP_STACK];
    PyObject *key_s[DSP_STACK];
    long long *kv = kv_s;
    Py_ssize_t *pos = pos_s, *down = down_s, *idx = idx_s;
    unsigned char *act = act_s;
    PyObject **keyobj = key_s, *gone = NULL;
    void *heap = NULL;
    if (n > DSP_STACK) {
        size_t per = sizeof(long long) + 3 * sizeof(Py_ssize_t) + sizeof(PyObject *) + 1;
        char *p = heap = PyMem_Malloc((size_t)n * per);
        if (p == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        kv = (long long *)p;
        pos = (Py_ssize_t *)(p + n * sizeof(long long));
        down = pos + n;
        idx = down + n;
        keyobj = (PyObject **)(idx + n);
        act = (unsigned char *)(keyobj + n);
    }
    int rc = 0;
    /* 1: every key a C number, strictly monotone (up: ascending); down: the levels by key, largest first */
    int up = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        long long pv;
        if (!dsp_ll(PyTuple_GET_ITEM(PyTuple_GET_ITEM(levels, i), 0), &pv))
            goto done;
        kv[i] = r > 0 ? pv : -pv;
        if (i == 1)
            up = kv[1] > kv[0];
        if (i >= 1 && (up ? kv[i] <= kv[i - 1] : kv[i] >= kv[i - 1]))
            goto done;
    }
    for (Py_ssize_t b = 0; b < n; b++)
        down[b] = up ? n - 1 - b : b;
    if ((gone = PyList_New(0)) == NULL) {
        rc = -1;
        goto done;
    }
    /* 2: the dict and the changes, in the levels' order (the index is not touched yet) */
    Py_ssize_t done_n = n;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *lv = PyTuple_GET_ITEM(levels, i), *px = PyTuple_GET_ITEM(lv, 0), *qty = PyTuple_GET_ITEM(lv, 1);
        PyObject *old = NULL, *t = NULL;
        act[i] = DSP_NONE;
        keyobj[i] = NULL;
        int pos_q = dsp_positive(qty), bad = pos_q < 0;
        if (!bad && pos_q) {
            Py_ssize_t before = PyDict_GET_SIZE(d);
            PyObject *got = PyDict_SetDefault(d, px, qty);
            if (got == NULL)
                bad = 1;
            else if (PyDict_GET_SIZE(d) > before) {
                act[i] = DSP_INS;
                if (changes != Py_None)
                    t = PyTuple_Pack(4, side, px, ZERO, qty);
            } else {
                old = got;
                Py_INCREF(old);
                int same = dsp_same(old, qty);
                if (same < 0 || ((!same || changes == Py_None) && PyDict_SetItem(d, px, qty) < 0))
                    bad = 1;
                else if (!same) {
                    act[i] = DSP_SIZE;
                    if (changes != Py_None)
                        t = PyTuple_Pack(4, side, px, old, qty);
                }
            }
        } else if (!bad) {
            old = _PyDict_Pop(d, px, gone);
            if (old == NULL)
                bad = 1;
            else if (old != gone) {
                act[i] = DSP_DEL;
                if (changes != Py_None)
                    t = PyTuple_Pack(4, side, px, old, ZERO);
            }
        }
        if (!bad && changes != Py_None && act[i] != DSP_NONE && (t == NULL || PyList_Append(changes, t) < 0))
            bad = 1;
        Py_XDECREF(t);
        Py_XDECREF(old);
        if (bad) {
            done_n = i + 1;
            rc = -1;
            break;
        }
    }
    /* 3: where the levels put in or taken out stand in the index, searched from the largest key
     * down (idx: them by key, smallest first). The index follows the dict where the two agreed: a
     * level the dict had and the index not, or the reverse, is only the dict's (no index holds a
     * key twice). */
    Py_ssize_t nops = 0, n_ins = 0, hi = m;
    PyObject *err_type, *err_val, *err_tb;
    PyErr_Fetch(&err_type, &err_val, &err_tb);  /* (an error of step 2: the index still follows what was done) */
    for (Py_ssize_t b = 0; b < n; b++) {
        Py_ssize_t i = down[b];
        if (i >= done_n || (act[i] != DSP_INS && act[i] != DSP_DEL))
            continue;
        PyObject *kobj = NULL;
        Py_ssize_t p = bk_bisect_down(flat, hi, NULL, kv[i], 1);
        int here = p < 0 ? -1 : p < m ? dsp_at(flat, p, kv[i], &kobj) : 0;
        Py_XDECREF(kobj);
        if (here < 0) {
            rc = -1;
            break;
        }
        pos[i] = hi = p;
        if (act[i] == DSP_INS && !here) {
            if ((keyobj[i] = r > 0 ? (Py_INCREF(PyTuple_GET_ITEM(PyTuple_GET_ITEM(levels, i), 0)),
                                      PyTuple_GET_ITEM(PyTuple_GET_ITEM(levels, i), 0))
                                   : PyLong_FromLongLong(kv[i])) == NULL) {
                rc = -1;
                break;
            }
            n_ins++;
            idx[n - 1 - nops++] = i;
        } else if (act[i] == DSP_DEL && here)
            idx[n - 1 - nops++] = i;
    }
    if (err_type != NULL) {
        if (PyErr_Occurred())  /* (the first error is the one told) */
            PyErr_Clear();
        PyErr_Restore(err_type, err_val, err_tb);
    }
    idx += n - nops;
    /* 4: the index, in one pass over its tail */
    if (nops > 0) {
        Py_ssize_t grow = n_ins - (nops - n_ins), k = 0;
        for (; k < grow; k++)
            if (PyList_Append(flat, Py_None) < 0)
                break;
        if (k < grow) {  /* no room: the index left as it was, the keys made for it dropped */
            for (Py_ssize_t c = 0; c < k; c++)
                Py_DECREF(Py_None);
            Py_SET_SIZE(flat, m);
            for (Py_ssize_t j = 0; j < nops; j++)
                Py_CLEAR(keyobj[idx[j]]);
            rc = -1;
            goto done;
        }
        for (Py_ssize_t c = 0; c < grow; c++)  /* (the Nones' slots are overwritten by the merge) */
            Py_DECREF(Py_None);
        dsp_merge(flat, m, idx, nops, pos, act, keyobj);
        for (Py_ssize_t j = 0; j < nops; j++)  /* the keys taken out, once the index is whole again */
            if (act[idx[j]] == DSP_DEL)
                Py_CLEAR(keyobj[idx[j]]);
    }
    if (rc < 0)
        goto done;
    /* 5: the live top, when the batch reached it */
    if (live != Py_None && live_n > 0) {
        Py_ssize_t L = PyList_GET_SIZE(live);
        long long edge = 0;
        int all = L < live_n || !dsp_ll(PyTuple_GET_ITEM(PyList_GET_ITEM(live, L - 1), 0), &edge), reach = 0;
        edge *= r;
        for (Py_ssize_t b = 0; b < n && !reach; b++) {
            Py_ssize_t i = down[b];
            if (!all && kv[i] < edge)
                break;  /* (the rest is deeper still) */
            reach = act[i] != DSP_NONE;
        }
        if (reach && dsp_live(live, live_n, flat, d, r, levels, kv, act, down, n) < 0) {
            rc = -1;
            goto done;
        }
    }
    Py_ssize_t top = down[0];
    *best = r > 0 ? (Py_INCREF(PyTuple_GET_ITEM(PyTuple_GET_ITEM(levels, top), 0)),
                     PyTuple_GET_ITEM(PyTuple_GET_ITEM(levels, top), 0))
                  : PyLong_FromLongLong(kv[top]);
    rc = *best == NULL ? -1 : 1;
done:
    Py_XDECREF(gone);
    PyMem_Free(heap);
    return rc;
}
