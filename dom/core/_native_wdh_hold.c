/* The walls' depth hook (WallHook, _native_wdh.c): a message whose every change that may matter is
 * at a steady candidate (wall_hook.hand_walls: standing at its entry, not dipping, nothing due
 * before the hook's due time) up to its hold size within its side's band: what _level does for
 * such a change, done here in place of _judge (WallDetector._level, the candidate branch:
 * w.size = q; w.peak = max(w.peak, q); w.dist = |best - px|; its dip time is 0 already).
 *
 * The candidates are looked up in the detector's walls ((side, px) keys) and checked first, all of
 * them, before any is written: each must be there, unannounced (announced is False), not dipping
 * (dip_ns an exact int 0), its entry the hold size handed over and its peak an exact int within
 * +-2^61; else nothing is written and the caller hands the message to _judge. Every global name
 * here starts with wdh_hold. */
#include "_native.h"

#define WDH_HOLD_LIM (1LL << 61)

static PyObject *wdh_hold_s[5]; /* announced, dip_ns, enter, peak, size */
static PyObject *wdh_hold_dist;

enum { H_ANNOUNCED, H_DIP, H_ENTER, H_PEAK, H_SIZE };

#define wdh_hold_int(o, name, v) attr_in_range((o), (name), WDH_HOLD_LIM, (v))

/* The n hold changes (changes[idx[k]], at a distance dist[k] from their side's best, hold size
 * hold[k]) applied to their candidates: 0 done; 1 declined, nothing written (a candidate missing or
 * not as handed over); -1 with an error set. n at most WDH_HOLD_MAX. */
int wdh_hold_apply(PyObject *walls, PyObject *changes, const Py_ssize_t *idx, const long long *dist,
                   const long long *hold, int n)
{
    PyObject *w[WDH_HOLD_MAX];
    int got = 0, r = 1;
    for (int k = 0; k < n && r > 0; k++) {
        if (idx[k] >= PyList_GET_SIZE(changes)) {
            r = 0;
            break;
        }
        PyObject *c = PyList_GET_ITEM(changes, idx[k]);
        PyObject *key = PyTuple_Pack(2, PyTuple_GET_ITEM(c, 0), PyTuple_GET_ITEM(c, 1));
        if (key == NULL) {
            r = -1;
            break;
        }
        PyObject *x = PyDict_GetItemWithError(walls, key);
        Py_DECREF(key);
        if (x == NULL) {
            r = PyErr_Occurred() ? -1 : 0;
            break;
        }
        w[got++] = Py_NewRef(x);
        PyObject *a = PyObject_GetAttr(x, wdh_hold_s[H_ANNOUNCED]);
        if (a == NULL) {
            r = PyErr_ExceptionMatches(PyExc_AttributeError) ? (PyErr_Clear(), 0) : -1;
            break;
        }
        Py_DECREF(a);
        long long dip, enter, peak;
        if (a != Py_False || (r = wdh_hold_int(x, wdh_hold_s[H_DIP], &dip)) <= 0 || dip != 0
            || (r = wdh_hold_int(x, wdh_hold_s[H_ENTER], &enter)) <= 0 || enter != hold[k]
            || (r = wdh_hold_int(x, wdh_hold_s[H_PEAK], &peak)) <= 0)
            r = r < 0 ? -1 : 0;
    }
    /* (in order, as _level's calls would: a candidate met twice takes its second size last) */
    for (int k = 0; k < n && r > 0; k++) {
        PyObject *x = w[k], *c = PyList_GET_ITEM(changes, idx[k]), *q = PyTuple_GET_ITEM(c, 3);
        long long peak, qv;
        if ((r = wdh_hold_int(x, wdh_hold_s[H_PEAK], &peak)) <= 0 || (r = in_range_fast(q, WDH_HOLD_LIM, &qv)) <= 0) {
            r = r < 0 ? -1 : 0; /* (only a candidate met twice reads what was written: an exact int) */
            break;
        }
        PyObject *d = PyLong_FromLongLong(dist[k]);
        if (d == NULL || PyObject_SetAttr(x, wdh_hold_s[H_SIZE], q) < 0
            || (qv > peak && PyObject_SetAttr(x, wdh_hold_s[H_PEAK], q) < 0) || PyObject_SetAttr(x, wdh_hold_dist, d) < 0)
            r = -1;
        Py_XDECREF(d);
    }
    for (int k = 0; k < got; k++)
        Py_DECREF(w[k]);
    return r < 0 ? -1 : r == 0;
}

/* The attribute names interned: 0; -1 with an error set. */
int wdh_hold_init(void)
{
    static const char *names[5] = {"announced", "dip_ns", "enter", "peak", "size"};
    for (int k = 0; k < 5; k++)
        if ((wdh_hold_s[k] = PyUnicode_InternFromString(names[k])) == NULL)
            return -1;
    return (wdh_hold_dist = PyUnicode_InternFromString("dist")) == NULL ? -1 : 0;
}
