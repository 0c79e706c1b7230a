/* dom.core._native: the one-pass reader of the usual Binance frames (_native_dcd.c), and the
 * decimal reading it shares with plain_chars (_native_parse.c). */
#ifndef DOM_NATIVE_DCD_H
#define DOM_NATIVE_DCD_H
#include "_native.h"

/* A plain decimal ("123", "123.45": ASCII digits, at most one dot with digits on both sides, at
 * most 18 digits in all) from p up to the first byte that is neither a digit nor a dot (*pp set
 * there), as a whole number of steps of mant * 10^-scale: exactly plain_chars' answer for the
 * bytes [p, *pp). 1 with *out set; 0 for anything else (not plain, not on the step, past 10^18).
 * The caller checks what the byte at *pp must be. */
static inline int dcd_decimal(const char **pp, const char *end, long long mant, int scale, long long *out)
{
    const char *p = *pp, *s = p;
    unsigned long long v = 0;
    while (p < end && (unsigned char)(*p - '0') < 10)
        v = v * 10 + (unsigned long long)(*p++ - '0');
    Py_ssize_t digits = p - s;
    int sc = 0;
    if (p < end && *p == '.') {
        if (digits == 0)
            return 0;
        const char *f = ++p;
        while (p < end && (unsigned char)(*p - '0') < 10)
            v = v * 10 + (unsigned long long)(*p++ - '0');
        if (p == f || (p < end && *p == '.'))
            return 0;  /* a dot last, or a second dot */
        digits += p - f;
        sc = (int)(p - f);
    }
    *pp = p;
    if (digits == 0 || digits > 18)
        return 0;  /* (v may have wrapped past 19 digits: it is not read then) */
    while (sc > scale) {  /* more decimals than the step: they must be zeros */
        if (v % 10)
            return 0;
        v /= 10;
        sc--;
    }
    while (sc < scale) {
        if (v > 99999999999999999ULL)  /* would pass 10^18: let Python do it */
            return 0;
        v *= 10;
        sc++;
    }
    if (mant != 1) {
        if (v % (unsigned long long)mant)
            return 0;
        v /= (unsigned long long)mant;
    }
    *out = (long long)v;
    return 1;
}

/* The keys of the usual objects, each a slot of the reader (K_N: their count). */
enum { K_e, K_E, K_T, K_s, K_u, K_U, K_pu, K_b, K_B, K_a, K_A, K_t, K_p, K_q, K_m, K_f, K_l, K_X, K_M, K_N };

/* One value as the strict reader reads it: kind 0 string (s, len), 1 integer (v), 2 true, 3 false,
 * 4 rows (read into the caller's buffer), 5 a string (s, len) that is a plain decimal on its steps
 * (a price or a size, v its value). */
typedef struct {
    const char *s;
    Py_ssize_t len;
    long long v;
    int kind;
} dcd_Val;

#define DCD_ROWS 512 /* rows a side read here (more: the general reader's) */

/* dcd_read's modes: decode (rows read to ticks and lots) or peek (rows checked only). */
#define DCD_DECODE 0
#define DCD_PEEK 1

/* The one-pass reader's state over one call: the caller's arguments (borrowed) and the last
 * symbol read, its entry and steps (new references, dcd_clear drops them). */
typedef struct {
    PyObject *table, *insts, *kinds, *depth;  /* depth: (BookDelta, its 9 members) or NULL */
    PyObject *sym, *entry;
    long long pm, qm;
    int ps, qs;
} dcd_Ctx;

static inline void dcd_init(dcd_Ctx *c, PyObject *table, PyObject *insts, PyObject *kinds, PyObject *depth)
{
    c->table = table;
    c->insts = insts;
    c->kinds = kinds;
    c->depth = depth == Py_None ? NULL : depth;
    c->sym = c->entry = NULL;
    c->pm = c->qm = 0;
    c->ps = c->qs = 0;
}

static inline void dcd_clear(dcd_Ctx *c)
{
    Py_CLEAR(c->sym);
    Py_CLEAR(c->entry);
}

/* The symbol's entry and steps into the reader's state (_native_dcd.c): 1, 0 (declined), -1. */
int dcd_entry(dcd_Ctx *c, const char *s, Py_ssize_t len, PyObject **entry);

/* The object of a frame at [p, end) read into vals and *seenp (_native_dcd.c): 1, 0, -1. */
int dcd_read(dcd_Ctx *c, const char *p, const char *end, int mode, dcd_Val *vals, unsigned *seenp,
             long long (*rows)[2 * DCD_ROWS], Py_ssize_t *nrows, PyObject **entry);

/* The usual frame at [p, end) (compact: no whitespace) as the [event] rpl_frame_at, or with a
 * depth reader rpl_depth_at, gives for it: 1 with *out (a new list); 0 when this reader does not
 * take it (the caller reads it the general way, which gives what it gives); -1 with an error set
 * (memory only: anything else is declined). */
int dcd_frame(dcd_Ctx *c, const char *p, const char *end, PyObject *recv, PyObject **out);

/* What rpl_peek gives of the usual compact frame at [p, end), (e, s, has_pu), in one pass: 1 with
 * *out; 0 when this reader does not take it (the strict reader's then); -1 with an error set.
 * texts[0..2): the last "e" and "s" strings made, kept over a block (new references or NULL). */
int dcd_peek(PyObject **texts, const char *p, const char *end, PyObject **out);


#endif
