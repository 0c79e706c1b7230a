/* BurstDetector._judge's rule read in full with no episode open (burst.py), for BurstHook
 * (_native_bst.c) when the window's volume reaches what a burst needs: the feed's state, the
 * warm-up, the usual window, the move from the window's first mid and the sigma of the moves, each
 * as the method computes it (the same doubles: ints within 2^53 divided and multiplied as
 * doubles, libm's log and sqrt). It says only "no burst starts" (1): a burst that starts, and any
 * value it does not take (a read that fails, a type or range the method could read otherwise, a
 * log or a sqrt the method would refuse), is left to the method (0), with nothing changed. */
#include "_native_bst.h"
#include <math.h>

static PyObject *bst_s_p, *bst_s_state, *bst_s_vols, *bst_s_sq, *bst_s_vol_sum, *bst_s_sq_sum, *bst_s_w;

/* a param: an exact float, or an exact int within 2^53 (exact as a double): 1 / 0 */
static int bst_num(PyObject *p, const char *name, double *x)
{
    PyObject *v = PyObject_GetAttrString(p, name);
    long long i;
    int ok = 0;
    if (v == NULL)
        return 0;
    if (PyFloat_CheckExact(v))
        *x = PyFloat_AS_DOUBLE(v), ok = 1;
    else if (in_range(v, BST_EXACT, &i) == 1)
        *x = (double)i, ok = 1;
    Py_DECREF(v);
    return ok;
}

int bst_rule_kit(bst_Hook *h, PyObject *rule)
{
    PyObject *p = PyTuple_GET_SIZE(rule) == 3 ? PyTuple_GET_ITEM(rule, 0) : NULL, *v;
    int r = 0;
    if (p != NULL && (v = PyObject_GetAttrString(p, "burst_warmup_s")) != NULL) {
        r = in_range(v, 1LL << 40, &h->warmup) == 1 && h->warmup >= 0;
        Py_DECREF(v);
    }
    if (!r || !bst_num(p, "burst_volume_mult", &h->vol_mult) || !bst_num(p, "burst_min_move_bps", &h->min_bps)
        || !bst_num(p, "burst_move_sigma", &h->move_sigma)) {
        PyErr_Clear();
        PyErr_SetString(PyExc_ValueError, "BurstHook: the rule's kit is (the params: burst_warmup_s an int >= 0, "
                                          "burst_volume_mult, burst_min_move_bps and burst_move_sigma numbers; "
                                          "the two feed states a burst starts in)");
        return -1;
    }
    h->p = Py_NewRef(p);
    h->synced = Py_NewRef(PyTuple_GET_ITEM(rule, 1));
    h->top = Py_NewRef(PyTuple_GET_ITEM(rule, 2));
    return 0;
}

/* det.name (a new reference) / NULL, no error left: not taken */
static PyObject *bst_get(PyObject *o, PyObject *name)
{
    PyObject *v = PyObject_GetAttr(o, name);
    if (v == NULL)
        PyErr_Clear();
    return v;
}

/* the length of det.name, a deque as the hook's own: >= 0 / -1 not taken */
static Py_ssize_t bst_len(bst_Hook *h, PyObject *name)
{
    PyObject *d = bst_get(h->det, name);
    Py_ssize_t n = d != NULL && Py_TYPE(d) == Py_TYPE(h->trades) ? PyObject_Size(d) : -1;
    Py_XDECREF(d);
    if (n < 0)
        PyErr_Clear();
    return n;
}

/* an exact int attribute of o within 2^53: 1 / 0 not taken (no error left) */
static int bst_int(PyObject *o, PyObject *name, long long *v)
{
    PyObject *x = bst_get(o, name);
    int r = x != NULL ? in_range_fast(x, BST_EXACT, v) : 0;
    Py_XDECREF(x);
    if (r < 0)
        PyErr_Clear();
    return r > 0;
}

int bst_rule(bst_Hook *h, PyObject *sym, const bst_After *a)
{
    if (h->p == NULL)
        return 0;
    PyObject *o = bst_get(h->det, bst_s_p);
    if (o == NULL)
        return 0;
    Py_DECREF(o);
    if (o != h->p || (o = bst_get(sym, bst_s_state)) == NULL)
        return 0;
    Py_DECREF(o);
    if (o != h->synced && o != h->top)
        return 1;  /* (a feed not in sync: no burst starts) */
    Py_ssize_t nv = bst_len(h, bst_s_vols), nq = bst_len(h, bst_s_sq);
    if (nv < 0 || nq < 0)
        return 0;
    if (nv < h->warmup || nq < h->warmup / 2)
        return 1;  /* (warming up) */
    long long vol_sum, w, mid0;
    if (nv == 0 || !bst_int(h->det, bst_s_vol_sum, &vol_sum) || !bst_int(h->det, bst_s_w, &w))
        return 0;
    double base = (double)vol_sum / (double)nv * (double)w;  /* the usual window */
    if (base <= 0 || (double)a->wsum < h->vol_mult * base)
        return 1;
    Py_ssize_t nm = PyObject_Size(h->mids);
    if (nm < 0) {
        PyErr_Clear();
        return 0;
    }
    if (nm > a->km) {  /* the window's first mid: the first left after the slide */
        PyObject *first = PySequence_GetItem(h->mids, a->km);
        int ok = first != NULL && PyTuple_CheckExact(first) && PyTuple_GET_SIZE(first) == 2
                 && in_range_fast(PyTuple_GET_ITEM(first, 1), BST_EXACT, &mid0) == 1;
        Py_XDECREF(first);
        PyErr_Clear();
        if (!ok)
            return 0;
    } else if (a->new_mid)
        mid0 = a->new_mid;
    else
        return 1;  /* (no mid) */
    if (a->last_mid == 0)
        return 1;
    if (mid0 <= 0 || a->last_mid < 0 || a->last_mid > BST_EXACT)
        return 0;
    o = bst_get(h->det, bst_s_sq_sum);
    if (o == NULL)
        return 0;
    int is_float = PyFloat_CheckExact(o);
    double sq_sum = is_float ? PyFloat_AS_DOUBLE(o) : 0.0;
    Py_DECREF(o);
    double x = (double)a->last_mid / (double)mid0, y = nq > 0 ? sq_sum / (double)nq : -1.0;
    if (!is_float || !(x > 0) || !isfinite(x) || !(y >= 0))
        return 0;  /* (a log or a sqrt the method would refuse, or read otherwise) */
    double move = fabs(log(x)), sigma = sqrt(y);
    if (move * 1e4 < h->min_bps || move < h->move_sigma * sigma)
        return 1;
    return 0;  /* a burst starts: the method's */
}

int bst_rule_register(void)
{
    PyObject **names[] = {&bst_s_p, &bst_s_state, &bst_s_vols, &bst_s_sq, &bst_s_vol_sum, &bst_s_sq_sum, &bst_s_w};
    const char *text[] = {"p", "state", "vols", "sq", "vol_sum", "sq_sum", "w"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if ((*names[i] = PyUnicode_InternFromString(text[i])) == NULL)
            return -1;
    return 0;
}
