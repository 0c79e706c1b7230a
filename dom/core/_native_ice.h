/* dom.core._native.IceWait's state (_native_ice.c: the type; _native_ice_tab.c: its table of keys
 * and their rings of trades). Every global name here starts with ice_ / Ice / ICE_. */
#ifndef DOM_NATIVE_ICE_H
#define DOM_NATIVE_ICE_H
#include "_native.h"

#define ICE_LIM_T (1LL << 61)  /* a time, a price, a level's size */
#define ICE_LIM_Q (1LL << 40)  /* a trade's size */
#define ICE_LIM_MASS (1LL << 61)  /* the sizes waiting at a key, in absolute value: every sum of them is exact */
#define ICE_NEVER (1LL << 62)  /* iceberg_wait._NEVER; also the limit of a bound */
#define ICE_REC 5  /* a waiting change: t, ask, px, before, after */
#define ICE_KEY(px, ask) (2 * (px) + (ask))

typedef struct {
    long long key, px, seq;  /* seq: when its queue of trades began */
    int ask, followed;
    long long *t, *q;  /* the trades waiting: a ring */
    Py_ssize_t head, n, cap;  /* cap: 0 or a power of two */
    long long mass;  /* the sum of |q| waiting */
} IceKey;

typedef struct {
    PyObject_HEAD
    PyObject *bid, *ask;
    IceKey **slots;  /* open addressing, linear probing, cap 0 or a power of two */
    Py_ssize_t cap, used;
    long long seq, first;  /* first: at most the time at the front of any key's queue */
    long long *pend;  /* the waiting changes, ICE_REC numbers each: a ring */
    Py_ssize_t phead, pn, pcap;
    Py_ssize_t waiting;  /* trades waiting, all keys */
} IceWait;

extern PyTypeObject IceWaitType;

IceKey *ice_find(IceWait *w, long long key);
IceKey *ice_add(IceWait *w, long long key, long long px, int ask);
void ice_drop(IceWait *w, long long key);
void ice_tab_clear(IceWait *w);
int ice_push(IceKey *e, long long t, long long q);

#endif
