/* The walls' bands' entries worked out in C (WallHook.band, _native_wdh.c; the twin is
 * dom/core/detectors/wall_hook.py, entries): for one side, what a change at no wall must reach at
 * each distance bucket from its best for _level to start a candidate there.
 *
 *   thr None (no threshold on the side): WJG_FAR everywhere (none starts there);
 *   else per bucket, from DistanceBaseline.p90s[b]: None (warming up) WJG_FAR; an exact int v
 *   (its P90 worked out) min(WJG_FAR, max(thr, int(ratio * v) + 1)); anything else (a P90 not
 *   yet worked out: a (list, length) tuple) min(WJG_FAR, thr).
 *
 * The same numbers as the twin: ratio * v is float.__mul__'s (v, an exact int within +-2^62,
 * converted to the nearest double as PyLong_AsDouble does, one correctly rounded product),
 * int() truncates toward zero as the cast does. Not taken (0: the twin then, which answers or
 * falls back as it does): thr not None nor an exact int within +-2^62, ratio not an exact finite
 * float, p90s not a list of DIST_NB, a P90 an exact int past +-2^62, a product that is not finite
 * or past -2^63 (where the twin raises, or casts beyond a long long). Nothing here runs Python
 * code. Every global name here starts with wjg_. */
#include "_native.h"
#include <math.h>

#define WJG_FAR (1LL << 62)
#define WJG_TOP 4611686018427387904.0 /* 2^62: int(x) + 1 past it is past WJG_FAR */
#define WJG_LOW (-9223372036854774784.0) /* the lowest double the cast to a long long takes */

/* One side's entries into ent[0..DIST_NB) and their lowest into *low: 1; 0 not taken (above); -1
 * with an error set (an int C could not read: memory). */
int wjg_side_entries(PyObject *thr, PyObject *ratio, PyObject *p90s, long long *ent, long long *low)
{
    long long t, v;
    if (thr == Py_None) {
        for (int k = 0; k < DIST_NB; k++)
            ent[k] = WJG_FAR;
        *low = WJG_FAR;
        return 1;
    }
    int got = in_range_fast(thr, WJG_FAR, &t);
    if (got <= 0 || !PyFloat_CheckExact(ratio) || !PyList_CheckExact(p90s) || PyList_GET_SIZE(p90s) != DIST_NB)
        return got < 0 ? -1 : 0;
    double r = PyFloat_AS_DOUBLE(ratio);
    if (!isfinite(r))
        return 0;
    long long lo = WJG_FAR;
    for (int k = 0; k < DIST_NB; k++) {
        PyObject *o = PyList_GET_ITEM(p90s, k);
        long long e;
        if (o == Py_None)
            e = WJG_FAR;
        else if (!PyLong_CheckExact(o))
            e = t; /* (min(_FAR, thr): thr within +-2^62) */
        else {
            if ((got = in_range_fast(o, WJG_FAR, &v)) <= 0)
                return got < 0 ? -1 : 0;
            double x = r * (double)v;
            if (!isfinite(x) || x < WJG_LOW)
                return 0;
            if (x >= WJG_TOP)
                e = WJG_FAR;
            else {
                long long q = (long long)x + 1;
                e = q > t ? q : t;
                if (e > WJG_FAR)
                    e = WJG_FAR;
            }
        }
        ent[k] = e;
        if (e < lo)
            lo = e;
    }
    *low = lo;
    return 1;
}
