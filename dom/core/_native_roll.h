/* dom.core._native.RollSamples (detectors/rolling.py's RollingSamples in C): the samples' values
 * sorted (an int64 array) and their arrival ring of (t, v). _native_roll.c: the storage, the
 * writes and the type; _native_roll_view.c: the read views (.sorted, .q) and the move to the twin. */
#ifndef DOM_NATIVE_ROLL_H
#define DOM_NATIVE_ROLL_H
#include "_native.h"

typedef struct {
    long long t, v;
} rol_Pair;

typedef struct {
    PyObject_HEAD
    long long *srt;          /* the values, ascending */
    Py_ssize_t n, scap;      /* n samples; srt's capacity */
    rol_Pair *ring;          /* arrivals: ring[(head + i) & (rcap - 1)], i < n */
    Py_ssize_t head, rcap;   /* rcap: 0 or a power of two */
    PyObject *twin_cls;      /* type(self).twin at construction (NULL: none) */
    PyObject *twin;          /* the twin holding the samples after a decline (NULL: C holds them) */
} rol_Samples;

#define ROL_AT(s, i) ((s)->ring[((s)->head + (i)) & ((s)->rcap - 1)])

extern PyTypeObject rol_SamplesType, rol_ViewType;
int rol_init(void);
/* The samples moved to a new twin (``twin``'s class called with no arguments, then its ``q``
 * extended and its ``sorted`` set): 0, or -1 with an error set (nothing changed then). */
int rol_to_twin(rol_Samples *s);
/* A view of s's values (kind 0: .sorted) or arrivals (kind 1: .q); the twin's own while it holds them. */
PyObject *rol_view(rol_Samples *s, int kind);
extern PyObject *rol_S_q, *rol_S_sorted;
int rol_nargs_ok(Py_ssize_t nargs, Py_ssize_t want, const char *sig);
/* The reads that need no view: at(i) and same_top(m, prev) (_native_roll_view.c) */
PyObject *rol_at(rol_Samples *s, PyObject *const *args, Py_ssize_t nargs);
PyObject *rol_same_top(rol_Samples *s, PyObject *const *args, Py_ssize_t nargs);

#endif
