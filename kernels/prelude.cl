/* prelude.cl: built in front of every other file of kernels/ (ftc_cl_program_build_embedded), so that its
 * program can use these: the work-group reductions and the 8-lane horizontal reductions the kernels share.
 * FTC_WG, the work-group size of the reduction kernels (a power of two), comes from the build options.
 * A change here changes every program's source, so every program binary cache key. */
#ifndef FTC_WG
#define FTC_WG 64
#endif

/* Sum of x over the work-group of FTC_WG items; every item gets the result. Every item of the group must
 * call it: no item may leave before a barrier (PoCL miscompiles that), so a row kernel launches exactly one
 * group per row. s holds FTC_WG floats of local memory. */
static inline float
wg_sum (float x, __local float *s)
{
  const int l = get_local_id (0);
  s[l] = x;
  barrier (CLK_LOCAL_MEM_FENCE);
  for (int k = FTC_WG / 2; k > 0; k >>= 1)
    {
      if (l < k)
        s[l] += s[l + k];
      barrier (CLK_LOCAL_MEM_FENCE);
    }
  const float r = s[0];
  barrier (CLK_LOCAL_MEM_FENCE);
  return r;
}

/* The maximum of x over the work-group, as wg_sum. */
static inline float
wg_max (float x, __local float *s)
{
  const int l = get_local_id (0);
  s[l] = x;
  barrier (CLK_LOCAL_MEM_FENCE);
  for (int k = FTC_WG / 2; k > 0; k >>= 1)
    {
      if (l < k)
        s[l] = fmax (s[l], s[l + k]);
      barrier (CLK_LOCAL_MEM_FENCE);
    }
  const float r = s[0];
  barrier (CLK_LOCAL_MEM_FENCE);
  return r;
}

/* The sum and the maximum of an 8-vector's lanes, in pairs (a fixed order, the same on every device). */
static inline float
hsum8 (float8 v)
{
  return ((v.s0 + v.s1) + (v.s2 + v.s3)) + ((v.s4 + v.s5) + (v.s6 + v.s7));
}

static inline float
hmax8 (float8 v)
{
  return fmax (fmax (fmax (v.s0, v.s1), fmax (v.s2, v.s3)), fmax (fmax (v.s4, v.s5), fmax (v.s6, v.s7)));
}
