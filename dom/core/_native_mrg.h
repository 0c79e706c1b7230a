/* dom.core._native: the exchange-time merge's parts (_native_mrg*.c): TimeMerge, dom.core.merge.TimeMerge in
 * C, and its pump (a replay line's events through the merge and into the detectors' engine in one call).
 *
 * The same state as the Python class, in the same objects: each symbol's heap is a list of
 * (ts, kind, n, event) tuples and the symbols' order a list of (ts, symbol) tuples, sifted by
 * mrg_sift_down/mrg_sift_up, which are heapq's own (CPython's _heapqmodule.c, step for step), with
 * its tuples' "<" read from their ints when they are exact ints within int64 and left to Python
 * otherwise. So the heaps hold the same tuples in the same places and the release order is the
 * twin's, whatever the times are (floats, huge ints, equal, out of order): the comparisons are
 * Python's.
 *
 *   _native_mrg_cmp.c   comparisons and heapq's sift
 *   _native_mrg.c       releases and push
 *   _native_mrg_pump.c  pump and lines: the one-engine pipeline's loop and the replay's
 *   _native_mrg_trade.c the pump's trades: counted and given to the symbol's trade hooks
 *   _native_mrg_type.c  the type, its methods and attributes */
#ifndef DOM_NATIVE_MRG_H
#define DOM_NATIVE_MRG_H
#include "_native.h"

typedef struct {
    PyObject_HEAD
    PyObject *hold_ns;       /* an exact int, 0 <= hold_ns < 2^63 */
    long long hold;
    PyObject *max_held_o;    /* an exact int >= 1 */
    Py_ssize_t max_held;
    PyObject *clock;         /* the newest exchange time seen on any stream */
    Py_ssize_t late, forced, held;
    PyObject *held_tickers;  /* symbols whose tickers are held like depth (a set; settable) */
    PyObject *heaps;         /* symbol -> heap (list) of (ts, kind, n, event) */
    PyObject *order;         /* heap (list) of (head ts, symbol); entries may be stale */
    PyObject *frontier;      /* symbol -> (ts, kind, n) of the last released event */
    PyObject *seq;           /* symbol -> [n, ts] * 3 (trade, depth, ticker streams): count, latest time */
    PyTypeObject *t_ticker, *t_mark, *t_trade, *t_delta;
} mrg_Merge;

extern PyObject *mrg_s_symbol, *mrg_s_ts, *mrg_s_top_only, *mrg_s_last_ticker, *mrg_s_stats, *mrg_s_tickers,
    *mrg_s_cause, *mrg_s_last_trade, *mrg_s_trade_ids, *mrg_s_trade_id, *mrg_s_trade_duplicates, *mrg_s_trade_gaps,
    *mrg_s_trades_missed, *mrg_s_trades, *mrg_s_trade_hooks, *mrg_s_state, *mrg_s_lines, *mrg_s_messages,
    *mrg_s_line_no, *mrg_s_snapshots, *mrg_kinds[3], *mrg_one;

static inline int mrg_i64(PyObject *o, long long *v)
{
    if (!PyLong_CheckExact(o))
        return 0;
#if PY_VERSION_HEX >= 0x030B0000 && PY_VERSION_HEX < 0x030C0000 && PyLong_SHIFT == 30
    /* CPython 3.11's ints of up to three 30-bit digits below 2^63 (a nanosecond time is three)
     * read from their digits; the others through the API */
    Py_ssize_t n = Py_SIZE(o), an = n < 0 ? -n : n;
    const digit *d = ((PyLongObject *)o)->ob_digit;
    if (an <= 2 || (an == 3 && d[2] < 8)) {
        unsigned long long x = an == 0 ? 0 : (unsigned long long)d[0];
        if (an >= 2)
            x |= (unsigned long long)d[1] << PyLong_SHIFT;
        if (an == 3)
            x |= (unsigned long long)d[2] << (2 * PyLong_SHIFT);
        *v = n < 0 ? -(long long)x : (long long)x;
        return 1;
    }
#endif
    int ovf = 0;
    long long x = PyLong_AsLongLongAndOverflow(o, &ovf);
    if (ovf)
        return 0;
    *v = x;
    return 1;
}

/* a <= limit, limit held as an int64 (fast) or an object. */
typedef struct {
    int fast;
    long long v;
    PyObject *o;
} mrg_Limit;

/* a <op> b as Python's expression says it (no identity shortcut): 1, 0, -1 with an error set. */
static inline int mrg_op(PyObject *a, PyObject *b, int op)
{
    long long x, y;
    if (mrg_i64(a, &x) && mrg_i64(b, &y))
        switch (op) {
        case Py_LT: return x < y;
        case Py_LE: return x <= y;
        case Py_GT: return x > y;
        case Py_GE: return x >= y;
        case Py_EQ: return x == y;
        default: return x != y;
        }
    PyObject *r = PyObject_RichCompare(a, b, op);
    if (r == NULL)
        return -1;
    int t = PyObject_IsTrue(r);
    Py_DECREF(r);
    return t;
}

/* a < b for two of the merge's tuples, as tuple comparison decides it: (ts, kind, n, event) items,
 * (ts, kind, n) frontiers, (ts, symbol) order entries. Their ints read in C when exact; a tie on
 * what is read in C, or anything else, goes to Python's own comparison of the tuples. */
static inline int mrg_lt(PyObject *a, PyObject *b)
{
    if (PyTuple_CheckExact(a) && PyTuple_CheckExact(b)) {
        Py_ssize_t na = PyTuple_GET_SIZE(a), nb = PyTuple_GET_SIZE(b);
        long long x, y;
        if (na >= 3 && nb >= 3 && na + nb >= 7) {
            int i;
            for (i = 0; i < 3; i++) {
                if (!mrg_i64(PyTuple_GET_ITEM(a, i), &x) || !mrg_i64(PyTuple_GET_ITEM(b, i), &y))
                    break;
                if (x != y)
                    return x < y;
            }
            if (i == 3 && (na == 3 || nb == 3))
                return na < nb;  /* (ts, kind, n) equal: the shorter is the smaller */
        } else if (na == 2 && nb == 2 && mrg_i64(PyTuple_GET_ITEM(a, 0), &x)
                   && mrg_i64(PyTuple_GET_ITEM(b, 0), &y)) {
            if (x != y)
                return x < y;
            PyObject *sa = PyTuple_GET_ITEM(a, 1), *sb = PyTuple_GET_ITEM(b, 1);
            if (PyUnicode_CheckExact(sa) && PyUnicode_CheckExact(sb))
                return PyUnicode_Compare(sa, sb) < 0;
        }
    }
    return PyObject_RichCompareBool(a, b, Py_LT);
}

/* lim = clock - hold_ns (0, or -1 with an error set); a <= lim (1, 0, -1 with an error set). */
int mrg_limit(mrg_Merge *m, mrg_Limit *lim);

/* o.name read from its slot when o's type keeps it in a plain one (remembered per type, a few types
 * an attribute, while the type is unchanged: its version tag), else by PyObject_GetAttr: the events'
 * symbol, ts and trade id. A new reference, or NULL with an error set. */
#define MRG_SLOTS 4
typedef struct {
    PyTypeObject *type;  /* (compared, never read: a type freed and another at its place has a new tag) */
    unsigned int tag;
    Py_ssize_t off;
} mrg_Slot;
extern mrg_Slot mrg_sym_slots[MRG_SLOTS], mrg_ts_slots[MRG_SLOTS], mrg_tid_slots[MRG_SLOTS];
PyObject *mrg_slot_get(PyObject *o, PyObject *name, mrg_Slot *cache);

static inline int mrg_le_limit(PyObject *a, const mrg_Limit *lim)
{
    long long x;
    if (lim->fast && mrg_i64(a, &x))
        return x <= lim->v;
    if (lim->fast) {
        PyObject *o = PyLong_FromLongLong(lim->v);
        if (o == NULL)
            return -1;
        int r = mrg_op(a, o, Py_LE);
        Py_DECREF(o);
        return r;
    }
    return mrg_op(a, lim->o, Py_LE);
}

int mrg_heappush(PyObject *heap, PyObject *item);
PyObject *mrg_heappop(PyObject *heap);
int mrg_order_push(mrg_Merge *m, PyObject *ts, PyObject *sym);
int mrg_set_front(mrg_Merge *m, PyObject *sym, PyObject *item);
int mrg_release_due(mrg_Merge *m, PyObject *out);
int mrg_release_symbol(mrg_Merge *m, PyObject *sym, PyObject *out);
int mrg_flush_into(mrg_Merge *m, PyObject *out);
int mrg_push_into(mrg_Merge *m, PyObject *ev, PyObject *out);
PyObject *mrg_push(mrg_Merge *m, PyObject *ev);
PyObject *mrg_flush(mrg_Merge *m, PyObject *unused);
PyObject *mrg_held_depth(mrg_Merge *m, PyObject *sym);
/* The pump's context: OneEnginePipeline's (see pump). */
typedef struct {
    PyObject *feed, *symbols, *snap, *repeats, *pipe, *route, *engine, *synced, *alert;
    /* lines(): Replay.run's counts as they stand (summ NULL otherwise), written to the summary and
     * the tally before any output is routed (the tally dates a status by them) and at the end */
    PyObject *summ, *tally, *line_no, *line_written;
    Py_ssize_t lines, lines_written, messages, messages_written;
    /* The tickers of a followed symbol taken since the last write (see mrg_tk_flush): its symbol
     * (an exact str), state and last ticker, held here, and how many. */
    PyObject *tk_sym, *tk_st, *tk_last;
    Py_ssize_t tk_n;
} mrg_Ctx;

int mrg_incr(PyObject *o, PyObject *name, PyObject *by);
PyObject *mrg_on_trade(const mrg_Ctx *c, PyObject *st, PyObject *t);
PyObject *mrg_pump(mrg_Merge *m, PyObject *const *args, Py_ssize_t nargs);
PyObject *mrg_lines(mrg_Merge *m, PyObject *const *args, Py_ssize_t nargs);

#endif
