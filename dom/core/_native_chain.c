/* dom.core._native: the iceberg detector's scan of a level's adds for a same-size chain:
 * chain_scan() (chain_scan_py in dom/core/detectors/iceberg_chain.py is the same loop in Python). */
#include "_native.h"

#define EXACT_MAX (1LL << 52)  /* ints within +-2^52: their differences are exact doubles */

/* 1 with *v set for an exact int within +-2^52; 0 for anything else; -1 with an error set. */
static inline int exact52(PyObject *o, long long *v)
{
    int r = exact_int(o, v);
    return r > 0 ? (*v >= -EXACT_MAX && *v <= EXACT_MAX) : r;
}

/* chain_scan(adds, lo, hi, need) -> (chain, outcomes, own, idle, idle_in, start) | NotImplemented
 * adds: a list of (size, traded, through). An add is inside when lo <= size <= hi. The first add
 * inside starts the chain (start: its (traded, through)); after it, an add that comes before the
 * level traded need x the last link's size since that link is idle (idle_in: idle and inside),
 * any other is an opportunity (outcomes: True when inside, and then the chain's next link); own:
 * the adds inside. NotImplemented, nothing done, when adds is not a list of 3-tuples of exact ints
 * within +-2^52, lo or hi not a float, or need neither a float nor an exact int within +-2^52. */
PyObject *chain_scan(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 4) {
        PyErr_SetString(PyExc_TypeError, "chain_scan(adds, lo, hi, need)");
        return NULL;
    }
    PyObject *adds = args[0];
    if (!PyList_CheckExact(adds) || !PyFloat_CheckExact(args[1]) || !PyFloat_CheckExact(args[2]))
        Py_RETURN_NOTIMPLEMENTED;
    double lo = PyFloat_AS_DOUBLE(args[1]), hi = PyFloat_AS_DOUBLE(args[2]), needf = 0.0;
    long long needi = 0;
    int r, fneed = PyFloat_CheckExact(args[3]);
    if (fneed)
        needf = PyFloat_AS_DOUBLE(args[3]);
    else if ((r = exact52(args[3], &needi)) <= 0) {
        if (r < 0)
            return NULL;
        Py_RETURN_NOTIMPLEMENTED;
    }
    Py_ssize_t n = PyList_GET_SIZE(adds);
    for (Py_ssize_t i = 0; i < n; i++) {  /* everything checked first: nothing done on a refusal */
        PyObject *a = PyList_GET_ITEM(adds, i);
        long long x;
        if (!PyTuple_CheckExact(a) || PyTuple_GET_SIZE(a) != 3)
            Py_RETURN_NOTIMPLEMENTED;
        for (int k = 0; k < 3; k++)
            if ((r = exact52(PyTuple_GET_ITEM(a, k), &x)) <= 0) {
                if (r < 0)
                    return NULL;
                Py_RETURN_NOTIMPLEMENTED;
            }
    }
    PyObject *chain = PyList_New(0), *outcomes = PyList_New(0), *start = NULL;
    if (chain == NULL || outcomes == NULL)
        goto fail;
    long long own = 0, idle = 0, idle_in = 0, since = 0, last = 0;
    PyObject *first = NULL;  /* the add that started the chain */
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *a = PyList_GET_ITEM(adds, i);
        long long size, traded;
        exact_int(PyTuple_GET_ITEM(a, 0), &size);
        exact_int(PyTuple_GET_ITEM(a, 1), &traded);
        int inside = lo <= (double)size && (double)size <= hi;
        own += inside;
        if (first == NULL) {
            if (inside) {
                if (PyList_Append(chain, PyTuple_GET_ITEM(a, 0)) < 0)
                    goto fail;
                first = a;
                since = traded;
                last = size;
            }
            continue;
        }
        int due;
        if (fneed)
            due = !((double)(traded - since) < needf * (double)last);
        else {
            long long want, an = needi < 0 ? -needi : needi, al = last < 0 ? -last : last;  /* (within 2^52) */
            if (an != 0 && al > LLONG_MAX / an)  /* the product would overflow: beyond any difference here */
                want = (needi < 0) != (last < 0) ? LLONG_MIN : LLONG_MAX;
            else
                want = needi * last;
            due = !(traded - since < want);
        }
        if (!due) {
            idle += 1;
            idle_in += inside;
            continue;
        }
        if (PyList_Append(outcomes, inside ? Py_True : Py_False) < 0)
            goto fail;
        if (inside) {
            if (PyList_Append(chain, PyTuple_GET_ITEM(a, 0)) < 0)
                goto fail;
            since = traded;
            last = size;
        }
    }
    start = first == NULL ? PyTuple_Pack(2, ZERO, ZERO)
                          : PyTuple_Pack(2, PyTuple_GET_ITEM(first, 1), PyTuple_GET_ITEM(first, 2));
    if (start == NULL)
        goto fail;
    PyObject *res = PyTuple_New(6), *nums[3] = {PyLong_FromLongLong(own), PyLong_FromLongLong(idle),
                                                  PyLong_FromLongLong(idle_in)};
    if (res == NULL || nums[0] == NULL || nums[1] == NULL || nums[2] == NULL) {
        Py_XDECREF(res);
        for (int k = 0; k < 3; k++)
            Py_XDECREF(nums[k]);
        goto fail;
    }
    PyTuple_SET_ITEM(res, 0, chain);
    PyTuple_SET_ITEM(res, 1, outcomes);
    for (int k = 0; k < 3; k++)
        PyTuple_SET_ITEM(res, 2 + k, nums[k]);
    PyTuple_SET_ITEM(res, 5, start);
    return res;
fail:
    Py_XDECREF(chain);
    Py_XDECREF(outcomes);
    Py_XDECREF(start);
    return NULL;
}

/* ice_chains_short(adds, centre, tols, need, min_len) -> bool | NotImplemented
 * Is the chain of every band around centre (lo = centre / (1 + tol) - 1, hi = centre * (1 + tol) +
 * 1, for each tol of the tuple tols: iceberg_chain._chance's bands) shorter than min_len links?
 * The chain as chain_scan() finds it (its length alone: nothing built). True: judge_chain has
 * nothing to do. NotImplemented, nothing done, for what chain_scan() does not take, centre not an
 * exact int within +-2^52, a tol not a float, min_len not an exact int. */
PyObject *idh_chains_short(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 5) {
        PyErr_SetString(PyExc_TypeError, "ice_chains_short(adds, centre, tols, need, min_len)");
        return NULL;
    }
    PyObject *adds = args[0], *tols = args[2];
    long long centre, min_len, needi = 0;
    double needf = 0.0;
    int r, fneed = PyFloat_CheckExact(args[3]);
    if (!PyList_CheckExact(adds) || !PyTuple_CheckExact(tols))
        Py_RETURN_NOTIMPLEMENTED;
    if ((r = exact52(args[1], &centre)) <= 0 || (r = in_range(args[4], 1LL << 62, &min_len)) <= 0
        || (!fneed && (r = exact52(args[3], &needi)) <= 0)) {
        if (r < 0)
            return NULL;
        Py_RETURN_NOTIMPLEMENTED;
    }
    if (fneed)
        needf = PyFloat_AS_DOUBLE(args[3]);
    Py_ssize_t nt = PyTuple_GET_SIZE(tols), n = PyList_GET_SIZE(adds);
    for (Py_ssize_t k = 0; k < nt; k++)
        if (!PyFloat_CheckExact(PyTuple_GET_ITEM(tols, k)))
            Py_RETURN_NOTIMPLEMENTED;
    for (Py_ssize_t i = 0; i < n; i++) {  /* (as chain_scan: every add checked first) */
        PyObject *a = PyList_GET_ITEM(adds, i);
        long long x;
        if (!PyTuple_CheckExact(a) || PyTuple_GET_SIZE(a) != 3)
            Py_RETURN_NOTIMPLEMENTED;
        for (int j = 0; j < 3; j++)
            if ((r = exact52(PyTuple_GET_ITEM(a, j), &x)) <= 0) {
                if (r < 0)
                    return NULL;
                Py_RETURN_NOTIMPLEMENTED;
            }
    }
    for (Py_ssize_t k = 0; k < nt; k++) {
        double tol = PyFloat_AS_DOUBLE(PyTuple_GET_ITEM(tols, k));
        double lo = (double)centre / (1.0 + tol) - 1.0, hi = (double)centre * (1.0 + tol) + 1.0;
        long long links = 0, since = 0, last = 0;
        for (Py_ssize_t i = 0; i < n && links < min_len; i++) {
            PyObject *a = PyList_GET_ITEM(adds, i);
            long long size, traded;
            exact_int(PyTuple_GET_ITEM(a, 0), &size);
            if (!(lo <= (double)size && (double)size <= hi))
                continue;  /* (an add outside the band never moves its chain) */
            exact_int(PyTuple_GET_ITEM(a, 1), &traded);
            int due;
            if (links == 0)
                due = 1;  /* the first add inside starts it */
            else if (fneed)
                due = !((double)(traded - since) < needf * (double)last);
            else {
                long long want, an = needi < 0 ? -needi : needi, al = last < 0 ? -last : last;
                if (an != 0 && al > LLONG_MAX / an)
                    want = (needi < 0) != (last < 0) ? LLONG_MIN : LLONG_MAX;
                else
                    want = needi * last;
                due = !(traded - since < want);
            }
            if (due) {
                links++;
                since = traded;
                last = size;
            }
        }
        if (links >= min_len)
            Py_RETURN_FALSE;
    }
    Py_RETURN_TRUE;
}
