/* dom.core._native: SpoofDetector._level (spoof.py) for pulls_delta (_native_pulls.c), where the
 * detector's _level and _maybe_pull are SpoofDetector's own (det.held's pull kit is there: it holds
 * the step window). The loop has found the change's price to hold no candidate, its size at or above
 * its side's threshold as of the statistics and its distance from its side's best within
 * spoof_min_d0_ticks..half the band: what _level checks before the step window, so it is left here. */
#include "_native_pstore.h"

#define PK_STEPS 2  /* the pull kit's step window (pull_kit in spoof_delta.py; _native_pjd.c's PK_STEPS) */

static PyObject *S_step_at, *ONE;

/* lim[i] = px if px < lim[i] (lo, less: 1) or px > lim[i] (hi, less: 0): 0, -1 with an error set. */
static int widen(PyObject *lim, Py_ssize_t i, PyObject *px, long long p, int less)
{
    if (PyList_GET_SIZE(lim) != PDH_LIM) {
        PyErr_SetString(PyExc_ValueError, "det.lim: a list of eight");
        return -1;
    }
    PyObject *cur = Py_NewRef(PyList_GET_ITEM(lim, i));
    long long v;
    int r = in_range_fast(cur, 1LL << 62, &v);
    if (r > 0)
        r = less ? p < v : p > v;
    else
        r = PyObject_RichCompareBool(px, cur, less ? Py_LT : Py_GT);
    Py_DECREF(cur);
    if (r <= 0)
        return r;
    return lim_put(lim, i, px);  /* (the comparison may have run Python: lim_put checks the size) */
}

/* _level(sym, side, px, q, now) from its threshold on: the threshold read again (threshold, a dict),
 * the step (steps.step_at(side, px, q, now)[1], 0 without a step window), the candidate made in st
 * (k its side's place, d its distance) and the candidates' range in lim widened to px.
 * 1: done; 0: not taken, nothing done (the method's call); -1 with an error set. */
int pl_level(PyObject *pk, PyObject *threshold, PyObject *lim, PStore *st, int k, PyObject *side, PyObject *px,
             long long p, PyObject *q, long long vq, PyObject *now, long long t_now, long long d)
{
    if (!PyTuple_CheckExact(pk) || PyTuple_GET_SIZE(pk) <= PK_STEPS || !PyDict_CheckExact(threshold)
            || !PyList_CheckExact(lim) || vq < 0)
        return 0;  /* (a negative size: the method, whose store's seen raises first) */
    if (S_step_at == NULL && ((S_step_at = PyUnicode_InternFromString("step_at")) == NULL
                              || (ONE = PyLong_FromLong(1)) == NULL))
        return -1;
    PyObject *thr = PyDict_GetItemWithError(threshold, side);
    long long vt;
    if (thr == NULL)
        return PyErr_Occurred() ? -1 : 1;  /* (.get's None) */
    if (thr == Py_None)
        return 1;
    if (in_range_fast(thr, 1LL << 61, &vt) <= 0)
        return 0;
    if (vq < vt)
        return 1;
    long long step = 0;
    PyObject *steps = PyTuple_GET_ITEM(pk, PK_STEPS);
    if (steps != Py_None) {
        PyObject *av[5] = {steps, side, px, q, now};
        PyObject *got = PyObject_VectorcallMethod(S_step_at, av, 5 | PY_VECTORCALL_ARGUMENTS_OFFSET, NULL);
        if (got == NULL)
            return -1;
        PyObject *s = PyObject_GetItem(got, ONE);
        Py_DECREF(got);
        if (s == NULL)
            return -1;
        int r = ps_arg_ll(s, PS_T, &step);
        Py_DECREF(s);
        if (r < 0)
            return -1;
    }
    if (ps_new_cand(st, k, p, t_now, d, vq, step) < 0 || widen(lim, 1, px, p, 1) < 0 || widen(lim, 2, px, p, 0) < 0)
        return -1;
    return 1;
}
