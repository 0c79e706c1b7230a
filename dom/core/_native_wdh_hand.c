/* The standing walls' gate worked out in C (WallHook.hand, _native_wdh.c; the twin is
 * dom/core/detectors/wall_hook.py, hand_walls_py): after each _judge that leaves walls, one pass over
 * the detector's walls gives the hook's due time, each side's walls' price range and prices, their
 * quiet sizes, the steady candidates' hold sizes and rise flags, as hand_walls_py hands them to
 * WallHook.walls (its 13 arguments), without the Python frame and the eight lists and tuples.
 *
 * Each wall is read as the twin reads it, in the same order, only what its branch reads:
 *   announced (True / False, or an exact int: its truth): gone_ns (its truth: due -2^62); else an
 *     update pending (moves != sent_moves, or |size - sent_size| > wall_update_change x sent_size,
 *     the float's product as float.__mul__ gives it: sizes within +-2^52, exact as doubles)
 *     at updated_ns + wall_update_ms x 10^6;
 *   dip_ns (its truth): quiet size enter, due dip_ns + wall_dip_ms x 10^6;
 *   steady (wall_traded_fraction <= 0) inside its wait (now - first_ns < persist): due first_ns +
 *     persist, hold size enter with rise 1 where its side has a threshold (side in thr);
 *   else candidate_due(det, w, now) (the twin's own function, called here), hold size enter where
 *     steady, wall_ref_step_ratio <= 0 and its side has a threshold.
 * Not taken (0: the caller runs the twin, which answers or raises as it does; nothing written): a
 * wall not of the class handed over (its attributes are then plain reads, no Python code), a
 * side that is neither bid nor ask, a time, price or size not an exact int within +-2^61 (sizes
 * +-2^52 where compared with the float), an entry not an exact int within +-2^62, a parameter not
 * an exact int (the milliseconds within +-2^40) or float, a due time candidate_due gives or a sum
 * past +-2^62 (where WallHook.walls turns the gate off), walls or thr not a dict, walls changing
 * size under candidate_due. Every global name here starts with wdh_hand. */
#include "_native.h"

#define WDH_HAND_LIM (1LL << 61)
#define WDH_HAND_GATE (1LL << 62)
#define WDH_HAND_FLOAT (1LL << 52)
#define WDH_HAND_MS (1LL << 40)

enum { A_PX, A_SIDE, A_ANN, A_GONE, A_MOVES, A_SENT_MOVES, A_SIZE, A_SENT_SIZE, A_UPDATED, A_DIP, A_ENTER, A_FIRST,
       A_UPD_MS, A_UPD_CHANGE, A_DIP_MS, A_TF, A_REF, A_N };
static PyObject *wdh_hand_s[A_N];

/* o.name (new reference), NULL with *r 0 where there is none (the error cleared), -1 with an error set. */
static PyObject *wdh_hand_get(PyObject *o, int name, int *r)
{
    PyObject *x = PyObject_GetAttr(o, wdh_hand_s[name]);
    if (x == NULL)
        *r = PyErr_ExceptionMatches(PyExc_AttributeError) ? (PyErr_Clear(), 0) : -1;
    return x;
}

/* o.name as an exact int within +-lim: 1; 0 not; -1 error. */
static int wdh_hand_int(PyObject *o, int name, long long lim, long long *v)
{
    return attr_in_range(o, wdh_hand_s[name], lim, v);
}

/* The truth of o.name where it is True, False or an exact int: 1 (*t set); 0 anything else; -1 error. */
static int wdh_hand_truth(PyObject *o, int name, int *t)
{
    int r = 1;
    PyObject *x = wdh_hand_get(o, name, &r);
    if (x == NULL)
        return r;
    if (x == Py_True || x == Py_False)
        *t = x == Py_True;
    else if (PyLong_CheckExact(x))
        *t = PyObject_IsTrue(x); /* (an exact int: no Python code) */
    else
        r = 0;
    Py_DECREF(x);
    return r;
}

/* p.name <= 0 where it is an exact int or float: 1 (*t set); 0 anything else; -1 error. */
static int wdh_hand_off(PyObject *p, int name, int *t)
{
    int r = 1;
    PyObject *x = wdh_hand_get(p, name, &r);
    if (x == NULL)
        return r;
    if (PyFloat_CheckExact(x))
        *t = PyFloat_AS_DOUBLE(x) <= 0.0; /* (NaN: False, as Python's) */
    else if (PyLong_CheckExact(x))
        *t = _PyLong_Sign(x) <= 0;
    else
        r = 0;
    Py_DECREF(x);
    return r;
}

/* p.name (milliseconds) x 10^6, read once (*got): 1; 0 not an exact int within +-2^40; -1 error. */
static int wdh_hand_ms(PyObject *p, int name, int *got, long long *ns)
{
    if (*got)
        return 1;
    long long v;
    int r = wdh_hand_int(p, name, WDH_HAND_MS, &v);
    if (r > 0)
        *ns = v * 1000000, *got = 1;
    return r;
}

/* One wall (w, of the class checked) into the gate g at index g->n[s]: 1, 0 not taken, -1 error.
 * k: the parameters read so far (steady, ref_off, the milliseconds, the change: det.p is a frozen
 * DetectorParams, read once a call where the twin reads it once a wall). */
typedef struct {
    PyObject *p, *thr, *cdue, *det, *bid, *ask, *now_o, *change;
    long long now, persist, upd_ns, dip_ns;
    int steady, ref_off, has_upd, has_dip, in_thr[2]; /* (in_thr: the last wall's answer) */
} wdh_hand_K;

/* side in thr, asked for each wall as the twin asks it (candidate_due may have changed thr in between). */
static int wdh_hand_in_thr(wdh_hand_K *k, int s)
{
    int c = PyDict_Contains(k->thr, s ? k->ask : k->bid);
    if (c < 0)
        return -1;
    k->in_thr[s] = c;
    return 1;
}

static int wdh_hand_one(PyObject *w, wdh_hand_K *k, WdhGate *g, long long *due)
{
    long long px, q = -WDH_HAND_GATE, h = WDH_HAND_GATE, t, a, b;
    int rise = 0, ann, r, s;
    if ((r = wdh_hand_int(w, A_PX, WDH_HAND_LIM, &px)) <= 0 || (r = wdh_hand_truth(w, A_ANN, &ann)) <= 0)
        return r;
    if (ann) {
        int gone;
        if ((r = wdh_hand_truth(w, A_GONE, &gone)) <= 0)
            return r;
        if (gone)
            *due = -WDH_HAND_GATE;
        else {
            long long size, sent;
            if ((r = wdh_hand_int(w, A_MOVES, WDH_HAND_LIM, &a)) <= 0
                || (r = wdh_hand_int(w, A_SENT_MOVES, WDH_HAND_LIM, &b)) <= 0)
                return r;
            int pending = a != b;
            if (!pending) {
                if ((r = wdh_hand_int(w, A_SIZE, WDH_HAND_FLOAT, &size)) <= 0
                    || (r = wdh_hand_int(w, A_SENT_SIZE, WDH_HAND_FLOAT, &sent)) <= 0)
                    return r;
                if (k->change == NULL && (k->change = wdh_hand_get(k->p, A_UPD_CHANGE, &r)) == NULL)
                    return r;
                if (!PyFloat_CheckExact(k->change))
                    return 0;
                long long d = size - sent;
                pending = (double)(d < 0 ? -d : d) > PyFloat_AS_DOUBLE(k->change) * (double)sent;
            }
            if (pending) {
                if ((r = wdh_hand_int(w, A_UPDATED, WDH_HAND_LIM, &a)) <= 0
                    || (r = wdh_hand_ms(k->p, A_UPD_MS, &k->has_upd, &k->upd_ns)) <= 0)
                    return r;
                if ((t = a + k->upd_ns) < *due)
                    *due = t;
            }
        }
    }
    else {
        int dip;
        if ((r = wdh_hand_int(w, A_DIP, WDH_HAND_LIM, &a)) <= 0)
            return r;
        dip = a != 0;
        if (dip) {
            if ((r = wdh_hand_int(w, A_ENTER, WDH_HAND_GATE, &q)) <= 0
                || (r = wdh_hand_ms(k->p, A_DIP_MS, &k->has_dip, &k->dip_ns)) <= 0)
                return r;
            if ((t = a + k->dip_ns) < *due)
                *due = t;
        }
        else {
            long long first = 0;
            if (k->steady && ((r = wdh_hand_int(w, A_FIRST, WDH_HAND_LIM, &first)) <= 0))
                return r;
            if (k->steady && k->now - first < k->persist) {
                if ((t = first + k->persist) < *due)
                    *due = t;
                rise = 1; /* (with the hold size below, where its side has a threshold) */
            }
            else {
                PyObject *args[3] = {k->det, w, k->now_o};
                PyObject *got = PyObject_Vectorcall(k->cdue, args, 3, NULL);
                if (got == NULL)
                    return -1;
                r = in_range_fast(got, WDH_HAND_GATE, &t);
                Py_DECREF(got);
                if (r <= 0)
                    return r;
                if (t < *due)
                    *due = t;
            }
            if (rise || (k->steady && k->ref_off)) {
                PyObject *side = wdh_hand_get(w, A_SIDE, &r);
                if (side == NULL)
                    return r;
                Py_DECREF(side); /* (the wall holds it) */
                if (side != k->bid && side != k->ask)
                    return 0;
                if (wdh_hand_in_thr(k, side == k->ask) < 0)
                    return -1;
                if (k->in_thr[side == k->ask]) {
                    if ((r = wdh_hand_int(w, A_ENTER, WDH_HAND_GATE, &h)) <= 0)
                        return r;
                }
                else
                    rise = 0;
            }
        }
    }
    PyObject *side = wdh_hand_get(w, A_SIDE, &r);
    if (side == NULL)
        return r;
    Py_DECREF(side);
    if (side != k->bid && side != k->ask)
        return 0;
    s = side == k->ask;
    int n = g->n[s]++;
    if (px < g->lo[s])
        g->lo[s] = px;
    if (px > g->hi[s])
        g->hi[s] = px;
    if (n < WDH_NW)
        g->px[s][n] = px, g->quiet[s][n] = q, g->hold[s][n] = h, g->rise[s][n] = (char)rise;
    return 1;
}

/* hand(walls, now, persist, p, thr, candidate_due, det, wall_cls, bid, ask) read into g: 1; 0 not
 * taken; -1 with an error set. */
int wdh_hand_read(PyObject *const *args, WdhGate *g)
{
    PyObject *walls = args[0], *cls = args[7];
    wdh_hand_K k = {.p = args[3], .thr = args[4], .cdue = args[5], .det = args[6], .bid = args[8], .ask = args[9],
                    .now_o = args[1]};
    int r;
    if (!PyDict_CheckExact(walls) || !PyDict_CheckExact(k.thr) || !PyType_Check(cls)
        || (r = in_range_fast(args[1], WDH_HAND_LIM, &k.now)) <= 0 || (r = in_range_fast(args[2], WDH_HAND_LIM, &k.persist)) <= 0)
        return PyErr_Occurred() ? -1 : 0;
    if ((r = wdh_hand_off(k.p, A_TF, &k.steady)) <= 0 || (r = wdh_hand_off(k.p, A_REF, &k.ref_off)) <= 0)
        return r;
    g->due = WDH_HAND_GATE;
    for (int s = 0; s < 2; s++)
        g->lo[s] = WDH_HAND_GATE, g->hi[s] = -WDH_HAND_GATE, g->n[s] = 0;
    PyObject *vals = PyDict_Values(walls); /* (holds them while candidate_due runs) */
    if (vals == NULL)
        return -1;
    Py_ssize_t n = PyList_GET_SIZE(vals);
    r = 1;
    for (Py_ssize_t i = 0; i < n && r > 0; i++) {
        PyObject *w = PyList_GET_ITEM(vals, i);
        if (Py_TYPE(w) != (PyTypeObject *)cls) {
            r = 0;
            break;
        }
        r = wdh_hand_one(w, &k, g, &g->due);
        if (r > 0 && PyDict_GET_SIZE(walls) != n)
            r = 0; /* (changed under candidate_due: the twin, which iterates it, says what happens) */
    }
    Py_DECREF(vals);
    Py_XDECREF(k.change);
    return r;
}

/* The attribute names interned: 0; -1 with an error set. */
int wdh_hand_init(void)
{
    static const char *names[A_N] = {"px", "side", "announced", "gone_ns", "moves", "sent_moves", "size", "sent_size",
                                     "updated_ns", "dip_ns", "enter", "first_ns", "wall_update_ms", "wall_update_change",
                                     "wall_dip_ms", "wall_traded_fraction", "wall_ref_step_ratio"};
    for (int i = 0; i < A_N; i++)
        if ((wdh_hand_s[i] = PyUnicode_InternFromString(names[i])) == NULL)
            return -1;
    return 0;
}
