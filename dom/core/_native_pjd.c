/* dom.core._native: the rest of SpoofDetector._maybe_pull (dom/core/detectors/spoof.py) once its
 * first checks have passed for certain (pull_gate's 2, _native_pgate.c): pjd_pull(), which
 * pdh_delta (_native_pulls.c) calls in place of the Python method where the detector's held hands it
 * a pull kit (spoof_delta.pull_kit). The same values in the same order of side effects: the
 * distance, whether a level stands deeper, the candidate marked pending, the pull's measures (the
 * mid's ranges from the store, the taker share toward it through each tape's volume_after (in C,
 * _native_pjd_tape.c's pjd_volume_after, where it takes the tape),
 * the step window's step_at, need, ref and synced_ns), then a _Pull appended to det.pulls. What it
 * does not read (a tape of another class, a flat index that is not a sorted list of exact ints
 * (a tree index: first_between asked), the flow windows not exact ints) it leaves before any side
 * effect to the Python method. Every global name here starts with pjd_. */
#include "_native_pstore.h"

/* The pull kit (spoof_delta.pull_kit), in order. */
enum { PK_PULLS, PK_CLS, PK_STEPS, PK_RATIO, PK_FLOW, PK_FLOW_MIN, PK_SNAP, PK_KW, PK_TAPE, PK_COUNT };

enum { J_volume_after, J_step_at, J_need, J_ref, J_synced_ns, J_range_pct, J_index, J_flat, J_r, J_first_between,
       J_COUNT };
static const char *JNAMES[J_COUNT] = {"volume_after", "step_at", "need", "ref", "synced_ns", "range_pct", "_index",
                                      "flat", "_r", "first_between"};
static PyObject *J[J_COUNT];

static int pjd_names(void)
{
    if (J[0] == NULL)
        for (int i = 0; i < J_COUNT; i++)
            if ((J[i] = PyUnicode_InternFromString(JNAMES[i])) == NULL)
                return -1;
    return 0;
}

/* Is the pull kit what pjd_pull reads (a tuple of PK_COUNT: pulls a list, the flow windows exact
 * ints within +-2^61, the keyword names a tuple)? 1, 0; the flow windows in *flow. */
int pjd_kit_ok(PyObject *pk, long long *flow)
{
    if (!PyTuple_CheckExact(pk) || PyTuple_GET_SIZE(pk) != PK_COUNT
            || !PyList_CheckExact(PyTuple_GET_ITEM(pk, PK_PULLS))
            || !PyTuple_CheckExact(PyTuple_GET_ITEM(pk, PK_KW)) || !PyType_Check(PyTuple_GET_ITEM(pk, PK_TAPE)))
        return 0;
    if (PyTuple_GET_SIZE(PyTuple_GET_ITEM(pk, PK_KW)) != (PyTuple_GET_ITEM(pk, PK_STEPS) == Py_None ? 2 : 6))
        return 0;
    return in_range_fast(PyTuple_GET_ITEM(pk, PK_FLOW), 1LL << 61, &flow[0]) > 0
           && in_range_fast(PyTuple_GET_ITEM(pk, PK_FLOW_MIN), 1LL << 61, &flow[1]) > 0;
}

/* Is there a level on the side strictly deeper than px, within 10^9 ticks (spoof.py's first_between
 * of it not None)? 1, 0; -1 with an error set. The side's flat index is bisected where it is a list
 * whose probed keys are exact ints and _r the side's sign; else first_between is asked. */
static int pjd_deeper(PyObject *lv, int ask, long long px)
{
    long long lo = ask ? -(px + 1000000000LL) : px - 1000000000LL, hi = ask ? -(px + 1) : px - 1, r = 0, k;
    PyObject *ro = PyObject_GetAttr(lv, J[J_r]), *idx = NULL, *flat = NULL;
    int got = -2;  /* -2: not read here */
    if (ro == NULL)
        PyErr_Clear();
    else if (in_range_fast(ro, 1, &r) > 0 && r == (ask ? -1 : 1) && (idx = PyObject_GetAttr(lv, J[J_index])) != NULL
             && (flat = PyObject_GetAttr(idx, J[J_flat])) != NULL && PyList_CheckExact(flat)) {
        /* j = bisect_right(flat, hi); flat[j - 1] >= lo */
        Py_ssize_t a = 0, b = PyList_GET_SIZE(flat);
        got = 0;
        while (a < b) {
            Py_ssize_t m = (a + b) / 2;
            if (in_range_fast(PyList_GET_ITEM(flat, m), 1LL << 62, &k) <= 0) {
                got = -2;
                break;
            }
            if (hi < k)
                b = m;
            else
                a = m + 1;
        }
        if (got == 0 && a > 0) {
            if (in_range_fast(PyList_GET_ITEM(flat, a - 1), 1LL << 62, &k) <= 0)
                got = -2;
            else
                got = k >= lo;
        }
    }
    if (PyErr_Occurred())
        PyErr_Clear();  /* (an attribute not there: first_between says) */
    Py_XDECREF(ro);
    Py_XDECREF(idx);
    Py_XDECREF(flat);
    if (got != -2)
        return got;
    PyObject *res = PyObject_CallMethod(lv, "first_between", "LL", ask ? px + 1 : px - 1000000000LL,
                                        ask ? px + 1000000000LL : px - 1);
    if (res == NULL)
        return -1;
    Py_DECREF(res);
    return res != Py_None;
}

/* The mid's range (half ticks) over the store's mids kept before `before` (PullStore.mid_range). */
/* A candidate's distance a second before (the last noted at or before ``cut``, else its first)
 * and its largest (its dists not empty). */
void pjd_dists_back(const PCand *c, long long cut, long long *ago, long long *far)
{
    long long f = ps_ring_at(&c->dists, 0)->a, g = f;
    int open = 1;
    for (Py_ssize_t i = 0; i < c->dists.n; i++) {
        const Item *x = ps_ring_at(&c->dists, i);
        if (x->t > cut)
            open = 0;
        if (open)
            g = x->a;
        if (x->a > f)
            f = x->a;
    }
    *ago = g;
    *far = f;
}

/* The range of the mids noted before ``before`` (0 with none), a new reference; also the store's
 * mid_range method. */
PyObject *pjd_mid_range(PStore *st, long long before)
{
    long long mn = 0, mx = 0;
    int any = 0;
    for (Py_ssize_t i = 0; i < st->mids.n; i++) {
        Item *x = ps_ring_at(&st->mids, i);
        if (x->t < before) {
            if (!any || x->a < mn)
                mn = x->a;
            if (!any || x->a > mx)
                mx = x->a;
            any = 1;
        }
    }
    return ps_from_i128((__int128)mx - mn);
}

/* tape.volume_after(lo) for the tape trades[side], a new reference (NULL with an error set). */
static PyObject *pjd_volume(PyObject *trades, PyObject *side, long long lo)
{
    PyObject *tape = PyDict_GetItemWithError(trades, side);
    if (tape == NULL) {
        if (!PyErr_Occurred())
            PyErr_SetObject(PyExc_KeyError, side);
        return NULL;
    }
    Py_INCREF(tape);
    PyObject *lo_o = PyLong_FromLongLong(lo);
    PyObject *av[2] = {tape, lo_o};
    PyObject *v = lo_o ? pjd_volume_after(tape, lo, lo_o) : NULL;  /* (in C where it takes the tape) */
    if (v == Py_NotImplemented) {
        Py_DECREF(v);
        v = PyObject_VectorcallMethod(J[J_volume_after], av, 2 | PY_VECTORCALL_ARGUMENTS_OFFSET, NULL);
    }
    Py_XDECREF(lo_o);
    Py_DECREF(tape);
    return v;
}

/* spoof_rules.toward(det, side, now, first_ns): mine / (mine + other), or 0.5 when that is 0. */
static PyObject *pjd_toward(PyObject *trades, PyObject *side, PyObject *other, long long now, long long first_ns,
                            const long long *flow)
{
    long long lo = now - flow[0];
    if (flow[1]) {
        long long m = now - flow[1];
        m = first_ns < m ? first_ns : m;
        lo = m > lo ? m : lo;
    }
    PyObject *mine = pjd_volume(trades, side, lo), *oth = mine ? pjd_volume(trades, other, lo) : NULL;
    PyObject *sum = oth ? PyNumber_Add(mine, oth) : NULL, *res = NULL;
    int t = sum ? PyObject_IsTrue(sum) : -1;
    if (t > 0)
        res = PyNumber_TrueDivide(mine, sum);
    else if (t == 0)
        res = PyFloat_FromDouble(0.5);
    Py_XDECREF(mine);
    Py_XDECREF(oth);
    Py_XDECREF(sum);
    return res;
}

/* The rest of det._maybe_pull(sym, side, px, after, now) for the candidate c (of det.st, the store st)
 * once pull_gate said 2 (g: the largest size kept, the band median, the queue beside it). best: its
 * side's best price (nbest: none); lv its book side; threshold, trades: det.threshold and det.trades;
 * other: the other side's object; prev: det.prev_depth_t. 1: done (a pull appended, or none where
 * _maybe_pull returns); 0: not taken, nothing done (call the method); -1 with an error set. */
int pjd_pull(PyObject *pk, PyObject *det, PStore *st, PCand *c, PyObject *side, PyObject *other, PyObject *pxo,
             PyObject *aftero, long long after, PyObject *nowo, long long now, int nbest, long long best, PyObject *lv,
             PyObject *threshold, PyObject *trades, PyObject *prev, const long long *g)
{
    long long flow[2];
    if (pjd_names() < 0)
        return -1;
    if (!pjd_kit_ok(pk, flow) || !PyDict_CheckExact(trades) || !PyDict_CheckExact(threshold)
            || c->sizes.n == 0 || c->dists.n == 0)
        return 0;
    PyObject *tape_cls = PyTuple_GET_ITEM(pk, PK_TAPE);
    for (int i = 0; i < 2; i++) {  /* (the tapes the detector keeps: their own volume_after) */
        PyObject *tp = PyDict_GetItemWithError(trades, i ? other : side);
        if (tp == NULL && PyErr_Occurred())
            return -1;
        if (tp == NULL || Py_TYPE(tp) != (PyTypeObject *)tape_cls)
            return 0;
    }
    int ask = c->k;
    long long px = c->px;
    if (nbest)
        return 1;  /* (no distance: _dist's None) */
    /* facts: its last distance, the one a second ago, the largest kept */
    long long last = ps_ring_at(&c->dists, c->dists.n - 1)->a, ago, far;
    long long d0 = c->d0, first_ns = c->first_ns, step = c->step;
    pjd_dists_back(c, now - 1000000000LL, &ago, &far);
    long long d = ask ? px - best : best - px;
    d = d >= 0 ? (d < last ? d : last) : last;
    if (d < 0)
        d = 0;
    int edge = 0;
    if (after == 0) {
        int deeper = pjd_deeper(lv, ask, px);
        if (deeper < 0)
            return -1;
        edge = !deeper;
        c = ps_find(st, ask, px);  /* (first_between may have run Python) */
        if (c == NULL) {
            PyErr_SetString(PyExc_KeyError, "the candidate went");
            return -1;
        }
    }
    c->pending = 1;  /* st.mark(side, px) */
    PyObject *v[23] = {NULL};  /* the positional values (17), then the keywords' */
    PyObject *steps = PyTuple_GET_ITEM(pk, PK_STEPS), *kw = PyTuple_GET_ITEM(pk, PK_KW), *res = NULL;
    int r = -1;
    PyObject *thr = PyDict_GetItemWithError(threshold, side);
    if (thr == NULL && PyErr_Occurred())
        goto done;
    v[0] = Py_NewRef(side);
    v[1] = Py_NewRef(pxo);
    v[2] = Py_NewRef(nowo);
    if ((v[3] = PyLong_FromLongLong(g[0])) == NULL || (v[5] = PyLong_FromLongLong(g[1])) == NULL
            || (v[6] = PyLong_FromLongLong(d0)) == NULL || (v[7] = PyLong_FromLongLong(d)) == NULL
            || (v[8] = PyLong_FromLongLong(far)) == NULL || (v[9] = PyLong_FromLongLong(first_ns)) == NULL)
        goto done;
    v[4] = Py_NewRef(aftero);
    v[10] = Py_NewRef(edge ? Py_True : Py_False);
    v[11] = Py_NewRef(thr ? thr : ZERO);
    if ((v[12] = pjd_mid_range(st, 1LL << 62)) == NULL || (v[13] = PyObject_GetAttr(det, J[J_range_pct])) == NULL
            || (v[14] = ps_from_i128((__int128)ago - d)) == NULL
            || (v[15] = pjd_toward(trades, side, other, now, first_ns, flow)) == NULL
            || (v[16] = PyLong_FromLongLong(g[2])) == NULL)
        goto done;
    v[17] = Py_NewRef(prev);
    if ((v[18] = pjd_mid_range(st, now)) == NULL)
        goto done;
    Py_ssize_t nkw = 2;
    if (steps != Py_None) {
        /* pull.step = max(step, steps.step_at(side, px, ref, now)[1]); need, step_ref; fresh */
        PyObject *av[5] = {steps, side, pxo, v[3], nowo};
        PyObject *at = PyObject_VectorcallMethod(J[J_step_at], av, 5 | PY_VECTORCALL_ARGUMENTS_OFFSET, NULL);
        if (at == NULL)
            goto done;
        PyObject *s1 = PySequence_GetItem(at, 1), *s0 = PyLong_FromLongLong(step);
        Py_DECREF(at);
        int gt = s1 && s0 ? PyObject_RichCompareBool(s1, s0, Py_GT) : -1;
        if (gt < 0) {
            Py_XDECREF(s1);
            Py_XDECREF(s0);
            goto done;
        }
        v[19] = gt ? s1 : s0;
        Py_DECREF(gt ? s0 : s1);
        PyObject *bv[2] = {steps, PyTuple_GET_ITEM(pk, PK_RATIO)};
        if ((v[20] = PyObject_VectorcallMethod(J[J_need], bv, 2 | PY_VECTORCALL_ARGUMENTS_OFFSET, NULL)) == NULL
                || (v[21] = PyObject_GetAttr(steps, J[J_ref])) == NULL)
            goto done;
        /* 0 <= steps.synced_ns < first_ns - SNAPSHOT_NS */
        PyObject *sy = PyObject_GetAttr(steps, J[J_synced_ns]), *fo = NULL, *lim = NULL;
        int f = sy ? PyObject_RichCompareBool(ZERO, sy, Py_LE) : -1;
        if (f > 0) {
            fo = PyLong_FromLongLong(first_ns);
            lim = fo ? PyNumber_Subtract(fo, PyTuple_GET_ITEM(pk, PK_SNAP)) : NULL;
            f = lim ? PyObject_RichCompareBool(sy, lim, Py_LT) : -1;
        }
        Py_XDECREF(sy);
        Py_XDECREF(fo);
        Py_XDECREF(lim);
        if (f < 0)
            goto done;
        v[22] = Py_NewRef(f ? Py_True : Py_False);
        nkw = 6;
    }
    if (PyTuple_GET_SIZE(kw) != nkw) {
        PyErr_SetString(PyExc_ValueError, "the pull kit's keywords");
        goto done;
    }
    PyObject *pull = PyObject_Vectorcall(PyTuple_GET_ITEM(pk, PK_CLS), v, 17, kw);
    if (pull == NULL)
        goto done;
    r = PyList_Append(PyTuple_GET_ITEM(pk, PK_PULLS), pull);
    Py_DECREF(pull);
    if (r == 0)
        r = 1;
done:
    for (int i = 0; i < 23; i++)
        Py_XDECREF(v[i]);
    (void)res;
    return r;
}
