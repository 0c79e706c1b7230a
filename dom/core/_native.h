/* dom.core._native's parts (see _native.c for what each function gives): what one part of the
 * module uses of another. The module's state is the interned strings below and ZERO, set once
 * by PyInit__native; every function reads and writes only the Python objects it is handed. */
#ifndef DOM_NATIVE_H
#define DOM_NATIVE_H
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#define MAX_ID (1LL << 62)
#define MAX_MS (1LL << 43)
#define MAX_ROWS 20000

extern PyObject *ZERO;
/* Keys of the Binance frames (_native_wire.c) */
extern PyObject *S_U, *S_u, *S_pu, *S_T, *S_b, *S_a;
extern PyObject *S_e, *S_s, *S_lastUpdateId, *S_E, *S_B, *S_A, *S_q, *S_p, *S_m, *S_t, *S_f, *S_l;
/* Attributes of BookSideLevels (_native_book.c) */
extern PyObject *S_levels, *S_index, *S_flat, *S_r, *S_side, *S_live, *S_live_n, *S_top, *S_top_edge;

/* Decimal strings and the parse caches (_native_parse.c) */
int plain_chars(const unsigned char *c, Py_ssize_t len, long long mant, int scale, long long *out);

/* The strict JSON reader frame() and rpl_lines() share (_native_json.c). */
#define JSN_PAIRS 16
#define JSN_ROWS 1  /* jsn_event's flags: lists of ["s","s"] rows taken */
#define JSN_WS 2    /* JSON's whitespace around tokens taken */
typedef struct {
    const char *key, *s;
    Py_ssize_t klen, slen;  /* (kind 4: s at the list's '[', slen its rows) */
    int kind;               /* 0 string, 1 integer, 2 true, 3 false, 4 rows of two strings */
    long long v;
} jsn_Pair;
Py_ssize_t jsn_str(const char *p, const char *end, int key);
int jsn_object(const char **pp, const char *end, jsn_Pair *pairs, int *np, int flags);
jsn_Pair *jsn_at(jsn_Pair *pairs, int n, const char *key);
int jsn_event(const char *p, const char *end, jsn_Pair *pairs, int *np, int flags);
int frm_entry(const jsn_Pair *s, PyObject *table, PyObject *insts, PyObject **entry, long long *pm, long *ps,
              long long *qm, long *qs);
int jsn_int(jsn_Pair *pairs, int n, const char *key, long long lo, long long hi, long long dflt, long long *v,
            int *present);
PyObject *steps(PyObject *text, long long mant, int scale, PyObject *cache, int *miss);
int spec_ok(PyObject *spec);
PyObject *rows_to_levels(PyObject *rows, PyObject *spec);
int bk_set_pair(PyObject *out, Py_ssize_t i, long long px, long long qty);  /* _native_bk.c */
Py_ssize_t bk_bisect_down(PyObject *flat, Py_ssize_t hi, PyObject *key, long long kv, int kfast);  /* _native_book.c */
int exact_int(PyObject *o, long long *v);
/* The walls' distance buckets (wall_state._EDGES without its last, open, end): a level d ticks
 * from the touch goes to the first bucket whose end is over d (band_buckets, side_stats). */
#define DIST_NB 10
static inline int dist_bucket(long long d)
{
    static const long long edges[DIST_NB - 1] = {1, 2, 3, 4, 5, 6, 10, 15, 25};
    int b = 0;
    while (b < DIST_NB - 1 && d >= edges[b])
        b++;
    return b;
}
/* v[i] once v[0..n) would be sorted ascending, v reordered so that v[0..i) hold the i smaller ones:
 * Hoare's selection (_native_wdh_tail.c). */
long long wdh_select(long long *v, Py_ssize_t n, Py_ssize_t i);
/* apply_side's loop for a side whose keys come sorted (_native_dsp.c): 1 done (*best: the batch's
 * best key, a new reference), 0 declined (nothing changed), -1 with an error set */
int dsp_apply_sorted(PyObject *d, PyObject *flat, long r, PyObject *levels, PyObject *changes, PyObject *side,
                     PyObject *live, Py_ssize_t live_n, PyObject **best);

/* random.Random.sample(pop[0..n), k), 0 <= k <= min(5, n), drawn through getrandbits (_native_stats.c) */
PyObject *stats_sample(PyObject *getrandbits, PyObject *const *pop, Py_ssize_t n, Py_ssize_t k);

/* 1 with *v set for an exact int within +-lim; 0 for anything else; -1 with an error set. */
static inline int in_range(PyObject *o, long long lim, long long *v)
{
    int r = exact_int(o, v);
    return r > 0 ? (*v >= -lim && *v <= lim) : r;
}

/* CPython 3.11's one- and two-digit ints (30-bit digits, the sign in the size: most prices, sizes,
 * times and index keys) read from their digits without a call: 1 with *v set; 0 for any other int
 * (and on every other version), which the caller reads its own way. o must be an int. */
static inline int int_digits(PyObject *o, long long *v)
{
#if PY_VERSION_HEX >= 0x030B0000 && PY_VERSION_HEX < 0x030C0000 && PyLong_SHIFT == 30
    Py_ssize_t n = Py_SIZE(o);
    if (n >= -2 && n <= 2) {
        const digit *d = ((PyLongObject *)o)->ob_digit;
        long long x = n == 0 ? 0 : (long long)d[0];
        if (n == 2 || n == -2)
            x |= (long long)d[1] << PyLong_SHIFT;
        *v = n < 0 ? -x : x;
        return 1;
    }
#else
    (void)o, (void)v;
#endif
    return 0;
}

/* in_range's answer with int_digits' ints read from their digits; the rest through in_range. */
static inline int in_range_fast(PyObject *o, long long lim, long long *v)
{
    if (PyLong_CheckExact(o) && int_digits(o, v))
        return *v >= -lim && *v <= lim;
    return in_range(o, lim, v);
}

/* o.name read as in_range_fast reads an int: 1 (*v set) for an exact int within +-lim, 0 for
 * anything else or no such attribute (the error cleared), -1 with an error set. */
static inline int attr_in_range(PyObject *o, PyObject *name, long long lim, long long *v)
{
    PyObject *x = PyObject_GetAttr(o, name);
    if (x == NULL) {
        if (!PyErr_ExceptionMatches(PyExc_AttributeError))
            return -1;
        PyErr_Clear();
        return 0;
    }
    int r = in_range_fast(x, lim, v);
    Py_DECREF(x);
    return r;
}

/* o.name = v (a new int): 0, or -1 with an error set. */
static inline int set_attr_ll(PyObject *o, PyObject *name, long long v)
{
    PyObject *x = PyLong_FromLongLong(v);
    if (x == NULL)
        return -1;
    int r = PyObject_SetAttr(o, name, x);
    Py_DECREF(x);
    return r;
}

/* None (*none = 1) or an exact int within +-lim (*none = 0, *v set): 1; 0 otherwise; -1 on error. */
static inline int opt_int(PyObject *o, long long lim, long long *v, int *none)
{
    *none = o == Py_None;
    return *none ? 1 : in_range(o, lim, v);
}
int field_in(PyObject *m, PyObject *key, long long lo, long long hi, long long dflt, PyObject **obj, long long *v);
PyObject *build(PyObject *cls, PyObject *members, PyObject *const *vals, Py_ssize_t n);

/* event()'s and frame()'s kinds tuple is what they take (_native_wire.c) */
int kinds_ok(PyObject *k);

/* The module's functions, one part each */
PyObject *levels(PyObject *self, PyObject *const *args, Py_ssize_t nargs);
PyObject *depth(PyObject *self, PyObject *const *args, Py_ssize_t nargs);
PyObject *event(PyObject *self, PyObject *const *args, Py_ssize_t nargs);
PyObject *frame(PyObject *self, PyObject *const *args, Py_ssize_t nargs);
/* frame() on a line's bytes, its other arguments checked (_native_frame.c, for _native_rpl.c) */
PyObject *rpl_frame_at(const char *p, const char *end, PyObject *table, PyObject *insts, PyObject *kinds,
                       PyObject *recv);
PyObject *frm_pairs_at(jsn_Pair *pairs, int n, PyObject *table, PyObject *insts, PyObject *kinds, PyObject *recv);
int frm_depth_ok(PyObject *d);
/* frame()'s depthUpdate (_native_bk.c) */
int bk_is_depth(jsn_Pair *pairs, int n);
PyObject *bk_depth_pairs(jsn_Pair *pairs, int n, const char *end, PyObject *table, PyObject *insts,
                         PyObject *depth, PyObject *recv);
PyObject *rpl_lines(PyObject *self, PyObject *const *args, Py_ssize_t nargs);
PyObject *rpl_peek(PyObject *self, PyObject *const *args, Py_ssize_t nargs);
PyObject *rpl_scan(PyObject *self, PyObject *const *args, Py_ssize_t nargs);
PyObject *rpl_split_lines(PyObject *self, PyObject *const *args, Py_ssize_t nargs);  /* split_lines */
PyObject *apply(PyObject *self, PyObject *const *args, Py_ssize_t nargs);
PyObject *apply_book(PyObject *self, PyObject *const *args, Py_ssize_t nargs);
PyObject *top(PyObject *self, PyObject *const *args, Py_ssize_t nargs);
PyObject *bk_book_apply(PyObject *self, PyObject *const *args, Py_ssize_t nargs);
PyObject *bnd_read(PyObject *self, PyObject *const *args, Py_ssize_t nargs);
PyObject *pick_changes(PyObject *self, PyObject *const *args, Py_ssize_t nargs);
PyObject *first_move(PyObject *self, PyObject *const *args, Py_ssize_t nargs);
PyObject *pick_at(PyObject *self, PyObject *const *args, Py_ssize_t nargs);
PyObject *wall_pick(PyObject *self, PyObject *const *args, Py_ssize_t nargs);  /* _native_wpk.c */
/* The walls' hook's steady candidates' changes applied (_native_wdh_hold.c): at most WDH_HOLD_MAX a message. */
#define WDH_HOLD_MAX 16
int wdh_hold_apply(PyObject *walls, PyObject *changes, const Py_ssize_t *idx, const long long *dist,
                   const long long *hold, int n);
int wdh_hold_init(void);
/* The standing walls' gate as WallHook.walls takes it (_native_wdh.c), worked out in C from the walls
 * themselves by WallHook.hand (_native_wdh_hand.c): each side's ([0] the bids', [1] the asks')
 * count of walls, price range, and its first WDH_NW prices with their quiet and hold sizes and rise
 * flags (more: the range alone). */
#define WDH_NW 16
typedef struct {
    long long due, lo[2], hi[2];
    int n[2];
    long long px[2][WDH_NW], quiet[2][WDH_NW], hold[2][WDH_NW];
    char rise[2][WDH_NW];
} WdhGate;
int wdh_hand_read(PyObject *const *args, WdhGate *g);
int wdh_hand_init(void);
PyObject *chain_scan(PyObject *self, PyObject *const *args, Py_ssize_t nargs);
PyObject *band_buckets(PyObject *self, PyObject *const *args, Py_ssize_t nargs);
PyObject *sample_few(PyObject *self, PyObject *const *args, Py_ssize_t nargs);
PyObject *pulls_delta(PyObject *self, PyObject *const *args, Py_ssize_t nargs);
/* What SpoofDetector._maybe_pull reads before its first returns (_native_pgate.c), read once a
 * message when first needed; zeroed before the first pull_gate, gate_clear after the last. */
typedef struct {
    int state;  /* 0: not read; 1: read; -1: not what the gate takes (every drop goes to _maybe_pull) */
    double ratio, drop, level_drop;
    double level_real;  /* spoof_level_drop_fraction itself (level_drop: what a waived level may ask) */
    long long r;
    PyObject *median, *bl, *al;  /* new references once read */
} Gate;
void gate_clear(Gate *g);
PyObject *band_sizes(PyObject *self, PyObject *const *args, Py_ssize_t nargs);
PyObject *band_hits(PyObject *self, PyObject *const *args, Py_ssize_t nargs);
PyObject *mid_range(PyObject *self, PyObject *const *args, Py_ssize_t nargs);
/* The absorption detector's state of one book side, a type (_native_abs.c) */
extern PyTypeObject AbsSideType;
/* The iceberg detector's waiting changes and trades, a type (_native_ice.c) */
extern PyTypeObject IceWaitType, IceLevelType;
extern PyTypeObject idh_HookType;  /* IcebergDetector.on_delta's hook (_native_idh.c) */
extern PyTypeObject idh_SizesType;  /* its recent add sizes, sorted (_native_idh_sizes.c) */
/* the iceberg detector's sums (_native_idh_math.c) */
PyObject *idh_binom_tail(PyObject *self, PyObject *const *args, Py_ssize_t nargs);
PyObject *idh_beyond(PyObject *self, PyObject *const *args, Py_ssize_t nargs);
PyObject *idh_chains_short(PyObject *self, PyObject *const *args, Py_ssize_t nargs);  /* _native_chain.c */
/* A step window's kept steps and levels' largest recent steps, a type (_native_steps.c) */
extern PyTypeObject stp_StoreType;
int stp_init(void);
/* The adaptive alignment slack, a type (_native_trd.c); the detectors' trade hooks (_native_trd_hook.c) */
extern PyTypeObject trd_SlackType, trd_IceHookType, trd_SpoofHookType;

#endif
