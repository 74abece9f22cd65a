/* ftc-cmd-bench.c: `ftcot bench gemm` and `ftcot bench train`: the engine's speed on this machine.
 *
 *   ftcot bench gemm [--preset gpt2-124m|small] [--batch B] [--seq T] [--device D] [--json]
 *       GFLOP/s of ftc_gemm on GPT-2's shapes (default 124M at B*T = 256): forward and both backward
 *       products of every linear layer, and the LM head; the best is the device's measured GEMM peak.
 *   ftcot bench train --preset gpt2-124m|small --batch B --seq T [--device D] [--steps N] [--json] [--profile]
 *       a randomly initialised model (no checkpoint), random tokens, full training steps (zero_grad,
 *       forward, backward, clip + AdamW), the median of N timed steps: ms/step, tokens/s, achieved GFLOP/s, MFU against the measured
 *       GEMM peak, peak resident memory. --profile (opencl devices): every kernel waits for itself and the
 *       device time per kernel and per CLBlast shape over the timed steps (the warm-up step left out) is
 *       printed after the timing, per step; the timing itself is then slower than without it. */
#include "app/ftc-cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "compute/models/ftc-model.h"
#include "core/ftc-devices.h"
#include "core/students/ftc-model-dir.h"
#include "compute/backends/opencl/ftc-opencl.h"

#define NAME "bench"

typedef struct {
  const char *name;
  int M, N, K, trans_a, trans_b;
} GemmShape;

/* user + system CPU seconds of the process so far, all threads */
static double
cpu_seconds (void)
{
  struct rusage usage;

  if (getrusage (RUSAGE_SELF, &usage) != 0)
    return 0.0;
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

static double
peak_rss_mb (void)
{
  struct rusage usage;

  if (getrusage (RUSAGE_SELF, &usage) != 0)
    return 0.0;
  return usage.ru_maxrss / 1024.0;   /* kilobytes on Linux */
}

static FtcBackend *
open_device (const char *device, GError **error)
{
  return ftc_device_open (device, error);
}

/* Times one GEMM shape: the best of `reps` runs after a warm-up, in GFLOP/s. */
static gboolean
time_gemm (FtcBackend *be, const GemmShape *s, int reps, double *gflops, GError **error)
{
  size_t na = (size_t) s->M * s->K, nb = (size_t) s->K * s->N, nc = (size_t) s->M * s->N;
  FtcBuf *buf = NULL;
  g_autofree float *init = NULL;
  double best = INFINITY;
  FtcStatus status;

  status = ftc_buf_new (be, na + nb + nc, &buf);
  if (status != FTC_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", ftc_backend_last_error (be));
      return FALSE;
    }
  init = g_new (float, na + nb);
  for (size_t i = 0; i < na + nb; i++)
    init[i] = (float) ((i * 2654435761u) % 1000) / 1000.0f - 0.5f;
  ftc_buf_write (ftc_view (buf, 0), init, na + nb);
  for (int r = 0; r <= reps; r++)
    {
      gint64 start = g_get_monotonic_time ();
      status = ftc_gemm (be, s->trans_a, s->trans_b, s->M, s->N, s->K, 1.0f,
                         ftc_view (buf, 0), s->trans_a ? s->M : s->K,
                         ftc_view (buf, na), s->trans_b ? s->K : s->N,
                         0.0f, ftc_view (buf, na + nb), s->N);
      if (status == FTC_OK)
        status = ftc_backend_finish (be);
      if (status != FTC_OK)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "gemm %s: %s", s->name, ftc_backend_last_error (be));
          ftc_buf_free (buf);
          return FALSE;
        }
      double seconds = (g_get_monotonic_time () - start) / 1e6;
      if (r > 0 && seconds < best)   /* run 0 warms caches and kernels up */
        best = seconds;
    }
  ftc_buf_free (buf);
  *gflops = 2.0 * s->M * s->N * (double) s->K / best / 1e9;
  return TRUE;
}

/* GPT-2's GEMMs at N = B*T rows: forward out = inp @ W^T, backward dinp = dout @ W, dW = dout^T @ inp */
static GemmShape *
gpt2_shapes (int BT, int C, int V, int *n)
{
  static const struct { const char *name; int ic, oc; } layers[] = {
    { "qkv", 1, 3 }, { "attproj", 1, 1 }, { "fc", 1, 4 }, { "fcproj", 4, 1 },
  };
  GemmShape *shapes = g_new0 (GemmShape, 3 * 5);
  int k = 0;

  for (int i = 0; i < 5; i++)
    {
      const char *name = i < 4 ? layers[i].name : "lmhead";
      int IC = i < 4 ? layers[i].ic * C : C, OC = i < 4 ? layers[i].oc * C : V;
      shapes[k++] = (GemmShape) { g_strdup_printf ("%s fwd", name), BT, OC, IC, 0, 1 };
      shapes[k++] = (GemmShape) { g_strdup_printf ("%s dinp", name), BT, IC, OC, 0, 0 };
      shapes[k++] = (GemmShape) { g_strdup_printf ("%s dW", name), OC, IC, BT, 1, 0 };
    }
  *n = k;
  return shapes;
}

static void
free_shapes (GemmShape *shapes, int n)
{
  for (int i = 0; i < n; i++)
    g_free ((char *) shapes[i].name);
  g_free (shapes);
}

/* The device's GEMM peak: the best GFLOP/s over GPT-2's shapes at this width. */
static gboolean
measure_peak (FtcBackend *be, int BT, int C, int V, double *peak, GError **error)
{
  int n;
  GemmShape *shapes = gpt2_shapes (BT, C, V, &n);
  gboolean ok = TRUE;

  *peak = 0.0;
  for (int i = 0; i < n && ok; i++)
    {
      double g = 0.0;
      /* the LM head is the largest product; the others tell the peak well enough */
      if (g_str_has_prefix (shapes[i].name, "lmhead") && V > 4 * C)
        continue;
      ok = time_gemm (be, &shapes[i], 3, &g, error);
      *peak = MAX (*peak, g);
    }
  free_shapes (shapes, n);
  return ok;
}

/* preset name -> config; FALSE if unknown */
static gboolean
preset_config (const char *preset, FtcGpt2Config *config)
{
  if (preset == NULL || strcmp (preset, "small") == 0)
    *config = (FtcGpt2Config) { .max_seq_len = 128, .vocab_size = 512, .num_layers = 4, .num_heads = 4, .channels = 256 };
  else if (strcmp (preset, "gpt2-124m") == 0)
    *config = (FtcGpt2Config) { .max_seq_len = 1024, .vocab_size = 50257, .num_layers = 12, .num_heads = 12,
                                .channels = 768 };
  else
    return FALSE;
  return TRUE;
}

static int
bench_gemm (int argc, char **argv)
{
  g_autofree char *device = NULL, *preset = NULL;
  int B = 4, T = 64;
  gboolean json = FALSE;
  FtcGpt2Config config;
  GOptionEntry entries[] = {
    { "preset", 'p', 0, G_OPTION_ARG_STRING, &preset, "Shapes of gpt2-124m (default) or small", "NAME" },
    { "batch", 'b', 0, G_OPTION_ARG_INT, &B, "Batch size (default 4)", "B" },
    { "seq", 't', 0, G_OPTION_ARG_INT, &T, "Sequence length (default 64)", "T" },
    { "device", 'd', 0, G_OPTION_ARG_STRING, &device, "Device: cpu, cpu:naive, opencl:N (default: $FTCOT_DEVICE, else the first GPU, else cpu)", "D" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print one JSON object", NULL },
    { NULL }
  };
  g_autoptr (GError) error = NULL;
  FtcBackend *be;
  int n;
  GemmShape *shapes;
  double peak = 0.0;
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  if (!ftc_cli_parse (NAME " gemm", NULL, "GEMM speed on GPT-2's shapes (default: 124M at B*T = 256)", entries, &argc, &argv))
    return FTC_EXIT_USAGE;
  if (!preset_config (preset != NULL ? preset : "gpt2-124m", &config))
    return ftc_cli_usage_error (NAME, "unknown preset '%s': use gpt2-124m or small", preset);
  if (B <= 0 || T <= 0)
    return ftc_cli_usage_error (NAME, "--batch and --seq must be positive");
  be = open_device (device, &error);
  if (be == NULL)
    return ftc_cli_error (NAME, error);
  shapes = gpt2_shapes (B * T, config.channels, config.vocab_size, &n);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "device");
  json_builder_add_string_value (builder, ftc_backend_device (be)->name);
  json_builder_set_member_name (builder, "shapes");
  json_builder_begin_array (builder);
  if (!json)
    g_print ("device: %s (%s)\n%-16s %6s %6s %6s %9s\n", ftc_backend_device (be)->name,
             ftc_backend_device (be)->spec, "gemm", "M", "N", "K", "GFLOP/s");
  for (int i = 0; i < n; i++)
    {
      double g;
      if (!time_gemm (be, &shapes[i], 3, &g, &error))
        {
          free_shapes (shapes, n);
          ftc_backend_free (be);
          return ftc_cli_error (NAME, error);
        }
      peak = MAX (peak, g);
      if (!json)
        g_print ("%-16s %6d %6d %6d %9.1f\n", shapes[i].name, shapes[i].M, shapes[i].N, shapes[i].K, g);
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, shapes[i].name);
      json_builder_set_member_name (builder, "m");
      json_builder_add_int_value (builder, shapes[i].M);
      json_builder_set_member_name (builder, "n");
      json_builder_add_int_value (builder, shapes[i].N);
      json_builder_set_member_name (builder, "k");
      json_builder_add_int_value (builder, shapes[i].K);
      json_builder_set_member_name (builder, "gflops");
      json_builder_add_double_value (builder, g);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "peak_gflops");
  json_builder_add_double_value (builder, peak);
  json_builder_end_object (builder);
  if (json)
    {
      g_autoptr (JsonNode) root = json_builder_get_root (builder);
      ftc_cli_print_json (root);
    }
  else
    g_print ("peak: %.1f GFLOP/s\n", peak);
  free_shapes (shapes, n);
  ftc_backend_free (be);
  return FTC_EXIT_OK;
}

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static int
bench_train (int argc, char **argv)
{
  g_autofree char *device = NULL, *preset = NULL;
  int B = 4, T = 64, steps = 5;
  gboolean json = FALSE, profile = FALSE;
  GOptionEntry entries[] = {
    { "preset", 'p', 0, G_OPTION_ARG_STRING, &preset, "Model: small (L=4, H=4, C=256, V=512), gpt2-124m, or the LLaMA-family shapes smollm2-135m, qwen2.5-0.5b, qwen3-0.6b, llama3.2-1b (random weights)", "NAME" },
    { "profile", 0, 0, G_OPTION_ARG_NONE, &profile, "opencl devices: print the device time per kernel and per GEMM shape of the timed steps (slows them down)", NULL },
    { "batch", 'b', 0, G_OPTION_ARG_INT, &B, "Batch size (default 4)", "B" },
    { "seq", 't', 0, G_OPTION_ARG_INT, &T, "Sequence length (default 64)", "T" },
    { "steps", 's', 0, G_OPTION_ARG_INT, &steps, "Timed steps after one warm-up step (default 5)", "N" },
    { "device", 'd', 0, G_OPTION_ARG_STRING, &device, "Device: cpu, cpu:naive, opencl:N (default: $FTCOT_DEVICE, else the first GPU, else cpu)", "D" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print one JSON object", NULL },
    { NULL }
  };
  g_autoptr (GError) error = NULL;
  FtcGpt2Config config;
  FtcModelConfig mc;
  FtcLlamaSpec llama;
  FtcBackend *be;
  FtcModel *model = NULL;
  FtcStatus status;
  int C, V, maxT;
  double peak = 0.0;
  const FtcAdamWConfig opt = { 1e-4f, 0.9f, 0.999f, 1e-8f, 0.1f, 1.0f };
  char err[256];

  if (!ftc_cli_parse (NAME " train", NULL, "Time full training steps of a random model", entries, &argc, &argv))
    return FTC_EXIT_USAGE;
  if (ftc_model_llama_shape_lookup (preset, &llama))
    mc = ftc_model_config_llama (&llama.config);
  else if (preset_config (preset, &config))
    mc = ftc_model_config_gpt2 (&config);
  else
    {
      g_autofree char *names = g_strjoinv (", ", (char **) ftc_model_llama_shape_names ());
      return ftc_cli_usage_error (NAME, "unknown preset '%s': use small, gpt2-124m, %s", preset, names);
    }
  C = mc.family == FTC_MODEL_GPT2 ? mc.gpt2.channels : mc.llama.channels;
  V = mc.family == FTC_MODEL_GPT2 ? mc.gpt2.vocab_size : mc.llama.vocab_size;
  maxT = mc.family == FTC_MODEL_GPT2 ? mc.gpt2.max_seq_len : mc.llama.max_seq_len;
  if (B <= 0 || T <= 0 || steps <= 0)
    return ftc_cli_usage_error (NAME, "--batch, --seq and --steps must be positive");
  if (T > maxT)
    return ftc_cli_usage_error (NAME, "--seq %d is beyond the model's context of %d", T, maxT);
  if (ftc_model_config_validate (&mc, err, sizeof err) != FTC_OK)
    return ftc_cli_usage_error (NAME, "%s", err);

  /* the opencl backend reads this when it opens its queue */
  if (profile)
    g_setenv ("FTCOT_CL_PROFILE", "1", TRUE);
  be = open_device (device, &error);
  if (be == NULL)
    return ftc_cli_error (NAME, error);
  if (profile && !ftc_opencl_profiling (be))
    {
      g_autofree char *spec = g_strdup (ftc_backend_device (be)->spec);

      ftc_backend_free (be);
      return ftc_cli_usage_error (NAME, "--profile needs an opencl device (got %s)", spec);
    }
  if (!measure_peak (be, B * T, C, V, &peak, &error))
    {
      ftc_backend_free (be);
      return ftc_cli_error (NAME, error);
    }

  size_t BT = (size_t) B * T;
  g_autofree int32_t *inputs = g_new (int32_t, BT), *targets = g_new (int32_t, BT);
  g_autofree float *weights = g_new (float, BT);
  g_autoptr (GRand) rng = g_rand_new_with_seed (1);
  for (size_t i = 0; i < BT; i++)
    {
      inputs[i] = g_rand_int_range (rng, 0, V);
      targets[i] = g_rand_int_range (rng, 0, V);
      weights[i] = 1.0f / BT;
    }

  g_autofree double *times = g_new0 (double, steps), *cpu_times = g_new0 (double, steps);
  float loss = 0.0f;
  status = ftc_model_new (be, &mc, &model);
  if (status == FTC_OK)
    status = ftc_model_init_random (model, 1);
  for (int step = 0; step <= steps && status == FTC_OK; step++)
    {
      gint64 start = g_get_monotonic_time ();
      double cpu_start = cpu_seconds ();
      status = ftc_model_zero_grad (model);
      if (status == FTC_OK)
        status = ftc_model_forward (model, inputs, targets, weights, B, T, &loss);
      if (status == FTC_OK)
        status = ftc_model_backward (model);
      if (status == FTC_OK)
        status = ftc_model_update (model, &opt, step + 1, NULL);
      if (status == FTC_OK)
        status = ftc_backend_finish (be);
      if (step > 0)   /* step 0 allocates and warms up */
        {
          times[step - 1] = (g_get_monotonic_time () - start) / 1e6;
          cpu_times[step - 1] = cpu_seconds () - cpu_start;
        }
      else if (profile)
        ftc_opencl_profile_reset (be);
    }
  if (status != FTC_OK)
    {
      g_set_error (&error, G_IO_ERROR, G_IO_ERROR_FAILED, "training step failed: %s", ftc_backend_last_error (be));
      ftc_model_free (model);
      ftc_backend_free (be);
      return ftc_cli_error (NAME, error);
    }

  /* model FLOPs per step: forward 2 per multiply-add, backward twice the forward. Per token: the
   * linear layers (GPT-2: 24 C^2 per layer), attention 4 T times its width per layer (the full T x T
   * products), LM head 2 C V */
  double flops;
  if (mc.family == FTC_MODEL_GPT2)
    {
      double Cd = C, L = config.num_layers, Vd = V;
      flops = 3.0 * BT * (L * (24.0 * Cd * Cd + 4.0 * T * Cd) + 2.0 * Cd * Vd);
    }
  else
    {
      const FtcLlamaConfig *lc = &mc.llama;
      double Cd = C, L = lc->num_layers, Vd = V, AD = (double) lc->num_heads * lc->head_dim;
      double QKV = (double) (lc->num_heads + 2 * lc->num_kv_heads) * lc->head_dim, F = lc->intermediate;
      flops = 3.0 * BT * (L * (2.0 * (Cd * QKV + AD * Cd + 3.0 * Cd * F) + 4.0 * T * AD) + 2.0 * Cd * Vd);
    }
  /* the median step: robust to a step that another process on the machine slowed down */
  qsort (times, steps, sizeof (double), compare_doubles);
  double seconds = steps % 2 ? times[steps / 2] : 0.5 * (times[steps / 2 - 1] + times[steps / 2]);
  /* CPU time (all threads, spinning included) depends less on what else the machine runs */
  qsort (cpu_times, steps, sizeof (double), compare_doubles);
  double cpu = steps % 2 ? cpu_times[steps / 2] : 0.5 * (cpu_times[steps / 2 - 1] + cpu_times[steps / 2]);
  double gflops = flops / seconds / 1e9;
  double mfu = peak > 0 ? gflops / peak : 0.0;
  double rss = peak_rss_mb ();

  if (json)
    {
      g_autoptr (JsonBuilder) builder = json_builder_new ();
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "device");
      json_builder_add_string_value (builder, ftc_backend_device (be)->name);
      json_builder_set_member_name (builder, "preset");
      json_builder_add_string_value (builder, preset != NULL ? preset : "small");
      json_builder_set_member_name (builder, "batch");
      json_builder_add_int_value (builder, B);
      json_builder_set_member_name (builder, "seq");
      json_builder_add_int_value (builder, T);
      json_builder_set_member_name (builder, "params");
      json_builder_add_int_value (builder, (gint64) ftc_model_num_params (model));
      json_builder_set_member_name (builder, "steps");
      json_builder_add_int_value (builder, steps);
      json_builder_set_member_name (builder, "loss");
      json_builder_add_double_value (builder, loss);
      json_builder_set_member_name (builder, "ms_per_step");
      json_builder_add_double_value (builder, seconds * 1e3);
      json_builder_set_member_name (builder, "cpu_ms_per_step");
      json_builder_add_double_value (builder, cpu * 1e3);
      json_builder_set_member_name (builder, "tokens_per_s");
      json_builder_add_double_value (builder, BT / seconds);
      json_builder_set_member_name (builder, "gflops");
      json_builder_add_double_value (builder, gflops);
      json_builder_set_member_name (builder, "peak_gflops");
      json_builder_add_double_value (builder, peak);
      json_builder_set_member_name (builder, "mfu");
      json_builder_add_double_value (builder, mfu);
      json_builder_set_member_name (builder, "peak_rss_mb");
      json_builder_add_double_value (builder, rss);
      json_builder_end_object (builder);
      g_autoptr (JsonNode) root = json_builder_get_root (builder);
      ftc_cli_print_json (root);
    }
  else
    {
      g_print ("device: %s (%s)\n", ftc_backend_device (be)->name, ftc_backend_device (be)->spec);
      g_print ("model: %s, %zu parameters; batch %d x %d tokens; %d timed steps\n",
               preset != NULL ? preset : "small", ftc_model_num_params (model), B, T, steps);
      g_print ("%.1f ms/step, %.0f tokens/s, %.1f GFLOP/s, MFU %.1f%% of the measured GEMM peak %.1f GFLOP/s\n",
               seconds * 1e3, BT / seconds, gflops, 100.0 * mfu, peak);
      g_print ("CPU time %.1f ms/step (all threads); peak resident memory: %.0f MiB\n", cpu * 1e3, rss);
    }
  if (profile)
    {
      char report[16384];

      ftc_opencl_profile_report (be, report, sizeof report);
      /* after the JSON object when --json, on stderr, so that stdout stays one object */
      (json ? g_printerr : g_print) ("device time over %d timed steps (divide by %d for one step):\n%s",
                                     steps, steps, report);
    }
  ftc_model_free (model);
  ftc_backend_free (be);
  return FTC_EXIT_OK;
}

int
ftc_cmd_bench (int argc, char **argv)
{
  if (argc >= 2 && strcmp (argv[1], "gemm") == 0)
    return bench_gemm (argc - 1, argv + 1);
  if (argc >= 2 && strcmp (argv[1], "train") == 0)
    return bench_train (argc - 1, argv + 1);
  if (argc >= 2 && (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0))
    {
      g_print ("Usage: ftcot bench gemm [--preset gpt2-124m|small] [--batch B] [--seq T] [--device D] [--json]\n"
               "       ftcot bench train --preset gpt2-124m|small --batch B --seq T [--device D] [--steps N] [--json] [--profile]\n");
      return FTC_EXIT_OK;
    }
  return ftc_cli_usage_error (NAME, "say what to measure: 'gemm' or 'train'");
}
