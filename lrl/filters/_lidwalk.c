/*
 * py3langid's scoring for a batch of texts in C (lrl/filters/lid_batch.py, issue 11).
 *
 * One call walks py3langid's Aho-Corasick byte automaton over every text of a batch and writes each text's
 * raw naive-Bayes scores, ``log1p(counts) @ nb_ptc[features]`` as py3langid's ``_sparse_score`` computes
 * them before adding ``nb_pc``. Called through ctypes (plain C types, no CPython API, no reference counts);
 * the CPython module below exists only so setuptools builds this file as an (optional) extension.
 *
 * Exactness. py3langid counts features in first-visit order (a Counter) and numpy's matmul sums them in
 * that order; with two or more features numpy hands the product to its BLAS (cblas_sgemv, row-major,
 * transposed), whose summation order is the library's own. When the caller passes that very function
 * (resolved from numpy's bundled OpenBLAS and checked against numpy by the Python side), the rows are
 * gathered and widened to float32 exactly as numpy's cast does, and the product is the same call: the
 * scores are bit-identical. Without it, the sum runs here in first-visit order, one multiply then one add
 * per term in float32 (no fused multiply-add: FP_CONTRACT off), which differs from BLAS by rounding only.
 * A single feature takes numpy's non-BLAS loop (0 + x * row), reproduced here either way.
 *
 * Memory latency: the transition table has ~10M entries (40 MB), so nearly every byte is a cache miss.
 * LANES texts advance together, one byte each per round, so their independent misses overlap.
 *
 * Thread safety: no global state; all scratch memory is allocated per call.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF /* gcc: -ffp-contract=off in setup.py */
#endif

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#include <immintrin.h>
#define LID_F16C 1
#endif

#if defined(_WIN32)
#define LID_EXPORT __declspec(dllexport)
#elif defined(__GNUC__)
#define LID_EXPORT __attribute__((visibility("default")))
#else
#define LID_EXPORT
#endif

#define LANES 8
/* rows of ptc prefetched ahead of the one being read */
#define PREFETCH 8

/* CBLAS enums (cblas.h): row-major, transposed */
#define CBLAS_ROW_MAJOR 101
#define CBLAS_TRANS 112

typedef void (*sgemv64_fn)(int, int, int64_t, int64_t, float, const float *, int64_t, const float *, int64_t,
                           float, float *, int64_t);
typedef void (*sgemv32_fn)(int, int, int32_t, int32_t, float, const float *, int32_t, const float *, int32_t,
                           float, float *, int32_t);

#ifdef LID_F16C
__attribute__((target("avx,f16c"))) static void widen_f16c(const uint16_t *h, float *out, int64_t n)
{
    int64_t j = 0;
    for (; j + 8 <= n; j += 8) {
        _mm256_storeu_ps(out + j, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(h + j))));
    }
    for (; j < n; j++) {
        _mm_store_ss(out + j, _mm_cvtph_ps(_mm_cvtsi32_si128(h[j])));
    }
}
#endif

/* One row of ptc as float32 (float16 -> float32 is exact, so F16C and the table agree). */
static inline void widen_row(const void *ptc, int ptc_f16, const float *f16lut, int use_f16c, int64_t feature,
                             int64_t n_langs, float *out)
{
    if (!ptc_f16) {
        memcpy(out, (const float *)ptc + feature * n_langs, (size_t)n_langs * sizeof(float));
        return;
    }
    const uint16_t *h = (const uint16_t *)ptc + feature * n_langs;
#ifdef LID_F16C
    if (use_f16c) {
        widen_f16c(h, out, n_langs);
        return;
    }
#else
    (void)use_f16c;
#endif
    for (int64_t j = 0; j < n_langs; j++) {
        out[j] = f16lut[h[j]];
    }
}

/* The next row of ptc to prefetch: text t, its i-th distinct feature. */
typedef struct {
    int64_t t, i;
} prefetch_t;

static inline void prefetch_next(prefetch_t *pf, const int32_t *feats, const int64_t *offsets,
                                 const int64_t *n_distinct, int64_t n_texts, const void *ptc, int64_t row_bytes)
{
    while (pf->t < n_texts && pf->i >= n_distinct[pf->t]) {
        pf->t++;
        pf->i = 0;
    }
    if (pf->t >= n_texts) {
        return;
    }
    const char *row = (const char *)ptc + (int64_t)feats[offsets[pf->t] + pf->i++] * row_bytes;
#if defined(__GNUC__)
    for (int64_t b = 0; b < row_bytes; b += 64) {
        __builtin_prefetch(row + b);
    }
    __builtin_prefetch(row + row_bytes - 1);
#else
    (void)row;
#endif
}

typedef struct {
    const uint8_t *p, *end;
    int32_t *fp;
    int64_t text;
    uint32_t state;
} lane_t;

/* Start the next non-empty text on a lane; returns 0 when none is left. Empty texts get no features. */
static int start_lane(lane_t *ln, int64_t *next, int64_t n_texts, const uint8_t *text, const int64_t *offsets,
                      int32_t *feats, int64_t *n_found)
{
    while (*next < n_texts) {
        int64_t t = (*next)++;
        if (offsets[t + 1] > offsets[t]) {
            ln->p = text + offsets[t];
            ln->end = text + offsets[t + 1];
            ln->fp = feats + offsets[t];
            ln->text = t;
            ln->state = 0;
            return 1;
        }
        n_found[t] = 0;
    }
    return 0;
}

/*
 * text, offsets[n_texts + 1]: the texts' UTF-8 bytes, concatenated.
 * nextmove[n_next]: py3langid's tk_nextmove (uint32). states[2 * s], s < n_states: the row base of state s
 *   (tk_row[s] << 8);
 *   states[2 * s + 1]: the feature state s emits (tk_output[s]), -1 for none.
 * ptc: nb_ptc, C-contiguous [n_features, n_langs], float16 (ptc_f16 = 1) or float32; f16lut: 65,536
 *   float16 -> float32 values (used when the CPU has no F16C).
 * log1p_lut[c] = numpy's float32 log1p(c) for c < n_lut (larger counts use log1pf).
 * sgemv: numpy's cblas_sgemv (ilp64: 64-bit integer arguments), or NULL to sum here.
 * Out: scores [n_texts, n_langs] (log1p(counts) @ ptc[features]; zeros when no feature fires),
 *   n_distinct[n_texts] (distinct features; 0 means no feature fired).
 * Returns 0, -1 when memory ran out, -2 for a feature id outside ptc, -3 without a float16 table where one
 * is needed, -4 for a transition outside the tables.
 */
LID_EXPORT int64_t lid_scores(const uint8_t *text, const int64_t *offsets, int64_t n_texts,
                              const uint32_t *nextmove, uint64_t n_next, const int32_t *states, uint64_t n_states,
                              const void *ptc, int32_t ptc_f16,
                              const float *f16lut, const float *log1p_lut, int64_t n_lut, int64_t n_features,
                              int64_t n_langs, void *sgemv, int32_t sgemv_ilp64, float *scores,
                              int32_t *n_distinct)
{
    int64_t total = offsets[n_texts]; /* offsets[0] == 0 */
    int64_t rc = 0;
    int use_f16c = 0;
#ifdef LID_F16C
    use_f16c = ptc_f16 && __builtin_cpu_supports("avx") && __builtin_cpu_supports("f16c");
#endif
    if (ptc_f16 && !use_f16c && f16lut == NULL) {
        return -3;
    }
    /* feats: the features each text emits, in order, at its bytes' offset (at most one per byte) */
    int32_t *feats = (int32_t *)malloc((size_t)(total > 0 ? total : 1) * sizeof(int32_t));
    int64_t *n_found = (int64_t *)malloc((size_t)(n_texts > 0 ? n_texts : 1) * sizeof(int64_t));
    int32_t *count = (int32_t *)calloc((size_t)n_features, sizeof(int32_t));
    float *logc = (float *)malloc((size_t)(total > 0 ? total : 1) * sizeof(float));
    float *rows = (float *)malloc((size_t)n_langs * 64 * sizeof(float));
    int64_t cap = 64;
    const int64_t row_bytes = n_langs * (ptc_f16 ? 2 : 4);
    if (!feats || !n_found || !count || !logc || !rows) {
        rc = -1;
        goto done;
    }

    /* 1. the walk, LANES texts interleaved */
    {
        lane_t lanes[LANES];
        int live = 0;
        int64_t next = 0;
        while (live < LANES && start_lane(&lanes[live], &next, n_texts, text, offsets, feats, n_found)) {
            live++;
        }
        while (live > 0) {
            for (int l = 0; l < live; l++) {
                lane_t *ln = &lanes[l];
                uint64_t at = (uint64_t)(uint32_t)states[2 * (int64_t)ln->state] + *ln->p++;
                uint32_t s = at < n_next ? nextmove[at] : UINT32_MAX;
                if (s >= n_states) { /* a damaged model: an error, not a read outside the tables */
                    rc = -4;
                    goto done;
                }
                int32_t f = states[2 * (int64_t)s + 1];
                ln->state = s;
                if (f >= 0) {
                    *ln->fp++ = f;
                }
                if (ln->p == ln->end) {
                    n_found[ln->text] = ln->fp - (feats + offsets[ln->text]);
                    if (!start_lane(ln, &next, n_texts, text, offsets, feats, n_found)) {
                        lanes[l] = lanes[--live];
                    }
                }
            }
        }
    }

    /* 2. per text: the distinct features in first-visit order (in place) and log1p of their counts */
    for (int64_t t = 0; t < n_texts; t++) {
        int32_t *seq = feats + offsets[t];
        float *xs = logc + offsets[t];
        int64_t n = n_found[t], k = 0;
        for (int64_t i = 0; i < n; i++) {
            int32_t f = seq[i];
            if (f < 0 || f >= n_features) {
                rc = -2;
                goto done;
            }
            if (count[f]++ == 0) {
                seq[k++] = f; /* k <= i: overwrites only what was read */
            }
        }
        for (int64_t i = 0; i < k; i++) {
            int32_t c = count[seq[i]];
            count[seq[i]] = 0;
            xs[i] = c < n_lut ? log1p_lut[c] : log1pf((float)c);
        }
        n_found[t] = k;
        n_distinct[t] = (int32_t)k;
    }

    /* 3. the products; the rows of ptc are random reads in a large table, so each is prefetched
       PREFETCH rows ahead (across texts) */
    {
        prefetch_t pf = {0, 0};
        for (int i = 0; i < PREFETCH; i++) {
            prefetch_next(&pf, feats, offsets, n_found, n_texts, ptc, row_bytes);
        }
        for (int64_t t = 0; t < n_texts; t++) {
            const int32_t *seq = feats + offsets[t];
            const float *xs = logc + offsets[t];
            int64_t k = n_found[t];
            float *y = scores + t * n_langs;
            for (int64_t j = 0; j < n_langs; j++) {
                y[j] = 0.0f;
            }
            if (sgemv && k >= 2) {
                if (k > cap) {
                    while (cap < k) {
                        cap *= 2;
                    }
                    float *nr = (float *)realloc(rows, (size_t)cap * (size_t)n_langs * sizeof(float));
                    if (!nr) {
                        rc = -1;
                        goto done;
                    }
                    rows = nr;
                }
                for (int64_t i = 0; i < k; i++) {
                    prefetch_next(&pf, feats, offsets, n_found, n_texts, ptc, row_bytes);
                    widen_row(ptc, ptc_f16, f16lut, use_f16c, seq[i], n_langs, rows + i * n_langs);
                }
                if (sgemv_ilp64) {
                    ((sgemv64_fn)sgemv)(CBLAS_ROW_MAJOR, CBLAS_TRANS, k, n_langs, 1.0f, rows, n_langs, xs, 1, 0.0f,
                                        y, 1);
                }
                else {
                    ((sgemv32_fn)sgemv)(CBLAS_ROW_MAJOR, CBLAS_TRANS, (int32_t)k, (int32_t)n_langs, 1.0f, rows,
                                        (int32_t)n_langs, xs, 1, 0.0f, y, 1);
                }
                continue;
            }
            /* first-visit order, float32 multiply then add (numpy's own loop for one feature: 0 + x * row) */
            for (int64_t i = 0; i < k; i++) {
                const float xi = xs[i];
                prefetch_next(&pf, feats, offsets, n_found, n_texts, ptc, row_bytes);
                widen_row(ptc, ptc_f16, f16lut, use_f16c, seq[i], n_langs, rows);
                for (int64_t j = 0; j < n_langs; j++) {
                    float prod = xi * rows[j];
                    y[j] = y[j] + prod;
                }
            }
        }
    }

done:
    free(feats);
    free(n_found);
    free(count);
    free(logc);
    free(rows);
    return rc;
}

/* A method-less CPython module: setuptools builds this file as an extension; Python loads it with ctypes. */
static struct PyModuleDef lidwalk_module = {
    PyModuleDef_HEAD_INIT, "_lidwalk",
    "py3langid's scoring in C, loaded with ctypes by lrl.filters.lid_batch (no Python-level functions).", -1,
    NULL, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__lidwalk(void)
{
    return PyModule_Create(&lidwalk_module);
}
