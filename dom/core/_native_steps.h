/* dom.core._native.StepStore's state (_native_steps.c: the pass over a message's changes and the
 * rings and tables; _native_steps_type.c: the reads and the type). */
#ifndef DOM_NATIVE_STEPS_H
#define DOM_NATIVE_STEPS_H
#include "_native.h"

#define STP_SEC 1000000000LL
#define STP_KEEP_NS (60 * STP_SEC)
#define STP_SAME_NS (10 * STP_SEC)
#define STP_CLEAN_NS (10 * STP_SEC)
#define STP_NEAR 2
#define STP_V (1LL << 60)
#define STP_T (1LL << 61)
#define STP_FAR (1LL << 62)

typedef struct {
    long long t, side, px, step, lo, hi;
} Rec;

typedef struct {
    long long key, t, step;  /* key: 2 x px + side; used: t's slot holds an entry */
    int used;
} Slot;

typedef struct {
    PyObject_HEAD
    PyObject *bid, *ask;
    long long move_ticks;
    double move_tol;
    Rec *ring;
    Py_ssize_t head, n, cap;  /* cap: 0 or a power of two */
    Slot *tab;
    Py_ssize_t tcap, used;  /* tcap: 0 or a power of two, used at most half of it */
    long long clean_ns;
} StepStore;

#define REC(s, i) (&(s)->ring[((s)->head + (i)) & ((s)->cap - 1)])
static inline Py_ssize_t slot_of(Slot *tab, Py_ssize_t tcap, long long key)
{
    Py_ssize_t i = (Py_ssize_t)(((unsigned long long)key * 0x9E3779B97F4A7C15ULL) >> 20) & (tcap - 1);
    while (tab[i].used && tab[i].key != key)
        i = (i + 1) & (tcap - 1);
    return i;
}

int stp_tab_rebuild(StepStore *s, Py_ssize_t tcap, long long lo);
PyObject *stp_observe(StepStore *s, PyObject *const *args, Py_ssize_t nargs);

#endif
