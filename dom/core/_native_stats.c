/* dom.core._native: the walls' once-a-second statistics of a side's band: band_buckets() (the
 * distance baselines' samples; DistanceBaseline.add_band_py in dom/core/detectors/wall_state.py
 * is the same work in Python) and sample_few() (random.Random.sample for a few items;
 * sample_few_py in dom/core/detectors/sampling.py). */
#include "_native.h"

#define STATS_MAX (1LL << 61)
#define DECLINE(r) do { if ((r) < 0) return NULL; Py_RETURN_NOTIMPLEMENTED; } while (0)

/* band_buckets(band, best, bid, out, buckets, cap) -> (sizes, organic, over) | NotImplemented
 * band: a list of (px, q) tuples, best first. sizes: every q in order; organic: the q of the
 * levels whose px is not in out (None or a list of ints), sizes itself when none is left out.
 * Each organic q is appended, in order, to buckets[b] (a list of DIST_NB items, each a list or
 * None: a list is made where None), b the bucket of the level's distance from best (best - px
 * when bid is True, px - best when False). over: the buckets appended to that now hold more than
 * cap, in order (None when none does). NotImplemented, nothing done, when an argument is not of
 * that shape, a price or best not an exact int within +-2^61, or the levels' distances fall
 * somewhere (the Python path's slices need them rising, as a band's do). */
PyObject *band_buckets(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 6) {
        PyErr_SetString(PyExc_TypeError, "band_buckets(band, best, bid, out, buckets, cap)");
        return NULL;
    }
    PyObject *band = args[0], *out = args[3], *buckets = args[4];
    long long best, cap;
    int r;
    if (!PyList_CheckExact(band) || !PyBool_Check(args[2]) || !PyList_CheckExact(buckets)
            || PyList_GET_SIZE(buckets) != DIST_NB || (out != Py_None && !PyList_CheckExact(out)))
        Py_RETURN_NOTIMPLEMENTED;
    if ((r = in_range(args[1], STATS_MAX, &best)) <= 0 || (r = in_range(args[5], STATS_MAX, &cap)) <= 0)
        DECLINE(r);
    int bid = args[2] == Py_True;
    for (Py_ssize_t b = 0; b < DIST_NB; b++) {
        PyObject *d = PyList_GET_ITEM(buckets, b);
        if (d != Py_None && !PyList_CheckExact(d))
            Py_RETURN_NOTIMPLEMENTED;
    }
    Py_ssize_t n = PyList_GET_SIZE(band), nout = out == Py_None ? 0 : PyList_GET_SIZE(out);
    long long outs[16];  /* the prices left out (an out of more: declined, the Python path takes it) */
    if (nout > 16)
        Py_RETURN_NOTIMPLEMENTED;
    for (Py_ssize_t i = 0; i < nout; i++)
        if ((r = exact_int(PyList_GET_ITEM(out, i), &outs[i])) <= 0)
            DECLINE(r);
    /* Everything checked first (nothing done on a refusal): the levels, their distances rising,
     * and which are left out (a mark each: 1 organic, 0 left out). */
    char stack[64], *keep = n <= 64 ? stack : PyMem_Malloc(n);
    if (keep == NULL)
        return PyErr_NoMemory();
    Py_ssize_t left_out = 0;
    long long prev = -STATS_MAX * 2;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *lv = PyList_GET_ITEM(band, i);
        long long px;
        r = 0;
        if (!PyTuple_CheckExact(lv) || PyTuple_GET_SIZE(lv) != 2 || (r = in_range(PyTuple_GET_ITEM(lv, 0), STATS_MAX, &px)) <= 0)
            goto decline;
        long long d = bid ? best - px : px - best;
        if (d < prev)
            goto decline;
        prev = d;
        keep[i] = 1;
        for (Py_ssize_t k = 0; k < nout; k++) {
            if (outs[k] == px) {
                keep[i] = 0;
                left_out++;
                break;
            }
        }
    }
    PyObject *sizes = PyList_New(n), *organic = NULL, *over = NULL, *res = NULL;
    if (sizes == NULL)
        goto done;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *q = PyTuple_GET_ITEM(PyList_GET_ITEM(band, i), 1);
        Py_INCREF(q);
        PyList_SET_ITEM(sizes, i, q);
    }
    if (left_out) {
        if ((organic = PyList_New(0)) == NULL)
            goto done;
    } else {
        organic = sizes;
        Py_INCREF(organic);
    }
    unsigned touched = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (!keep[i])
            continue;
        PyObject *lv = PyList_GET_ITEM(band, i), *q = PyTuple_GET_ITEM(lv, 1);
        long long px = PyLong_AsLongLong(PyTuple_GET_ITEM(lv, 0));
        int b = dist_bucket(bid ? best - px : px - best);
        PyObject *d = PyList_GET_ITEM(buckets, b);
        if (d == Py_None) {
            if ((d = PyList_New(0)) == NULL)
                goto done;
            PyList_SetItem(buckets, b, d);  /* (steals d; releases the None) */
        }
        if (PyList_Append(d, q) < 0 || (left_out && PyList_Append(organic, q) < 0))
            goto done;
        touched |= 1u << b;
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
    res = PyTuple_Pack(3, sizes, organic, over == NULL ? Py_None : over);
done:
    Py_XDECREF(sizes);
    Py_XDECREF(organic);
    Py_XDECREF(over);
    if (keep != stack)
        PyMem_Free(keep);
    return res;
decline:
    if (keep != stack)
        PyMem_Free(keep);
    DECLINE(r);
}

/* A draw of randbelow(m) (random.Random._randbelow_with_getrandbits): getrandbits(m.bit_length())
 * until under m. 0 with *j set; -1 with an error set. */
static int randbelow(PyObject *getrandbits, long long m, long long *j)
{
    int bits = 0;
    for (unsigned long long v = (unsigned long long)m; v; v >>= 1)
        bits++;
    PyObject *k = PyLong_FromLong(bits);
    if (k == NULL)
        return -1;
    for (;;) {
        PyObject *got = PyObject_CallOneArg(getrandbits, k);
        if (got == NULL) {
            Py_DECREF(k);
            return -1;
        }
        long long v;
        int r = exact_int(got, &v);
        Py_DECREF(got);
        if (r <= 0) {
            Py_DECREF(k);
            if (r == 0)
                PyErr_SetString(PyExc_TypeError, "getrandbits gave no int");
            return -1;
        }
        if (v < m) {
            Py_DECREF(k);
            *j = v;
            return 0;
        }
    }
}

/* random.Random.sample(pop[0..n), k) for 0 <= k <= min(5, n), drawing through getrandbits as
 * CPython 3.11-3.13's sample does (its _randbelow_with_getrandbits): the same items, the same
 * draws. A new list; NULL with an error set. (sample_few, and the walls' side_stats.) */
PyObject *stats_sample(PyObject *getrandbits, PyObject *const *pop, Py_ssize_t n, Py_ssize_t k)
{
    PyObject *res = PyList_New(k);
    if (res == NULL)
        return NULL;
    long long j;
    if (n <= 21) {  /* a pool: the item drawn gives its place to the last of the pool */
        Py_ssize_t pool[21];
        for (Py_ssize_t i = 0; i < n; i++)
            pool[i] = i;
        for (Py_ssize_t i = 0; i < k; i++) {
            if (randbelow(getrandbits, n - i, &j) < 0)
                goto fail;
            PyList_SET_ITEM(res, i, Py_NewRef(pop[pool[j]]));
            pool[j] = pool[n - i - 1];
        }
    } else {  /* drawn again while the index is taken */
        long long sel[5];
        for (Py_ssize_t i = 0; i < k; i++) {
            int taken;
            do {
                if (randbelow(getrandbits, n, &j) < 0)
                    goto fail;
                taken = 0;
                for (Py_ssize_t s = 0; s < i; s++)
                    taken |= sel[s] == j;
            } while (taken);
            sel[i] = j;
            PyList_SET_ITEM(res, i, Py_NewRef(pop[j]));
        }
    }
    return res;
fail:
    Py_DECREF(res);
    return NULL;
}

/* sample_few(getrandbits, population, k) -> list | NotImplemented: random.Random.sample(population,
 * k) for 0 <= k <= 5 (the algorithm of CPython 3.11-3.13's sample, drawing through getrandbits
 * as its _randbelow_with_getrandbits does: the same items and the same draws). NotImplemented,
 * nothing drawn, when population is not a list or tuple or k not an int within 0..min(5, n). */
PyObject *sample_few(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 3) {
        PyErr_SetString(PyExc_TypeError, "sample_few(getrandbits, population, k)");
        return NULL;
    }
    PyObject *getrandbits = args[0];
    long long k;
    int r;
    if (!PyList_CheckExact(args[1]) && !PyTuple_CheckExact(args[1]))
        Py_RETURN_NOTIMPLEMENTED;
    if ((r = exact_int(args[2], &k)) <= 0)
        DECLINE(r);
    PyObject *pop = PySequence_Tuple(args[1]);  /* (a copy: getrandbits may run Python code) */
    if (pop == NULL)
        return NULL;
    Py_ssize_t n = PyTuple_GET_SIZE(pop);
    if (k < 0 || k > 5 || k > n) {
        Py_DECREF(pop);
        Py_RETURN_NOTIMPLEMENTED;
    }
    PyObject *res = stats_sample(getrandbits, ((PyTupleObject *)pop)->ob_item, n, (Py_ssize_t)k);
    Py_DECREF(pop);
    return res;
}
