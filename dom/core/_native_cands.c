/* dom.core._native: pulled liquidity's pass over its candidates at each depth message:
 * cands_sweep() (sweep_py in dom/core/detectors/spoof_state.py is the same loop in Python). */
#include "_native.h"

#define SWEEP_MAX (1LL << 61)
#define SIZE_MAX52 (1LL << 52)  /* levels and thresholds: q < 0.5 * t is then exact in doubles */

static PyObject *S_px, *S_side_, *S_dists, *S_sizes, *S_pending, *S_append, *S_popleft;

static int names(void)
{
    if (S_px != NULL)
        return 0;
    const char *n[] = {"px", "side", "dists", "sizes", "pending", "append", "popleft"};
    PyObject **s[] = {&S_px, &S_side_, &S_dists, &S_sizes, &S_pending, &S_append, &S_popleft};
    for (int i = 0; i < 7; i++)
        if ((*s[i] = PyUnicode_InternFromString(n[i])) == NULL)
            return -1;
    return 0;
}

/* o.attr, a new reference; NULL with an error set. */
static inline PyObject *attr(PyObject *o, PyObject *name)
{
    return PyObject_GetAttr(o, name);
}

/* The item at i of a deque (i < 0: from the end) item k; a new reference, NULL with an error set. */
static PyObject *item_at(PyObject *dq, Py_ssize_t i, Py_ssize_t k)
{
    PyObject *x = PySequence_GetItem(dq, i);
    if (x == NULL)
        return NULL;
    PyObject *y = PySequence_GetItem(x, k);
    Py_DECREF(x);
    return y;
}

/* Drop the front of dq while it holds more than one item and its second's time (item 0) is at
 * most cut (popleft: the deque type's). 0; -1 with an error set. */
static int trim(PyObject *dq, PyObject *cut, PyObject *popleft)
{
    for (;;) {
        Py_ssize_t n = PyObject_Size(dq);
        if (n < 0)
            return -1;
        if (n <= 1)
            return 0;
        PyObject *t = item_at(dq, 1, 0);
        if (t == NULL)
            return -1;
        int le = PyObject_RichCompareBool(t, cut, Py_LE);
        Py_DECREF(t);
        if (le <= 0)
            return le;
        PyObject *gone = PyObject_Vectorcall(popleft, &dq, 1, NULL);
        if (gone == NULL)
            return -1;
        Py_DECREF(gone);
    }
}

/* cands_sweep(cands, bid, bb, ba, tb, ta, hb, ha, bl, al, now, approach, old, cls, deque)
 *     -> (dead | None, lo, hi) | NotImplemented
 * For each candidate c of the dict cands, in order: d its distance from its side's best (bb - px
 * where c.side is bid, else px - ba; None when that best is None), t and half its side's
 * threshold and band (tb, hb or ta, ha), q its level's size in bl or al (0: none). (now, d) is
 * appended to c.dists when d is not None and the last distance is not d; the front of c.dists
 * goes while it holds more than one and its second's time is at most approach, that of c.sizes
 * likewise with old. It is dead when not c.pending and t is None, q < 0.5 * t, d is None, d < 0
 * or d > half; else its px widens lo..hi (from 2^62..-2^62). dead: the dead, in order, or None.
 * NotImplemented, nothing done, when an argument or a candidate is not what the detector holds
 * (cands a dict of exact cls instances with exact deque dists and sizes and an exact int px within
 * +-2^61; bb, ba None or such ints, tb, ta None or exact ints within +-2^52, hb, ha exact ints,
 * bl, al dicts whose sizes at the candidates' prices are exact ints within +-2^52). */
PyObject *cands_sweep(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 15) {
        PyErr_SetString(PyExc_TypeError,
                        "cands_sweep(cands, bid, bb, ba, tb, ta, hb, ha, bl, al, now, approach, old, cls, deque)");
        return NULL;
    }
    if (names() < 0)
        return NULL;
    PyObject *cands = args[0], *bid = args[1], *bl = args[8], *al = args[9], *now = args[10];
    PyObject *approach = args[11], *old = args[12], *cls = args[13], *deque = args[14];
    long long bb = 0, ba = 0, tb = 0, ta = 0, hb, ha, x;
    int nbb, nba, ntb, nta, r;
    if (!PyDict_CheckExact(cands) || !PyDict_CheckExact(bl) || !PyDict_CheckExact(al) || !PyType_Check(cls)
            || !PyType_Check(deque))
        Py_RETURN_NOTIMPLEMENTED;
    if ((r = opt_int(args[2], SWEEP_MAX, &bb, &nbb)) <= 0 || (r = opt_int(args[3], SWEEP_MAX, &ba, &nba)) <= 0
            || (r = opt_int(args[4], SIZE_MAX52, &tb, &ntb)) <= 0 || (r = opt_int(args[5], SIZE_MAX52, &ta, &nta)) <= 0
            || (r = in_range(args[6], SWEEP_MAX, &hb)) <= 0 || (r = in_range(args[7], SWEEP_MAX, &ha)) <= 0
            || (r = in_range(now, SWEEP_MAX * 2, &x)) <= 0) {
        if (r < 0)
            return NULL;
        Py_RETURN_NOTIMPLEMENTED;
    }
    /* Every candidate read and checked first: nothing done on a refusal (nothing below runs
     * Python code but rich comparisons of the deques' items, ints the detector put there). */
    typedef struct {
        PyObject *c, *px, *dists, *sizes;  /* (new references but c, borrowed from the dict) */
        long long p, q;
        int bid, pending;
    } Cand;
    Cand stack[16], *cs = stack;
    Py_ssize_t n = PyDict_GET_SIZE(cands), k = 0;
    if (n > 16 && (cs = PyMem_Malloc(n * sizeof(Cand))) == NULL)
        return PyErr_NoMemory();
    PyObject *res = NULL, *dead = NULL, *append = NULL, *popleft = NULL;
    Py_ssize_t pos = 0;
    PyObject *key, *c;
    r = 1;
    while (r > 0 && PyDict_Next(cands, &pos, &key, &c)) {
        if (Py_TYPE(c) != (PyTypeObject *)cls) {
            r = 0;
            break;
        }
        Cand *x = &cs[k];
        x->c = c;
        x->q = 0;
        if ((x->px = attr(c, S_px)) == NULL)
            goto fail;
        if ((x->dists = attr(c, S_dists)) == NULL) {
            Py_DECREF(x->px);
            goto fail;
        }
        if ((x->sizes = attr(c, S_sizes)) == NULL) {
            Py_DECREF(x->px);
            Py_DECREF(x->dists);
            goto fail;
        }
        k++;  /* (x's references are released with the others from here) */
        PyObject *side = attr(c, S_side_), *pending = side ? attr(c, S_pending) : NULL;
        if (pending == NULL)
            r = -1;
        else if ((x->pending = PyObject_IsTrue(pending)) < 0)
            r = -1;
        else if ((r = in_range(x->px, SWEEP_MAX, &x->p)) > 0) {
            x->bid = side == bid;
            if (Py_TYPE(x->dists) != (PyTypeObject *)deque || Py_TYPE(x->sizes) != (PyTypeObject *)deque)
                r = 0;
            else {
                PyObject *lv = PyDict_GetItemWithError(x->bid ? bl : al, x->px);  /* borrowed */
                if (lv == NULL && PyErr_Occurred())
                    r = -1;
                else if (lv != NULL)
                    r = in_range(lv, SIZE_MAX52, &x->q);
            }
        }
        Py_XDECREF(side);
        Py_XDECREF(pending);
    }
    if (r <= 0) {
        if (r == 0)
            res = Py_NewRef(Py_NotImplemented);
        goto fail;
    }
    if ((append = PyObject_GetAttr(deque, S_append)) == NULL || (popleft = PyObject_GetAttr(deque, S_popleft)) == NULL)
        goto fail;
    long long lo = 1LL << 62, hi = -(1LL << 62);
    for (Py_ssize_t i = 0; i < k; i++) {
        Cand *x = &cs[i];
        long long p = x->p, d = 0;
        int nod = x->bid ? nbb : nba, not_ = x->bid ? ntb : nta;
        long long t = x->bid ? tb : ta, half = x->bid ? hb : ha;
        if (!nod) {
            d = x->bid ? bb - p : p - ba;
            Py_ssize_t m = PyObject_Size(x->dists);
            if (m < 0)
                goto fail;
            int add = m == 0;
            PyObject *dobj = PyLong_FromLongLong(d);
            if (dobj == NULL)
                goto fail;
            if (!add) {
                PyObject *last = item_at(x->dists, -1, 1);
                add = last == NULL ? -1 : PyObject_RichCompareBool(last, dobj, Py_NE);
                Py_XDECREF(last);
            }
            if (add > 0) {
                PyObject *pair = PyTuple_Pack(2, now, dobj), *got = NULL;
                if (pair != NULL) {
                    PyObject *av[2] = {x->dists, pair};
                    got = PyObject_Vectorcall(append, av, 2, NULL);
                }
                Py_XDECREF(pair);
                if (got == NULL)
                    add = -1;
                Py_XDECREF(got);
            }
            Py_DECREF(dobj);
            if (add < 0)
                goto fail;
        }
        if (trim(x->dists, approach, popleft) < 0 || trim(x->sizes, old, popleft) < 0)
            goto fail;
        if (!x->pending && (not_ || (double)x->q < 0.5 * (double)t || nod || d < 0 || d > half)) {
            if ((dead == NULL && (dead = PyList_New(0)) == NULL) || PyList_Append(dead, x->c) < 0)
                goto fail;
        } else {
            if (p < lo)
                lo = p;
            if (p > hi)
                hi = p;
        }
    }
    res = Py_BuildValue("(OLL)", dead == NULL ? Py_None : dead, lo, hi);
fail:
    for (Py_ssize_t i = 0; i < k; i++) {
        Py_DECREF(cs[i].px);
        Py_DECREF(cs[i].dists);
        Py_DECREF(cs[i].sizes);
    }
    if (cs != stack)
        PyMem_Free(cs);
    Py_XDECREF(append);
    Py_XDECREF(popleft);
    Py_XDECREF(dead);
    return res;
}
