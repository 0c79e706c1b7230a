/* dom.core._native: the iceberg-like detector's sums (every global name here starts with idh_):
 *
 *   ice_binom_tail(k, n, q) -> float | NotImplemented
 *       iceberg_chain._binomial_tail: P(X >= k) for X ~ Binomial(n, q) as that sum of terms
 *       comb(n, i) * q ** i * (1 - q) ** (n - i), i from k to n, added in that order, at most 1.
 *       NotImplemented, nothing done, unless k and n are exact ints with 0 <= n <= IDH_MAX_N and q a
 *       float with 0 < q < 1 (every term is then the same double as Python's).
 *   ice_beyond(d, px, step, depth) -> int | NotImplemented
 *       iceberg_hold.Through.beyond: the sum of d.get(px + step * i, 0) for i in 1..depth. Not
 *       taken: d not a dict, px not an exact int within +-2^61, step not 1 or -1, depth not an exact
 *       int within 0..IDH_MAX_DEPTH, a value that is not an exact int or a sum past +-2^62. */
#include "_native.h"

#define IDH_MAX_N 62  /* comb(62, i) < 2^63, and each product before its division < 2^127 */
#define IDH_MAX_DEPTH 4096
#define IDH_LIM (1LL << 61)

PyObject *idh_binom_tail(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 3) {
        PyErr_SetString(PyExc_TypeError, "ice_binom_tail(k, n, q)");
        return NULL;
    }
    long long k, n;
    int r;
    if ((r = in_range(args[0], IDH_LIM, &k)) <= 0 || (r = in_range(args[1], IDH_LIM, &n)) <= 0) {
        if (r < 0)
            return NULL;
        Py_RETURN_NOTIMPLEMENTED;
    }
    if (!PyFloat_CheckExact(args[2]) || n < 0 || n > IDH_MAX_N)
        Py_RETURN_NOTIMPLEMENTED;
    double q = PyFloat_AS_DOUBLE(args[2]);
    if (!(q > 0.0 && q < 1.0))
        Py_RETURN_NOTIMPLEMENTED;
    if (k <= 0)
        return PyFloat_FromDouble(1.0);
    if (k > n)
        return PyFloat_FromDouble(0.0);
    unsigned __int128 c = 1;  /* comb(n, i) */
    for (long long i = 0; i < k; i++)
        c = c * (unsigned __int128)(n - i) / (unsigned __int128)(i + 1);
    double s = 0.0, p = 1.0 - q;
    for (long long i = k; i <= n; i++) {
        s += (double)(unsigned long long)c * pow(q, (double)i) * pow(p, (double)(n - i));
        c = c * (unsigned __int128)(n - i) / (unsigned __int128)(i + 1);
    }
    return PyFloat_FromDouble(s < 1.0 ? s : 1.0);
}

PyObject *idh_beyond(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 4) {
        PyErr_SetString(PyExc_TypeError, "ice_beyond(d, px, step, depth)");
        return NULL;
    }
    long long px, step, depth, total = 0;
    int r;
    PyObject *d = args[0];
    if (!PyDict_CheckExact(d))
        Py_RETURN_NOTIMPLEMENTED;
    if ((r = in_range(args[1], IDH_LIM, &px)) <= 0 || (r = in_range(args[2], 1, &step)) <= 0
        || (r = in_range(args[3], IDH_MAX_DEPTH, &depth)) <= 0) {
        if (r < 0)
            return NULL;
        Py_RETURN_NOTIMPLEMENTED;
    }
    if (step == 0 || depth < 0)
        Py_RETURN_NOTIMPLEMENTED;
    if (PyDict_GET_SIZE(d) == 0)
        return PyLong_FromLong(0);
    for (long long i = 1; i <= depth; i++) {
        PyObject *key = PyLong_FromLongLong(px + step * i);
        if (key == NULL)
            return NULL;
        PyObject *v = PyDict_GetItemWithError(d, key);
        Py_DECREF(key);
        if (v == NULL) {
            if (PyErr_Occurred())
                return NULL;
            continue;
        }
        long long x;
        if ((r = in_range(v, IDH_LIM, &x)) <= 0) {
            if (r < 0)
                return NULL;
            Py_RETURN_NOTIMPLEMENTED;
        }
        total += x;  /* (within +-2^61 each, at most 4096 of them: no overflow; the bound below) */
    }
    if (total > 2 * IDH_LIM || total < -2 * IDH_LIM)
        Py_RETURN_NOTIMPLEMENTED;
    return PyLong_FromLongLong(total);
}
