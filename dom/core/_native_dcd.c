/* dom.core._native: the usual Binance frame read in one pass (dcd_frame), before the strict reader.
 *
 * The strict reader (_native_json.c) reads a frame's pairs into an array, then each decoder looks
 * its keys up in it one by one; the decimal strings are parsed after. This reader takes the keys
 * the usual bookTicker, aggTrade, trade and depthUpdate objects hold (any order, each once),
 * straight into their slots, the rows of a depthUpdate read to ticks and lots as they come. It
 * takes a subset of what the strict reader takes (compact JSON only: no whitespace; no key but
 * the ones below; at most 16 keys, as the strict reader holds) and checks what frm_pairs_at and
 * bk_depth_pairs check, in the same terms, so for what it takes it gives the very events they
 * give. Anything else it declines (0), and the caller reads the frame the general way: the same
 * events, the same None, the same error as before. The events themselves are built in
 * _native_dcd_event.c (dcd_frame). */
#include "_native_dcd.h"


/* A one-character key's slot, or -1 (a key this reader does not take). */
static const signed char dcd_key1[128] = {
    ['e'] = K_e + 1, ['E'] = K_E + 1, ['T'] = K_T + 1, ['s'] = K_s + 1, ['u'] = K_u + 1, ['U'] = K_U + 1,
    ['b'] = K_b + 1, ['B'] = K_B + 1, ['a'] = K_a + 1, ['A'] = K_A + 1, ['t'] = K_t + 1, ['p'] = K_p + 1,
    ['q'] = K_q + 1, ['m'] = K_m + 1, ['f'] = K_f + 1, ['l'] = K_l + 1, ['X'] = K_X + 1, ['M'] = K_M + 1};



/* The symbol's entry in the decoder's table and its steps, as frm_entry gives them: 1, 0 (declined:
 * frm_entry would decline or raise, and the general reader says which), -1 (memory). The last
 * symbol's string and entry are kept over the call: a repeated symbol is looked up with its string
 * made once, and its steps are read once. */
int dcd_entry(dcd_Ctx *c, const char *s, Py_ssize_t len, PyObject **entry)
{
    PyObject *sym = c->sym;
    if (sym == NULL || PyUnicode_GET_LENGTH(sym) != len || memcmp(PyUnicode_1BYTE_DATA(sym), s, (size_t)len) != 0) {
        /* (the reader took only printable ASCII: the string is compact ASCII) */
        if ((sym = PyUnicode_FromStringAndSize(s, len)) == NULL)
            return -1;
        Py_XSETREF(c->sym, sym);
    }
    PyObject *e = PyDict_GetItemWithError(c->table, sym);
    PyObject *inst = e == NULL ? NULL : PyDict_GetItemWithError(c->insts, sym);
    if (inst == NULL || !PyTuple_CheckExact(e) || PyTuple_GET_SIZE(e) != 3 || PyTuple_GET_ITEM(e, 0) != inst) {
        PyErr_Clear();
        return 0;
    }
    if (e != c->entry) {
        PyObject *spec = PyTuple_GET_ITEM(e, 2);
        if (!PyTuple_CheckExact(spec) || PyTuple_GET_SIZE(spec) != 6 || !PyDict_Check(PyTuple_GET_ITEM(spec, 4))
                || !PyDict_Check(PyTuple_GET_ITEM(spec, 5)))
            return 0;  /* (frm_entry raises TypeError: the general reader does) */
        long long pm = PyLong_AsLongLong(PyTuple_GET_ITEM(spec, 0)), qm = PyLong_AsLongLong(PyTuple_GET_ITEM(spec, 2));
        long ps = PyLong_AsLong(PyTuple_GET_ITEM(spec, 1)), qs = PyLong_AsLong(PyTuple_GET_ITEM(spec, 3));
        if (PyErr_Occurred()) {
            PyErr_Clear();
            return 0;
        }
        if (!(pm > 0 && qm > 0 && ps >= 0 && qs >= 0 && ps <= 18 && qs <= 18))
            return 0;
        Py_INCREF(e);
        Py_XSETREF(c->entry, e);
        c->pm = pm;
        c->qm = qm;
        c->ps = (int)ps;
        c->qs = (int)qs;
    }
    *entry = e;
    return 1;
}

/* A side's rows at *pp ('[' then ["<price>","<size>"] rows), each plain and on the steps, read
 * into buf: their count (*pp past the list), or -1 (declined: the general reader decides). */
static Py_ssize_t dcd_rows(const char **pp, const char *end, const dcd_Ctx *c, long long *buf)
{
    const char *p = *pp + 1;
    Py_ssize_t n = 0;
    if (p < end && *p == ']') {
        *pp = p + 1;
        return 0;
    }
    for (;;) {
        if (n == DCD_ROWS || end - p < 2 || p[0] != '[' || p[1] != '"')
            return -1;
        p += 2;
        if (!dcd_decimal(&p, end, c->pm, c->ps, &buf[2 * n]) || end - p < 3 || p[0] != '"' || p[1] != ','
                || p[2] != '"')
            return -1;
        p += 3;
        if (!dcd_decimal(&p, end, c->qm, c->qs, &buf[2 * n + 1]) || end - p < 3 || p[0] != '"' || p[1] != ']')
            return -1;
        p += 2;
        n++;
        if (p >= end)
            return -1;
        if (*p == ']') {
            *pp = p + 1;
            return n;
        }
        if (*p++ != ',')
            return -1;
    }
}

/* An integer as the strict reader takes it (at most 18 digits, no leading zero, no "-0", not
 * followed by a fraction or an exponent): 1 with *v (*pp past it), else 0. */
static inline int dcd_int(const char **pp, const char *end, long long *v)
{
    const char *p = *pp;
    int neg = *p == '-';
    if (neg)
        p++;
    const char *d = p;
    unsigned long long x = 0;
    while (p < end && (unsigned char)(*p - '0') < 10 && p - d < 19)
        x = x * 10 + (unsigned long long)(*p++ - '0');
    if (p == d || p - d > 18 || (*d == '0' && p - d > 1) || (neg && x == 0))
        return 0;
    if (p < end && (*p == '.' || *p == 'e' || *p == 'E'))
        return 0;
    *v = neg ? -(long long)x : (long long)x;
    *pp = p;
    return 1;
}

/* A side's rows at *pp as the strict reader takes them (jsn_rows: '[' then ["s","s"] rows, at most
 * MAX_ROWS), their strings not read: their count (*pp past the list), or -1. */
static Py_ssize_t dcd_rows_seen(const char **pp, const char *end)
{
    const char *p = *pp + 1;
    Py_ssize_t n = 0;
    if (p < end && *p == ']') {
        *pp = p + 1;
        return 0;
    }
    for (;;) {
        if (n == MAX_ROWS || end - p < 2 || p[0] != '[' || p[1] != '"')
            return -1;
        Py_ssize_t l = jsn_str(p + 2, end, 0);
        if (l < 0)
            return -1;
        p += 2 + l;
        if (end - p < 3 || p[0] != '"' || p[1] != ',' || p[2] != '"' || (l = jsn_str(p + 3, end, 0)) < 0)
            return -1;
        p += 3 + l;
        if (end - p < 3 || p[0] != '"' || p[1] != ']')
            return -1;
        p += 2;
        n++;
        if (*p == ']') {
            *pp = p + 1;
            return n;
        }
        if (*p++ != ',')
            return -1;
    }
}

/* The keys whose string values are read as decimals as they come (in decode mode, once the symbol
 * gives the steps): 1 a price (b, a, p), 2 a size (B, A, q). */
static const unsigned char dcd_dec_key[K_N] = {[K_b] = 1, [K_a] = 1, [K_p] = 1, [K_B] = 2, [K_A] = 2, [K_q] = 2};


/* The object of a frame at [p, end) (in its envelope or bare, compact) read into vals and *seen,
 * as the strict reader reads it (each value's kind the same; kind 5: a string that is a plain
 * decimal on its step, read into v). DCD_DECODE: rows (b and a only, with a depth reader) read to
 * ticks and lots into rows and nrows, the symbol's entry resolved into *entry when first needed;
 * DCD_PEEK: rows of any of the keys checked only. 1 read; 0 declined; -1 with an error set. */
int dcd_read(dcd_Ctx *c, const char *p, const char *end, int mode, dcd_Val *vals, unsigned *seenp,
             long long (*rows)[2 * DCD_ROWS], Py_ssize_t *nrows, PyObject **entry)
{
    static const char ENV[] = "{\"stream\":\"", DATA[] = "\",\"data\":";
    unsigned seen = 0;
    /* The envelope {"stream":"<name>","data":<it>} (the strict reader's), or the bare object (a
     * bare object's "stream" or "data" key is one this reader does not take). */
    if (end - p > 11 && memcmp(p, ENV, 11) == 0) {
        Py_ssize_t l = jsn_str(p + 11, end, 0);
        if (l < 0)
            return 0;
        p += 11 + l;
        if (end - p < 10 || memcmp(p, DATA, 9) != 0 || end[-1] != '}')
            return 0;
        p += 9;
        end--;
    }
    if (end - p < 2 || *p++ != '{')
        return 0;
    for (;;) {
        /* a key: one of the one-character keys above or "pu" */
        int k;
        if (end - p < 4 || p[0] != '"' || (unsigned char)p[1] >= 128)
            return 0;
        if (p[2] == '"') {
            k = dcd_key1[(unsigned char)p[1]] - 1;
            p += 3;
        } else if (p[1] == 'p' && p[2] == 'u' && p[3] == '"') {
            k = K_pu;
            p += 4;
        } else {
            return 0;
        }
        if (k < 0 || (seen >> k & 1) || p >= end || *p++ != ':' || p >= end)
            return 0;
        seen |= 1u << k;
        dcd_Val *x = &vals[k];
        char ch = *p;
        if (ch == '"') {
            int dk = mode == DCD_DECODE ? dcd_dec_key[k] : 0;
            if (dk && (seen >> K_s & 1) && vals[K_s].kind == 0) {
                /* a price or a size after the symbol: read on its step here, else as a string */
                if (*entry == NULL) {
                    int r = dcd_entry(c, vals[K_s].s, vals[K_s].len, entry);
                    if (r <= 0)
                        return r;
                }
                const char *q = p + 1;
                if (dcd_decimal(&q, end, dk == 1 ? c->pm : c->qm, dk == 1 ? c->ps : c->qs, &x->v) && q < end
                        && *q == '"') {
                    x->kind = 5;
                    x->s = p + 1;
                    x->len = q - (p + 1);
                    p = q + 1;
                    goto next;
                }
            }
            Py_ssize_t l = jsn_str(++p, end, 0);
            if (l < 0)
                return 0;
            x->kind = 0;
            x->s = p;
            x->len = l;
            p += l + 1;
        } else if (ch == '-' || (ch >= '0' && ch <= '9')) {
            if (!dcd_int(&p, end, &x->v))
                return 0;
            x->kind = 1;
        } else if (ch == '[') {
            if (mode == DCD_PEEK) {
                if (dcd_rows_seen(&p, end) < 0)
                    return 0;
            } else {
                /* a side's rows, once the symbol (before them in the venue's frames) gives the steps */
                int side = k == K_b ? 0 : k == K_a ? 1 : -1;
                if (side < 0 || c->depth == NULL || !(seen >> K_s & 1) || vals[K_s].kind != 0)
                    return 0;
                if (*entry == NULL) {
                    int r = dcd_entry(c, vals[K_s].s, vals[K_s].len, entry);
                    if (r <= 0)
                        return r;
                }
                if ((nrows[side] = dcd_rows(&p, end, c, rows[side])) < 0)
                    return 0;
            }
            x->kind = 4;
        } else if (ch == 't' && end - p >= 4 && memcmp(p, "true", 4) == 0) {
            x->kind = 2;
            p += 4;
        } else if (ch == 'f' && end - p >= 5 && memcmp(p, "false", 5) == 0) {
            x->kind = 3;
            p += 5;
        } else {
            return 0;
        }
    next:
        if (p >= end)
            return 0;
        if (*p == '}') {
            p++;
            break;
        }
        if (*p++ != ',')
            return 0;
    }
    *seenp = seen;
    return p == end && __builtin_popcount(seen) <= JSN_PAIRS;
}

/* A string of [s, s + len) (printable ASCII), the one in *cache when it holds these characters
 * (a frame's "e" and "s" repeat line after line), else a new one kept there. New reference. */
static PyObject *dcd_text(PyObject **cache, const char *s, Py_ssize_t len)
{
    PyObject *o = *cache;
    if (o == NULL || PyUnicode_GET_LENGTH(o) != len || memcmp(PyUnicode_1BYTE_DATA(o), s, (size_t)len) != 0) {
        if ((o = PyUnicode_FromStringAndSize(s, len)) == NULL)
            return NULL;
        Py_XSETREF(*cache, o);
    }
    Py_INCREF(o);
    return o;
}

int dcd_peek(PyObject **texts, const char *p, const char *end, PyObject **out)
{
    dcd_Val vals[K_N];
    unsigned seen = 0;
    *out = NULL;
    int r = dcd_read(NULL, p, end, DCD_PEEK, vals, &seen, NULL, NULL, NULL);
    if (r <= 0)
        return r;
    const dcd_Val *e = &vals[K_e], *s = &vals[K_s];
    PyObject *eo = !(seen >> K_e & 1) ? (Py_INCREF(Py_None), Py_None)
                 : e->kind == 0 ? dcd_text(&texts[0], e->s, e->len) : (Py_INCREF(Py_False), Py_False);
    PyObject *so = !(seen >> K_s & 1) || s->kind != 0 ? (Py_INCREF(Py_None), Py_None) : dcd_text(&texts[1], s->s, s->len);
    *out = eo == NULL || so == NULL ? NULL : PyTuple_Pack(3, eo, so, seen >> K_pu & 1 ? Py_True : Py_False);
    Py_XDECREF(eo);
    Py_XDECREF(so);
    return *out == NULL ? -1 : 1;
}
