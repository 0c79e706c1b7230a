/* dom.core._native: pulled liquidity's reads of a taker tape's trades when it judges a pull
 * (dom/core/detectors/spoof_rules.py, whose traded_py and trade_dist_py are the same loops):
 *
 *   tape_traded(q, lo, hi, px, sign, ordered) -> (at, beyond) | NotImplemented
 *       Of the trades (T, p, qty) of q (a tape's deque) with lo < T <= hi: the qty at p == px, and
 *       beyond it ((px - p) * sign > 0). ordered true: q is a deque whose T do not decrease (the
 *       tape's last_desc <= popped), read from its end back to the first T <= lo (the same sums:
 *       every trade before that one has T <= lo too); else every trade is read.
 *   tape_near(q, lo, hi, px, sign, ordered) -> int | None | NotImplemented
 *       Of those trades, the least (p - px) * sign that is at least 0 (None: none).
 *
 * NotImplemented, nothing read past it, for anything else than exact 3-tuples of exact ints (T
 * within +-2^62, p and qty within +-2^61), lo, hi within +-2^62, px within +-2^61, sign 1 or -1.
 * Every global name here starts with pjd_. */
#include "_native_pstore.h"

#define PJD_T (1LL << 62)
#define PJD_PX (1LL << 61)

/* The arguments: 1 with them read, 0 not taken, -1 with an error set. */
static int pjd_tape_args(PyObject *const *a, Py_ssize_t nargs, const char *sig, long long *v)
{
    if (nargs != 6) {
        PyErr_Format(PyExc_TypeError, "%s", sig);
        return -1;
    }
    int r;
    if ((r = in_range_fast(a[1], PJD_T, &v[0])) <= 0 || (r = in_range_fast(a[2], PJD_T, &v[1])) <= 0
            || (r = in_range_fast(a[3], PJD_PX, &v[2])) <= 0 || (r = in_range_fast(a[4], 1, &v[3])) <= 0)
        return r;
    return v[3] != 0 && PyBool_Check(a[5]);
}

/* The trades' iterator: from the end back where a[5] is True (reversed(q)), else iter(q). */
static PyObject *pjd_iter(PyObject *const *a)
{
    return a[5] == Py_True ? PyObject_CallMethod(a[0], "__reversed__", NULL) : PyObject_GetIter(a[0]);
}

/* The next trade of it: 1 with *T, *p, *q set; 0 at the end; 2 not taken; -1 with an error set. */
static int pjd_next(PyObject *it, long long *T, long long *p, long long *q)
{
    PyObject *x = PyIter_Next(it);
    if (x == NULL)
        return PyErr_Occurred() ? -1 : 0;
    int r = 2;
    if (PyTuple_CheckExact(x) && PyTuple_GET_SIZE(x) == 3) {
        int k;
        if ((k = in_range_fast(PyTuple_GET_ITEM(x, 0), PJD_T, T)) > 0
                && (k = in_range_fast(PyTuple_GET_ITEM(x, 1), PJD_PX, p)) > 0)
            k = in_range_fast(PyTuple_GET_ITEM(x, 2), PJD_PX, q);
        r = k < 0 ? -1 : k > 0 ? 1 : 2;
    }
    Py_DECREF(x);
    return r;
}

static PyObject *pjd_tape_traded(PyObject *self, PyObject *const *a, Py_ssize_t nargs)
{
    long long v[4], T, p, q;
    int r = pjd_tape_args(a, nargs, "tape_traded(q, lo, hi, px, sign, ordered)", v);
    if (r <= 0)
        return r < 0 ? NULL : Py_NewRef(Py_NotImplemented);
    int back = a[5] == Py_True;  /* (read once nargs is known to be 6) */
    PyObject *it = pjd_iter(a);
    if (it == NULL)
        return NULL;
    __int128 at = 0, beyond = 0;
    while ((r = pjd_next(it, &T, &p, &q)) == 1 && !(back && T <= v[0]))
        if (v[0] < T && T <= v[1]) {
            if (p == v[2])
                at += q;
            else if ((v[2] - p) * v[3] > 0)
                beyond += q;
        }
    Py_DECREF(it);
    if (r != 0 && r != 1)  /* (1: stopped at a trade at or before lo, read from the end) */
        return r < 0 ? NULL : Py_NewRef(Py_NotImplemented);
    PyObject *x = ps_from_i128(at), *y = x ? ps_from_i128(beyond) : NULL;
    PyObject *res = y ? PyTuple_Pack(2, x, y) : NULL;
    Py_XDECREF(x);
    Py_XDECREF(y);
    return res;
}

static PyObject *pjd_tape_near(PyObject *self, PyObject *const *a, Py_ssize_t nargs)
{
    long long v[4], T, p, q, near = 0;
    int r = pjd_tape_args(a, nargs, "tape_near(q, lo, hi, px, sign, ordered)", v), any = 0;
    if (r <= 0)
        return r < 0 ? NULL : Py_NewRef(Py_NotImplemented);
    int back = a[5] == Py_True;  /* (read once nargs is known to be 6) */
    PyObject *it = pjd_iter(a);
    if (it == NULL)
        return NULL;
    while ((r = pjd_next(it, &T, &p, &q)) == 1 && !(back && T <= v[0]))
        if (v[0] < T && T <= v[1]) {
            long long d = (p - v[2]) * v[3];
            if (d >= 0 && (!any || d < near)) {
                near = d;
                any = 1;
            }
        }
    Py_DECREF(it);
    if (r != 0 && r != 1)  /* (1: stopped at a trade at or before lo, read from the end) */
        return r < 0 ? NULL : Py_NewRef(Py_NotImplemented);
    return any ? PyLong_FromLongLong(near) : Py_NewRef(Py_None);
}

/* The attributes of a TakerTape pjd_volume_after reads (tape.py). */
enum { V_q, V_popped, V_last_desc, V_ts, V_cum, V_base, V_COUNT };
static const char *VNAMES[V_COUNT] = {"q", "popped", "last_desc", "ts", "cum", "base"};
static PyObject *VN[V_COUNT];
#define PJD_COMPACT 1024  /* tape._COMPACT */

/* ts[i] > lo for bisect_right: 1, 0; -1 with an error set (an item not an exact int compared as Python would). */
static int pjd_above(PyObject *ts, Py_ssize_t i, long long lo, PyObject *lo_o)
{
    long long k;
    PyObject *x = PyList_GET_ITEM(ts, i);
    if (in_range_fast(x, PJD_T, &k) > 0)
        return lo < k;
    if (PyErr_Occurred())
        return -1;
    Py_INCREF(x);
    int r = PyObject_RichCompareBool(lo_o, x, Py_LT);
    Py_DECREF(x);
    return r;
}

/* tape.volume_after(lo) (tape.py's TakerTape), its lists brought up to date as the method does:
 * a new reference; NotImplemented (a new reference), nothing done, where it reads something else
 * than the tape holds (q of another length than its counts say, a time or qty of the trades it reads
 * not an exact int within +-2^62 / +-2^61, the lists not lists, the counts not such ints); NULL with
 * an error set. */
PyObject *pjd_volume_after(PyObject *tape, long long lo, PyObject *lo_o)
{
    PyObject *v[V_COUNT] = {NULL}, *res = NULL;
    long long popped, last_desc, base, T, p, qty;
    if (VN[0] == NULL)
        for (int i = 0; i < V_COUNT; i++)
            if ((VN[i] = PyUnicode_InternFromString(VNAMES[i])) == NULL)
                return NULL;
    for (int i = 0; i < V_COUNT; i++)
        if ((v[i] = PyObject_GetAttr(tape, VN[i])) == NULL)
            goto done;
    PyObject *q = v[V_q], *ts = v[V_ts], *cum = v[V_cum];
    Py_ssize_t n = PyObject_Size(q);
    int r;
    if (n < 0)
        goto done;
    res = Py_NewRef(Py_NotImplemented);
    if (!PyList_CheckExact(ts) || !PyList_CheckExact(cum) || PyList_GET_SIZE(ts) != PyList_GET_SIZE(cum)
            || (r = in_range_fast(v[V_popped], PJD_T, &popped)) <= 0
            || (r = in_range_fast(v[V_last_desc], PJD_T, &last_desc)) <= 0
            || (r = in_range_fast(v[V_base], PJD_T, &base)) <= 0) {
        if (PyErr_Occurred())
            Py_CLEAR(res);
        goto done;
    }
    if (last_desc > popped) {  /* out of T order somewhere: the plain sum */
        __int128 sum = 0;
        PyObject *it = PyObject_GetIter(q);
        if (it == NULL) {
            Py_CLEAR(res);
            goto done;
        }
        while ((r = pjd_next(it, &T, &p, &qty)) == 1)
            if (T > lo)
                sum += qty;
        Py_DECREF(it);
        if (r < 0)
            Py_CLEAR(res);
        else if (r == 0) {
            Py_DECREF(res);
            res = ps_from_i128(sum);
        }
        goto done;
    }
    /* What the method would do to the lists, worked out before anything is changed. */
    Py_ssize_t nts = PyList_GET_SIZE(ts);
    long long h = popped - base, cut = 0;  /* cut: items dropped from the lists' front (-1: all) */
    long long nbase = base;
    if (h > nts) {
        cut = -1;
        nbase = popped;
        h = 0;
    } else if (h >= PJD_COMPACT && 2 * h >= nts) {
        cut = h - 1;
        nbase = base + h - 1;
        h = 1;
    }
    long long kept = cut < 0 ? 0 : nts - cut;
    long long fresh = popped + n - nbase - kept;  /* trades since the last question */
    long long total = 0;
    if (fresh < 0 || fresh > n || h < 0)
        goto done;
    if (fresh && kept && in_range_fast(PyList_GET_ITEM(cum, nts - 1), PJD_T, &total) <= 0) {
        if (PyErr_Occurred())
            Py_CLEAR(res);
        goto done;
    }
    long long *buf = fresh ? PyMem_Malloc(2 * fresh * sizeof(long long)) : NULL;
    if (fresh && buf == NULL) {
        Py_CLEAR(res);
        PyErr_NoMemory();
        goto done;
    }
    for (long long j = 0; j < fresh; j++) {  /* the fresh trades' T and running totals */
        PyObject *x = PySequence_GetItem(q, n - fresh + j);
        r = x == NULL ? -1 : 2;
        if (x != NULL && PyTuple_CheckExact(x) && PyTuple_GET_SIZE(x) == 3) {
            int k;
            if ((k = in_range_fast(PyTuple_GET_ITEM(x, 0), PJD_T, &T)) > 0)
                k = in_range_fast(PyTuple_GET_ITEM(x, 2), PJD_PX, &qty);
            r = k < 0 ? -1 : k > 0 ? 1 : 2;
        }
        Py_XDECREF(x);
        if (r == 1 && (total + qty > PJD_T || total + qty < -PJD_T))
            r = 2;
        if (r != 1) {
            PyMem_Free(buf);
            if (r < 0)
                Py_CLEAR(res);
            goto done;
        }
        total += qty;
        buf[2 * j] = T;
        buf[2 * j + 1] = total;
    }
    /* Now as the method: the lists cut, the base moved, the fresh trades appended. */
    Py_CLEAR(res);
    r = 0;
    if (cut < 0)
        r = PyList_SetSlice(ts, 0, nts, NULL) < 0 || PyList_SetSlice(cum, 0, nts, NULL) < 0
            || PyObject_SetAttr(tape, VN[V_base], v[V_popped]) < 0 ? -1 : 0;
    else if (cut > 0)
        r = PyList_SetSlice(ts, 0, cut, NULL) < 0 || PyList_SetSlice(cum, 0, cut, NULL) < 0
            || set_attr_ll(tape, VN[V_base], nbase) < 0 ? -1 : 0;
    for (long long j = 0; r == 0 && j < fresh; j++) {
        PyObject *a = PyLong_FromLongLong(buf[2 * j]), *b = a ? PyLong_FromLongLong(buf[2 * j + 1]) : NULL;
        r = b == NULL || PyList_Append(ts, a) < 0 || PyList_Append(cum, b) < 0 ? -1 : 0;
        Py_XDECREF(a);
        Py_XDECREF(b);
    }
    PyMem_Free(buf);
    if (r < 0)
        goto done;
    /* i = bisect_right(ts, lo, h) */
    Py_ssize_t a = (Py_ssize_t)h, b = PyList_GET_SIZE(ts), m = PyList_GET_SIZE(cum);
    while (a < b) {
        Py_ssize_t mid = (a + b) / 2;
        int up = pjd_above(ts, mid, lo, lo_o);
        if (up < 0)
            goto done;
        if (up)
            b = mid;
        else
            a = mid + 1;
    }
    if (a == m)
        res = Py_NewRef(ZERO);
    else if (a > m)
        PyErr_SetString(PyExc_IndexError, "list index out of range");  /* (as cum[i - 1] past its end) */
    else if (a == 0)
        res = Py_NewRef(PyList_GET_ITEM(cum, m - 1));
    else
        res = PyNumber_Subtract(PyList_GET_ITEM(cum, m - 1), PyList_GET_ITEM(cum, a - 1));
done:
    for (int i = 0; i < V_COUNT; i++)
        Py_XDECREF(v[i]);
    return res;
}

static PyObject *pjd_tape_volume(PyObject *self, PyObject *const *a, Py_ssize_t nargs)
{
    long long lo;
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "tape_volume_after(tape, lo)");
        return NULL;
    }
    int r = in_range_fast(a[1], PJD_T, &lo);
    if (r <= 0)
        return r < 0 ? NULL : Py_NewRef(Py_NotImplemented);
    return pjd_volume_after(a[0], lo, a[1]);
}

PyObject *pjd_band_median_top(PyObject *self, PyObject *const *args, Py_ssize_t nargs);  /* _native_pstats.c */

static PyMethodDef pjd_methods[] = {
    {"band_median_top", (PyCFunction)(void (*)(void))pjd_band_median_top, METH_FASTCALL,
     "How many sizes a band has, their median (as int()) and the largest, by selection (spoof_stats.py)."},
    {"tape_volume_after", (PyCFunction)(void (*)(void))pjd_tape_volume, METH_FASTCALL,
     "TakerTape.volume_after in C, its lists brought up to date as the method does (tape.py)."},
    {"tape_traded", (PyCFunction)(void (*)(void))pjd_tape_traded, METH_FASTCALL,
     "A tape's qty at a price and beyond it over a span of times (spoof_rules.traded)."},
    {"tape_near", (PyCFunction)(void (*)(void))pjd_tape_near, METH_FASTCALL,
     "How near a tape's trades over a span of times came to a price (spoof_rules.trade_dist)."},
    {NULL, NULL, 0, NULL},
};

int pjd_register(PyObject *m)
{
    return PyModule_AddFunctions(m, pjd_methods);
}
