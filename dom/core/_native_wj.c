/* The walls' once-a-second statistics of one side's band in one call (wall_side.py,
 * side_stats_py is the same work in Python):
 *
 *   side_stats(band, best, bid, out, buckets, cap, getrandbits, smp, now, horizon, refresh, p95, ratio,
 *              walls, side) -> (median, largest, over, p95, threshold, hits) | NotImplemented
 *
 * band: a list of (px, q) tuples, best first; best, bid, out, buckets, cap: band_buckets'
 * (_native_stats.c: each organic level's size to its distance bucket; over, the buckets past cap).
 * median: the band sizes' median (median_sorted of them sorted: the middle one, an int, or the
 * mean of the two, a float); largest: the largest size. Then, as the Python path does, up to five
 * organic sizes (all the sizes when none is organic) drawn by sample_few(getrandbits, ...) go to
 * smp.add_many(now, ...), and smp.expire(horizon). The sizes are not sorted: two selections.
 * p95: with refresh true and 20 samples or more, smp.at(int(0.95 * (len(smp) - 1))), else p95 as
 * given. threshold: max(int(ratio * median) + 1, p95); hits: band_hits(band, threshold, walls,
 * side) (_native_pstats.c) when walls (a dict) is not empty or largest reaches the threshold, else
 * an empty tuple. threshold and hits None where C does not take them (ratio not a float, a product
 * that is not finite or past +-2^62, p95 not an exact int within it, band_hits declining): the
 * Python path computes them, or raises what it raises.
 *
 * NotImplemented, nothing done, when band is not a non-empty list of 2-tuples whose sizes are
 * exact ints within +-2^61, or band_buckets declines (its own checks); the Python path then.
 * Every global name here starts with wj_. */
#include <math.h>
#include "_native.h"

#define WJ_LIM (1LL << 61)
#define WJ_GATE (1LL << 62)
#define WJ_STACK 256

static PyObject *wj_s_add_many, *wj_s_expire, *wj_s_at, *wj_empty;

static PyObject *wj_side_stats(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 15) {
        PyErr_SetString(PyExc_TypeError, "side_stats(band, best, bid, out, buckets, cap, getrandbits, smp, now, horizon, "
                                         "refresh, p95, ratio, walls, side)");
        return NULL;
    }
    PyObject *band = args[0], *out = args[3], *buckets = args[4];
    long long best, cap, outs[16];
    int r;
    if (!PyList_CheckExact(band) || PyList_GET_SIZE(band) == 0 || !PyBool_Check(args[2]) || !PyList_CheckExact(buckets)
        || PyList_GET_SIZE(buckets) != DIST_NB || (out != Py_None && !PyList_CheckExact(out)))
        Py_RETURN_NOTIMPLEMENTED;
    if ((r = in_range_fast(args[1], WJ_LIM, &best)) <= 0 || (r = in_range_fast(args[5], WJ_LIM, &cap)) <= 0)
        return r < 0 ? NULL : Py_NewRef(Py_NotImplemented);
    for (Py_ssize_t b = 0; b < DIST_NB; b++) {
        PyObject *d = PyList_GET_ITEM(buckets, b);
        if (d != Py_None && !PyList_CheckExact(d))
            Py_RETURN_NOTIMPLEMENTED;
    }
    Py_ssize_t nout = out == Py_None ? 0 : PyList_GET_SIZE(out);
    if (nout > 16) /* (more walls on a side than that: the Python path) */
        Py_RETURN_NOTIMPLEMENTED;
    for (Py_ssize_t i = 0; i < nout; i++)
        if ((r = exact_int(PyList_GET_ITEM(out, i), &outs[i])) <= 0)
            return r < 0 ? NULL : Py_NewRef(Py_NotImplemented);
    int bid = args[2] == Py_True;
    Py_ssize_t n = PyList_GET_SIZE(band);
    /* v: the sizes (then reordered by the selections); bk: each level's bucket, -1 left out;
     * pop: the organic sizes (strong references: the draws call getrandbits) */
    long long vs[WJ_STACK], *v = vs;
    signed char bks[WJ_STACK], *bk = bks;
    PyObject *pops[WJ_STACK], **pop = pops;
    if (n > WJ_STACK) {
        v = PyMem_Malloc((size_t)n * sizeof(long long));
        bk = PyMem_Malloc((size_t)n);
        pop = PyMem_Malloc((size_t)n * sizeof(PyObject *));
        if (v == NULL || bk == NULL || pop == NULL) {
            PyMem_Free(v == vs ? NULL : v);
            PyMem_Free(bk == bks ? NULL : bk);
            PyMem_Free(pop == pops ? NULL : pop);
            return PyErr_NoMemory();
        }
    }
    PyObject *res = NULL, *med = NULL, *top = NULL, *smp = NULL, *over = NULL, *p95 = NULL, *thr = NULL, *hits = NULL, *r1;
    Py_ssize_t norg = 0, npop = 0;
    long long hi = 0, prev = -WJ_LIM * 2;
    /* Everything checked first (nothing done on a refusal): the levels, their distances rising */
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *lv = PyList_GET_ITEM(band, i);
        long long px;
        r = 0;
        if (!PyTuple_CheckExact(lv) || PyTuple_GET_SIZE(lv) != 2 || (r = in_range_fast(PyTuple_GET_ITEM(lv, 0), WJ_LIM, &px)) <= 0
            || (r = in_range_fast(PyTuple_GET_ITEM(lv, 1), WJ_LIM, &v[i])) <= 0) {
            if (r == 0)
                res = Py_NewRef(Py_NotImplemented);
            goto done;
        }
        long long d = bid ? best - px : px - best;
        if (d < prev) {
            res = Py_NewRef(Py_NotImplemented);
            goto done;
        }
        prev = d;
        if (i == 0 || v[i] > hi)
            hi = v[i];
        bk[i] = (signed char)dist_bucket(d);
        for (Py_ssize_t k = 0; k < nout; k++)
            if (outs[k] == px) {
                bk[i] = -1;
                break;
            }
        if (bk[i] >= 0)
            norg++;
    }
    /* Each organic size to its bucket, in order (a list made where None) */
    unsigned touched = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *q = PyTuple_GET_ITEM(PyList_GET_ITEM(band, i), 1);
        if (bk[i] < 0) {
            if (norg == 0)
                pop[npop++] = Py_NewRef(q);
            continue;
        }
        pop[npop++] = Py_NewRef(q);
        PyObject *d = PyList_GET_ITEM(buckets, bk[i]);
        if (d == Py_None) {
            if ((d = PyList_New(0)) == NULL)
                goto done;
            PyList_SetItem(buckets, bk[i], d); /* (steals d; releases the None) */
        }
        if (PyList_Append(d, q) < 0)
            goto done;
        touched |= 1u << bk[i];
    }
    for (int b = 0; b < DIST_NB; b++)
        if (touched & (1u << b) && PyList_GET_SIZE(PyList_GET_ITEM(buckets, b)) > cap) {
            PyObject *i = PyLong_FromLong(b);
            if (i == NULL || (over == NULL && (over = PyList_New(0)) == NULL) || PyList_Append(over, i) < 0) {
                Py_XDECREF(i);
                goto done;
            }
            Py_DECREF(i);
        }
    /* The median and the largest */
    Py_ssize_t m = n / 2;
    long long a = wdh_select(v, n, m);
    if (n % 2)
        med = PyLong_FromLongLong(a);
    else {
        long long b = v[0]; /* the largest of the m smaller ones: the (m-1)-th */
        for (Py_ssize_t i = 1; i < m; i++)
            if (v[i] > b)
                b = v[i];
        med = PyFloat_FromDouble((double)(b + a) / 2.0);
    }
    if (med == NULL || (top = PyLong_FromLongLong(hi)) == NULL)
        goto done;
    /* The P95 samples */
    if ((smp = stats_sample(args[6], pop, npop, npop < 5 ? npop : 5)) == NULL)
        goto done;
    PyObject *am[3] = {args[7], args[8], smp};
    if ((r1 = PyObject_VectorcallMethod(wj_s_add_many, am, 3, NULL)) == NULL)
        goto done;
    Py_DECREF(r1);
    PyObject *ex[2] = {args[7], args[9]};
    if ((r1 = PyObject_VectorcallMethod(wj_s_expire, ex, 2, NULL)) == NULL)
        goto done;
    Py_DECREF(r1);
    /* The P95, the threshold, the levels to check */
    p95 = Py_NewRef(args[11]);
    int rf = PyObject_IsTrue(args[10]);
    if (rf < 0)
        goto done;
    if (rf) {
        Py_ssize_t ns = PyObject_Size(args[7]);
        if (ns < 0)
            goto done;
        if (ns >= 20) {
            PyObject *i = PyLong_FromLongLong((long long)(0.95 * (double)(ns - 1)));
            if (i == NULL)
                goto done;
            PyObject *at[2] = {args[7], i};
            r1 = PyObject_VectorcallMethod(wj_s_at, at, 2, NULL);
            Py_DECREF(i);
            if (r1 == NULL)
                goto done;
            Py_SETREF(p95, r1);
        }
    }
    long long pv, tv;
    double x = PyFloat_CheckExact(args[12]) ? PyFloat_AS_DOUBLE(args[12]) * (n % 2 ? (double)a : PyFloat_AS_DOUBLE(med)) : NAN;
    if (PyDict_CheckExact(args[13]) && isfinite(x) && x > -(double)WJ_GATE && x < (double)WJ_GATE && (r = in_range_fast(p95, WJ_GATE, &pv)) != 0) {
        if (r < 0)
            goto done;
        tv = (long long)x + 1; /* (int() truncates toward zero, as the cast does) */
        if ((thr = tv >= pv ? PyLong_FromLongLong(tv) : Py_NewRef(p95)) == NULL)
            goto done;
        if (PyDict_GET_SIZE(args[13]) > 0 || hi >= (tv >= pv ? tv : pv)) {
            PyObject *ba[4] = {band, thr, args[13], args[14]};
            if ((hits = band_hits(NULL, ba, 4)) == NULL)
                goto done;
            if (hits == Py_NotImplemented) {
                Py_SETREF(hits, Py_NewRef(Py_None));
                Py_SETREF(thr, Py_NewRef(Py_None));
            }
        } else
            hits = Py_NewRef(wj_empty);
    } else {
        thr = Py_NewRef(Py_None);
        hits = Py_NewRef(Py_None);
    }
    res = PyTuple_Pack(6, med, top, over == NULL ? Py_None : over, p95, thr, hits);
done:
    for (Py_ssize_t i = 0; i < npop; i++)
        Py_DECREF(pop[i]);
    Py_XDECREF(med);
    Py_XDECREF(top);
    Py_XDECREF(smp);
    Py_XDECREF(over);
    Py_XDECREF(p95);
    Py_XDECREF(thr);
    Py_XDECREF(hits);
    if (v != vs) {
        PyMem_Free(v);
        PyMem_Free(bk);
        PyMem_Free(pop);
    }
    return res;
}

static PyMethodDef wj_functions[] = {
    {"side_stats", (PyCFunction)(void (*)(void))wj_side_stats, METH_FASTCALL,
     "The walls' once-a-second statistics of a side's band (wall_side.py side_stats_py)."},
    {NULL, NULL, 0, NULL},
};

/* side_stats added to the module m: 0; -1 with an error set. */
int wj_register(PyObject *m)
{
    if ((wj_s_add_many = PyUnicode_InternFromString("add_many")) == NULL
        || (wj_s_expire = PyUnicode_InternFromString("expire")) == NULL
        || (wj_s_at = PyUnicode_InternFromString("at")) == NULL || (wj_empty = PyTuple_New(0)) == NULL)
        return -1;
    return PyModule_AddFunctions(m, wj_functions);
}
