/* ftcot tune: finds CLBlast GEMM parameters for an OpenCL device by timing real GEMMs of GPT-2 training
 * shapes, and saves the best set for that device and driver, which the engine applies at start-up. */
#include <stdio.h>

#include "app/ftc-cli.h"
#include "compute/ftc-backend.h"
#include "compute/backends/opencl/ftc-opencl.h"

#define MAX_SHAPES 16

typedef struct {
  gboolean quiet;
} TuneProgress;

static void
on_candidate (void *user_data, int index, int total, const FtcClGemmParams *p, double gflops, FtcStatus status)
{
  TuneProgress *progress = user_data;

  if (progress->quiet)
    return;
  if (status == FTC_OK)
    g_printerr ("[%2d/%d] MWG=%d NWG=%d KWG=%d MDIMC=%d NDIMC=%d VWM=%d VWN=%d SA=%d SB=%d min-indirect=%d: "
                "%.1f GFLOP/s\n", index + 1, total, p->MWG, p->NWG, p->KWG, p->MDIMC, p->NDIMC, p->VWM, p->VWN,
                p->SA, p->SB, p->min_indirect_size, gflops);
  else
    g_printerr ("[%2d/%d] MWG=%d NWG=%d KWG=%d MDIMC=%d NDIMC=%d VWM=%d VWN=%d SA=%d SB=%d: failed (%s)\n",
                index + 1, total, p->MWG, p->NWG, p->KWG, p->MDIMC, p->NDIMC, p->VWM, p->VWN, p->SA, p->SB,
                ftc_status_name (status));
}

static void
add_params (JsonBuilder *b, const FtcClGemmParams *p)
{
  FtcClGemmParams copy = *p;

  json_builder_begin_object (b);
  for (int i = 0; i < FTC_CL_XGEMM_N_PARAMS; i++)
    {
      json_builder_set_member_name (b, ftc_cl_xgemm_param_names[i]);
      json_builder_add_int_value (b, *ftc_cl_gemm_params_field (&copy, i));
    }
  json_builder_set_member_name (b, "XGEMM_MIN_INDIRECT_SIZE");
  json_builder_add_int_value (b, p->min_indirect_size);
  json_builder_end_object (b);
}

int
ftc_cmd_tune (int argc, char **argv)
{
  g_autofree char *device = NULL;
  gboolean quick = FALSE, json = FALSE, no_save = FALSE;
  int rows = 1024, channels = 256;
  GOptionEntry entries[] = {
    { "device", 0, 0, G_OPTION_ARG_STRING, &device, "The OpenCL device (default: the first one)", "opencl:N" },
    { "quick", 0, 0, G_OPTION_ARG_NONE, &quick, "Search a small grid (about a minute on a laptop CPU)", NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print the result as one JSON object", NULL },
    { "rows", 0, 0, G_OPTION_ARG_INT, &rows, "Tokens per GEMM (batch x sequence) to time (default 1024)", "N" },
    { "width", 0, 0, G_OPTION_ARG_INT, &channels, "Model width C of the timed shapes (default 256)", "C" },
    { "no-save", 0, 0, G_OPTION_ARG_NONE, &no_save, "Measure and print, but do not save", NULL },
    { NULL }
  };
  FtcClGemmShape shapes[MAX_SHAPES];
  FtcClGemmParams builtin_params, best;
  const FtcClGemmParams *builtin;
  FtcBackend *be = NULL;
  FtcStatus st;
  TuneProgress progress = { FALSE };
  const FtcDeviceInfo *info;
  double default_gf = 0, builtin_gf = 0, best_gf = 0;
  char err[4096], path[1200] = "";
  int n_shapes;

  if (!ftc_cli_parse ("tune", "", "Tune CLBlast's GEMM for an OpenCL device and save the best parameters.",
                      entries, &argc, &argv))
    return FTC_EXIT_USAGE;
  if (argc > 1)
    return ftc_cli_usage_error ("tune", "unexpected argument '%s'", argv[1]);
  if (rows < 16 || rows > 65536 || channels < 16 || channels > 8192 || channels % 4 != 0)
    return ftc_cli_usage_error ("tune", "--rows must lie in 16..65536 and --width in 16..8192 (a multiple of 4)");
  if (device == NULL)
    device = g_strdup ("opencl");
  if (!g_str_has_prefix (device, "opencl"))
    return ftc_cli_usage_error ("tune", "--device must be an OpenCL device (opencl:N), got '%s'", device);

  /* measure CLBlast's own defaults first: open without applying any saved or built-in set */
  ftc_opencl_set_tuning_enabled (0);
  st = ftc_backend_open (device, &be, err, sizeof err);
  ftc_opencl_set_tuning_enabled (1);
  if (st != FTC_OK)
    {
      g_printerr ("ftcot tune: %s\n", err);
      return FTC_EXIT_FAILURE;
    }
  info = ftc_backend_device (be);
  progress.quiet = json;
  n_shapes = ftc_opencl_gemm_shapes_gpt2 (shapes, MAX_SHAPES, rows, channels, 512, 128);
  if (!json)
    g_printerr ("Tuning CLBlast GEMM on %s (%s, %s, driver %s), %d shapes of GPT-2 training at %d tokens, "
                "width %d\n", info->spec, info->name, info->platform, info->driver_version, n_shapes, rows,
                channels);

  st = ftc_opencl_gemm_measure (be, shapes, n_shapes, 2, &default_gf);
  if (st == FTC_OK && !json)
    g_printerr ("CLBlast defaults: %.1f GFLOP/s\n", default_gf);
  builtin = ftc_cl_gemm_params_builtin (info);
  if (st == FTC_OK && builtin != NULL)
    {
      builtin_params = *builtin;
      st = ftc_opencl_set_gemm_params (be, &builtin_params);
      if (st == FTC_OK)
        st = ftc_opencl_gemm_measure (be, shapes, n_shapes, 2, &builtin_gf);
      if (st == FTC_OK && !json)
        g_printerr ("built-in set: %.1f GFLOP/s\n", builtin_gf);
    }
  if (st == FTC_OK)
    st = ftc_opencl_tune_gemm (be, shapes, n_shapes, quick, on_candidate, &progress, &best, &best_gf);
  if (st != FTC_OK)
    {
      g_printerr ("ftcot tune: %s\n", ftc_backend_last_error (be));
      ftc_backend_free (be);
      return FTC_EXIT_FAILURE;
    }
  if (!no_save)
    {
      st = ftc_cl_gemm_tuning_save (info, &best, best_gf, err, sizeof err);
      if (st != FTC_OK)
        {
          g_printerr ("ftcot tune: %s\n", err);
          ftc_backend_free (be);
          return FTC_EXIT_FAILURE;
        }
      ftc_cl_gemm_tuning_path (info, path, sizeof path);
    }

  if (json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      g_autoptr (JsonNode) root = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "device");
      json_builder_add_string_value (b, info->spec);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, info->name);
      json_builder_set_member_name (b, "driver_version");
      json_builder_add_string_value (b, info->driver_version);
      json_builder_set_member_name (b, "default_gflops");
      json_builder_add_double_value (b, default_gf);
      if (builtin != NULL)
        {
          json_builder_set_member_name (b, "builtin_gflops");
          json_builder_add_double_value (b, builtin_gf);
        }
      json_builder_set_member_name (b, "tuned_gflops");
      json_builder_add_double_value (b, best_gf);
      json_builder_set_member_name (b, "params");
      add_params (b, &best);
      json_builder_set_member_name (b, "saved_to");
      if (path[0] != '\0')
        json_builder_add_string_value (b, path);
      else
        json_builder_add_null_value (b);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      ftc_cli_print_json (root);
    }
  else
    {
      g_print ("device %s (%s)\n", info->spec, info->name);
      g_print ("CLBlast defaults %.1f GFLOP/s", default_gf);
      if (builtin != NULL)
        g_print (", built-in set %.1f GFLOP/s", builtin_gf);
      g_print (", tuned %.1f GFLOP/s\n", best_gf);
      g_print ("best: MWG=%d NWG=%d KWG=%d KWI=%d MDIMC=%d NDIMC=%d MDIMA=%d NDIMB=%d VWM=%d VWN=%d SA=%d SB=%d "
               "XGEMM_MIN_INDIRECT_SIZE=%d\n", best.MWG, best.NWG, best.KWG, best.KWI, best.MDIMC, best.NDIMC,
               best.MDIMA, best.NDIMB, best.VWM, best.VWN, best.SA, best.SB, best.min_indirect_size);
      if (path[0] != '\0')
        g_print ("saved to %s\n", path);
    }
  ftc_backend_free (be);
  return FTC_EXIT_OK;
}
