/* dom.core._native: the book's hot loops in C, and the detectors' filters (optional; dom.core.accel
 * loads it).
 *
 * This file holds the module (its functions' table, its state); the functions are in its parts:
 * _native_parse.c (decimal strings, levels), _native_wire.c (depth, event), _native_frame.c
 * (frame), _native_book.c (apply, apply_book, top), _native_pick.c (pick_changes, first_move,
 * pick_at), _native_chain.c (chain_scan), _native_stats.c (band_buckets, sample_few),
 * _native_pulls.c, _native_pgate.c, _native_pstats.c (pulled liquidity's per-message work), _native_pstore.c (the
 * PullStore type, pulled liquidity's candidates in C), _native_abs.c and _native_abs_tab.c (the type AbsSide:
 * absorption's per-side state), _native_ice.c, _native_ice_tab.c, _native_ice_judge.c and
 * _native_ice_read.c (the type IceWait: the iceberg detector's waiting changes and trades, its levels'
 * numbers and its null control), _native_steps.c and _native_steps_type.c (the type StepStore: a step
 * window's kept steps and levels' largest recent steps); _native.h is what they share.
 *
 * Each function is an exact replacement of a pure-Python loop in dom/core/book.py or of the
 * depth decoder's comprehension (dom/venues/binance_usdm/codec.py), and gives the same result:
 * the tests run both against each other. Pure and synchronous: no I/O, no clock, no global
 * state; it reads and writes only the Python objects it is handed.
 *
 *   levels(rows, (price_mant, price_scale, qty_mant, qty_scale, pc, qc))
 *           -> tuple[(int, int), ...] | None
 *       [(pc[p], qc[q]) for p, q in rows] for a list of two-item lists of str, the plain
 *       decimal strings parsed here (the value Step.to_int gives: steps of mant * 10^-scale),
 *       others through the parse caches; None when a row is anything else or a value is not
 *       valid (KeyError from a cache): the caller then goes the exact, row-by-row way.
 *   apply(d, flat, r, levels, changes, side, live, n) -> int | None | NotImplemented
 *       BookSideLevels' apply / apply_changes over a flat index: levels is a tuple of
 *       (int, int) (NotImplemented, nothing done, for any other level); changes is a list (append (side, px, old, new) per changed level) or None;
 *       live is None or the side's best n levels as a list, kept so level by level (a change
 *       inside it replaces, inserts or deletes one entry) instead of rebuilt on each read.
 *       Returns the largest index key (r * px) among levels, None when there are none.
 *   apply_book(bids_side, asks_side, bids, asks) -> int | None
 *       apply() on both BookSideLevels of a book with their own attributes (no change list),
 *       dropping a side's cached top when the batch reached inside it; returns the longer flat
 *       index's length (the caller turns an index past its limit into a tree); None, nothing
 *       done, when a level is not an exact (int, int) tuple.
 *   depth(m, spec, cls, members, symbol, recv_ns) -> cls instance | None
 *       BinanceDecoder._depth's usual frame in one call: U, u, pu (default -1) and T exact ints
 *       in range, U <= u, "b" and "a" lists levels() takes; the event built as object.__new__
 *       and a store through each member descriptor (``members``: the class's, in field order),
 *       as types.fast_init's __init__ builds it without its Python frame (ts_exchange_ns =
 *       T * 10^6, no checksum). None for anything else: the decoder's
 *       Python path then gives the same event or the same error.
 *   event(m, table, instruments, kinds, recv_ns) -> [event] | None
 *       BinanceDecoder._event's usual bookTicker, aggTrade and trade object in one call: the
 *       checks of _ticker's and _trade's fast paths (ids and times exact ints in range, the
 *       decimal strings valid, sizes and trade prices positive, m a bool), the event built as
 *       depth() builds its own. None for anything else, which the decoder takes the Python way.
 *   frame(raw, table, instruments, kinds, recv_ns[, depth]) -> [event] | None
 *       decode(raw) for the usual bookTicker / trade frame, read from its bytes by a strict
 *       reader (one flat object, plain or in a {"stream", "data"} envelope, no whitespace, no
 *       escapes, no floats, no nesting, each key once) with event()'s checks; None for anything
 *       else, which the decoder parses with orjson. With depth ((BookDelta, its members), not
 *       None): the usual depthUpdate too, its rows of ["s","s"] read by the same reader, as
 *       depth() gives it from orjson's dict (_native_bk.c).
 *   rpl_lines(lines, n0, table, instruments, kinds, depth) -> list
 *       (_native_rpl.c) A block of a recording's lines (line numbers n0 + 1 on): for each
 *       non-empty one, (line_no, recv_ns, events) when it is "<recv_ns> <frame>" with a plain
 *       frame (no REST snapshot) that frame() decodes, or (depth: (BookDelta, its members))
 *       the usual depthUpdate that depth() gives from orjson's dict, read by frame()'s strict
 *       reader with lists of ["s","s"] rows; else its line number alone, for the Python reader
 *       (dom.runtime.replay.Replay.decoded).
 *   rpl_peek(raw) -> (e, s, has_pu) | None
 *       (_native_rpl.c) What a recording's scan (recording_scan.scan) reads of a frame's event
 *       object, for a frame the strict reader takes (e: None when missing, False when not a
 *       string; s: None unless a string); None for any other, which the scan parses with orjson.
 *   rpl_scan(lines, n0) -> list
 *       rpl_peek of each non-empty line of a block (line numbers n0 + 1 on) that is "<digits>
 *       <frame>" with a plain frame it reads; else the line number alone, for the Python way.
 *   split_lines(rest, data) -> list[bytes]
 *       (_native_dcd.c) (rest + data).split(b"\n") for a rest holding no b"\n", without the
 *       concatenation, each line end found by memchr (dom.store.recording's blocks of lines).
 *   book_apply(bids_side, asks_side, bids, asks, changes, flat_max) -> bool | None
 *       (_native_book.c) OrderBook.apply_checked: apply_book's apply (changes None) or both sides'
 *       apply_changes, then True when nothing is left to do (no index past flat_max, the book
 *       neither crossed nor locked), False when the caller rebalances and checks; None, nothing
 *       applied, for a level that is not an exact (int, int) tuple or a side indexed by a tree.
 *   top(flat, d, r, n) -> list[(int, int)]
 *       The n best levels, best first: [(r * k, d[r * k]) for k in flat[:-n - 1:-1]].
 *   band_read(mine, other, band_ticks, min_levels) -> (best, half, levels) | None | NotImplemented
 *       (_native_band.c) The band of the book side mine (a BookSideLevels, other the opposite
 *       one): Bands._read_py in dom/core/detectors/band.py, its levels by top(). None while a
 *       side is empty; NotImplemented, nothing done, when an index is not a flat list or a key,
 *       band_ticks or min_levels is not an exact int in range.
 *   pick_changes(changes, bid, tb, ta, lo, hi, inc, blo, bhi, alo, ahi, ilo, ihi) -> list | NotImplemented
 *       The level changes (side, px, old, new) a detector's loop can act on: new at least its
 *       side's threshold with px within its side's window (tb and blo..bhi where side is bid,
 *       else ta and alo..ahi; the range lo..hi then widens to px), or px within lo..hi, or
 *       new - old over inc with px within ilo..ihi; in order, the same tuples (pick_py in dom/core/detectors/changes.py).
 *       NotImplemented, nothing done, when changes is not a list, a change not a 4-tuple, a number
 *       not an exact int within +-2^62, or a change's price or size not within +-2^61.
 *   first_move(kept, inc, lo, hi, px) -> list | None | NotImplemented
 *       The first kept step [t, side, px, step, lo, hi] an increase of inc at px may be that order
 *       moved: lo <= its px <= hi, not px itself, inc within its own lo..hi (first_move_py in
 *       dom/core/detectors/steps.py). NotImplemented, nothing done, for an item or argument it does
 *       not take (as pick_changes()).
 *   pick_at(changes, bid, blo, bhi, alo, ahi, d1, lo1, hi1, d2, lo2, hi2) -> list | NotImplemented
 *       The changes within their side's window, or with lo1 <= px <= hi1 and (side, px) in d1, or
 *       likewise lo2, hi2 and d2 (pick_at_py in dom/core/detectors/changes.py; the iceberg detector's
 *       changes near the touch or at a level it follows or holds trades for). NotImplemented as pick_changes().
 *   wall_pick(changes, bid, ask, bid_entries, ask_entries, bid_best, ask_best, bid_half, ask_half, lo, hi, walls)
 *       -> list | NotImplemented (_native_wpk.c) The level changes the walls' judgement acts on:
 *       in their side's band up to their distance bucket's entry (lo..hi then widens to px), or
 *       within lo..hi at a key (side, px) of walls or at an earlier change kept for its entry
 *       (wall_pick_py in dom/core/detectors/wall_pick.py). NotImplemented, nothing done, for an
 *       argument, change or key it does not take.
 *   chain_scan(adds, lo, hi, need) -> (chain, outcomes, own, idle, idle_in, start) | NotImplemented
 *       A level's adds (size, traded, through) scanned for the chain of sizes within lo..hi, each
 *       link after the level traded need x the last one (chain_scan_py in
 *       dom/core/detectors/iceberg_chain.py). NotImplemented, nothing done, for an add or argument it
 *       does not take (not exact ints within +-2^52, lo and hi not floats).
 */
#include "_native.h"
#include "_native_pstore.h"
#include "_native_roll.h"
#include "_native_dcd.h"

PyObject *ZERO;
PyObject *S_U, *S_u, *S_pu, *S_T, *S_b, *S_a;
PyObject *S_e, *S_s, *S_lastUpdateId, *S_E, *S_B, *S_A, *S_q, *S_p, *S_m, *S_t, *S_f, *S_l;
PyObject *S_levels, *S_index, *S_flat, *S_r, *S_side, *S_live, *S_live_n, *S_top, *S_top_edge;

static PyMethodDef methods[] = {
    {"levels", (PyCFunction)(void (*)(void))levels, METH_FASTCALL, "Decimal-string rows to (px, qty) via the parse caches."},
    {"apply", (PyCFunction)(void (*)(void))apply, METH_FASTCALL, "Apply levels to one book side's dict and flat index."},
    {"top", (PyCFunction)(void (*)(void))top, METH_FASTCALL, "The n best levels of one side, best first."},
    {"band_read", (PyCFunction)(void (*)(void))bnd_read, METH_FASTCALL,
     "A book side's band (best, half, levels best first) in one call (band.py); None while a side is empty."},
    {"depth", (PyCFunction)(void (*)(void))depth, METH_FASTCALL,
     "A Binance USDⓈ-M depth frame's usual case as the event, in one call; None for any other."},
    {"event", (PyCFunction)(void (*)(void))event, METH_FASTCALL,
     "A Binance bookTicker, aggTrade or trade object's usual case as [event], in one call; None for any other."},
    {"frame", (PyCFunction)(void (*)(void))frame, METH_FASTCALL,
     "event() read from a frame's bytes (a strict reader for the usual frame); None for any other."},
    {"rpl_lines", (PyCFunction)(void (*)(void))rpl_lines, METH_FASTCALL,
     "A block of a recording's lines: frame() on each plain one, its line number for the others."},
    {"rpl_peek", (PyCFunction)(void (*)(void))rpl_peek, METH_FASTCALL,
     "What a recording's scan reads of a frame (e, s, has pu) by the strict reader; None for any other."},
    {"rpl_scan", (PyCFunction)(void (*)(void))rpl_scan, METH_FASTCALL,
     "rpl_peek of each plain line of a block; its line number for the others."},
    {"split_lines", (PyCFunction)(void (*)(void))rpl_split_lines, METH_FASTCALL,
     "(rest + data).split(b'\\n') for rest without a line end, without the concatenation."},
    {"apply_book", (PyCFunction)(void (*)(void))apply_book, METH_FASTCALL,
     "apply() on a book's two BookSideLevels with their own attributes; the longer index's length."},
    {"book_apply", (PyCFunction)(void (*)(void))bk_book_apply, METH_FASTCALL,
     "A delta's levels applied to both sides of a book and its check, in one call; None: the Python way."},
    {"pick_changes", (PyCFunction)(void (*)(void))pick_changes, METH_FASTCALL,
     "The level changes a detector acts on (over a side's threshold, in a price range, or a step over inc in its window)."},
    {"first_move", (PyCFunction)(void (*)(void))first_move, METH_FASTCALL,
     "The first kept step an increase may be that order moved (steps.py), or None."},
    {"pick_at", (PyCFunction)(void (*)(void))pick_at, METH_FASTCALL,
     "The level changes within a side's window or at a (side, px) key of one of two dicts."},
    {"wall_pick", (PyCFunction)(void (*)(void))wall_pick, METH_FASTCALL,
     "The level changes the walls' judgement acts on: up to their distance's entry in the band, or at a wall."},
    {"chain_scan", (PyCFunction)(void (*)(void))chain_scan, METH_FASTCALL,
     "A level's adds scanned for the same-size chain of a band (iceberg_chain.py)."},
    {"band_buckets", (PyCFunction)(void (*)(void))band_buckets, METH_FASTCALL,
     "A band's sizes, and its organic sizes appended to their distance buckets (wall_state.py)."},
    {"sample_few", (PyCFunction)(void (*)(void))sample_few, METH_FASTCALL,
     "random.Random.sample of up to 5 items, through the generator's getrandbits (sampling.py)."},
    {"pulls_delta", (PyCFunction)(void (*)(void))pulls_delta, METH_FASTCALL,
     "Pulled liquidity's work at a depth message past the step windows (spoof_delta.py)."},
    {"band_sizes", (PyCFunction)(void (*)(void))band_sizes, METH_FASTCALL, "A band's level sizes (spoof_stats.py)."},
    {"band_hits", (PyCFunction)(void (*)(void))band_hits, METH_FASTCALL,
     "A band's levels up to a threshold or at a candidate (spoof_stats.py)."},
    {"mid_range", (PyCFunction)(void (*)(void))mid_range, METH_FASTCALL,
     "The range of the mids kept before a time (spoof_stats.py)."},
    {"ice_chains_short", (PyCFunction)(void (*)(void))idh_chains_short, METH_FASTCALL,
     "Is every band's same-size chain around a size shorter than a length? (_native_chain.c)"},
    {"ice_binom_tail", (PyCFunction)(void (*)(void))idh_binom_tail, METH_FASTCALL,
     "A binomial upper tail as iceberg_chain._binomial_tail's sum (_native_idh_math.c)."},
    {"ice_beyond", (PyCFunction)(void (*)(void))idh_beyond, METH_FASTCALL,
     "The volume traded at the prices beyond a level (iceberg_hold.Through.beyond; _native_idh_math.c)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_native", NULL, -1, methods};

int wdh_register(PyObject *m);
int wj_register(PyObject *m);
int swp_register(PyObject *m);
int bst_register(PyObject *m);
int adh_register(PyObject *m);
int atd_register(PyObject *m); /* absorption's and the walls' trade hooks (_native_atd.c) */
int mrg_register(PyObject *m);
int pjd_register(PyObject *m);

PyMODINIT_FUNC PyInit__native(void)
{
    ZERO = PyLong_FromLong(0);
    if (ZERO == NULL)
        return NULL;
    const char *names[] = {"levels", "_index", "flat", "_r", "side", "_live", "_live_n", "_top", "_top_edge"};
    PyObject **slots[] = {&S_levels, &S_index, &S_flat, &S_r, &S_side, &S_live, &S_live_n, &S_top, &S_top_edge};
    for (int i = 0; i < 9; i++)
        if ((*slots[i] = PyUnicode_InternFromString(names[i])) == NULL)
            return NULL;
    const char *keys[] = {"U", "u", "pu", "T", "b", "a"};
    PyObject **kslots[] = {&S_U, &S_u, &S_pu, &S_T, &S_b, &S_a};
    for (int i = 0; i < 6; i++)
        if ((*kslots[i] = PyUnicode_InternFromString(keys[i])) == NULL)
            return NULL;
    const char *more[] = {"e", "s", "lastUpdateId", "E", "B", "A", "q", "p", "m", "t", "f", "l"};
    PyObject **mslots[] = {&S_e, &S_s, &S_lastUpdateId, &S_E, &S_B, &S_A, &S_q, &S_p, &S_m, &S_t, &S_f, &S_l};
    for (int i = 0; i < 12; i++)
        if ((*mslots[i] = PyUnicode_InternFromString(more[i])) == NULL)
            return NULL;
    if (PyType_Ready(&PStoreType) < 0 || PyType_Ready(&AbsSideType) < 0 || PyType_Ready(&IceWaitType) < 0
        || PyType_Ready(&IceLevelType) < 0 || PyType_Ready(&stp_StoreType) < 0 || stp_init() < 0
        || rol_init() < 0)
        return NULL;
    if (PyType_Ready(&trd_SlackType) < 0 || PyType_Ready(&trd_IceHookType) < 0
        || PyType_Ready(&trd_SpoofHookType) < 0 || PyType_Ready(&idh_HookType) < 0
        || PyType_Ready(&idh_SizesType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&module);
    if (m != NULL && (PyModule_AddObjectRef(m, "PullStore", (PyObject *)&PStoreType) < 0
                      || PyModule_AddObjectRef(m, "AbsSide", (PyObject *)&AbsSideType) < 0
                      || PyModule_AddObjectRef(m, "IceWait", (PyObject *)&IceWaitType) < 0
                      || PyModule_AddObjectRef(m, "StepStore", (PyObject *)&stp_StoreType) < 0
                      || PyModule_AddObjectRef(m, "RollSamples", (PyObject *)&rol_SamplesType) < 0))
        Py_CLEAR(m);
    if (m != NULL && (PyModule_AddObjectRef(m, "Slack", (PyObject *)&trd_SlackType) < 0
                      || PyModule_AddObjectRef(m, "IceHook", (PyObject *)&trd_IceHookType) < 0
                      || PyModule_AddObjectRef(m, "SpoofHook", (PyObject *)&trd_SpoofHookType) < 0
                      || PyModule_AddObjectRef(m, "IdhHook", (PyObject *)&idh_HookType) < 0
                      || PyModule_AddObjectRef(m, "IdhSizes", (PyObject *)&idh_SizesType) < 0))
        Py_CLEAR(m);
    if (m != NULL && (PyType_Ready(&pdh_HookType) < 0
                      || PyModule_AddObjectRef(m, "PullsHook", (PyObject *)&pdh_HookType) < 0))
        Py_CLEAR(m);
    if (m != NULL && wdh_register(m) < 0) /* the walls' depth hook (_native_wdh.c) */
        Py_CLEAR(m);
    if (m != NULL && wj_register(m) < 0) /* the walls' side statistics (_native_wj.c) */
        Py_CLEAR(m);
    if (m != NULL && swp_register(m) < 0) /* the sweeps' hooks (_native_swp.c) */
        Py_CLEAR(m);
    if (m != NULL && bst_register(m) < 0) /* the bursts' hooks (_native_bst.c) */
        Py_CLEAR(m);
    if (m != NULL && adh_register(m) < 0) /* absorption's depth hook (_native_adh.c) */
        Py_CLEAR(m);
    if (m != NULL && atd_register(m) < 0) /* absorption's and the walls' trade hooks (_native_atd.c) */
        Py_CLEAR(m);
    if (m != NULL && mrg_register(m) < 0) /* the exchange-time merge (_native_mrg.c) */
        Py_CLEAR(m);
    if (m != NULL && pjd_register(m) < 0) /* pulled liquidity's tape reads (_native_pjd_tape.c) */
        Py_CLEAR(m);
    return m;
}
