/* ftcot devices: the compute devices this machine offers (cpu, then every OpenCL device), with memory. */
#include <stdio.h>

#include "app/ftc-cli.h"
#include "core/ftc-devices.h"

static const char *
kind_name (const FtcDeviceInfo *d)
{
  if (d->kind == FTC_DEVICE_CPU)
    return "cpu";
  return d->is_gpu ? "gpu" : "other";  /* a CPU or accelerator driver such as PoCL */
}

int
ftc_cmd_devices (int argc, char **argv)
{
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print one JSON object per device in an array", NULL },
    { NULL }
  };
  g_autoptr (FtcDevices) list = NULL;
  const char *default_spec;
  guint n;

  if (!ftc_cli_parse ("devices", "", "List the compute devices (cpu and every OpenCL device) with their memory.",
                      entries, &argc, &argv))
    return FTC_EXIT_USAGE;
  if (argc > 1)
    return ftc_cli_usage_error ("devices", "unexpected argument '%s'", argv[1]);
  list = ftc_devices_enumerate ();
  n = list->n_devices;
  default_spec = list->default_spec;

  if (json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      g_autoptr (JsonNode) root = NULL;

      json_builder_begin_array (b);
      for (guint i = 0; i < n; i++)
        {
          const FtcDeviceInfo *d = &list->devices[i];

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "spec");
          json_builder_add_string_value (b, d->spec);
          json_builder_set_member_name (b, "name");
          json_builder_add_string_value (b, d->name);
          json_builder_set_member_name (b, "vendor");
          json_builder_add_string_value (b, d->vendor);
          json_builder_set_member_name (b, "platform");
          json_builder_add_string_value (b, d->platform);
          json_builder_set_member_name (b, "driver_version");
          json_builder_add_string_value (b, d->driver_version);
          json_builder_set_member_name (b, "type");
          json_builder_add_string_value (b, kind_name (d));
          json_builder_set_member_name (b, "compute_units");
          json_builder_add_int_value (b, d->compute_units);
          json_builder_set_member_name (b, "global_mem_bytes");
          json_builder_add_int_value (b, (gint64) d->global_mem_bytes);
          json_builder_set_member_name (b, "max_alloc_bytes");
          json_builder_add_int_value (b, (gint64) d->max_alloc_bytes);
          json_builder_set_member_name (b, "default");
          json_builder_add_boolean_value (b, g_strcmp0 (d->spec, default_spec) == 0);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      root = json_builder_get_root (b);
      ftc_cli_print_json (root);
      return FTC_EXIT_OK;
    }

  for (guint i = 0; i < n; i++)
    {
      const FtcDeviceInfo *d = &list->devices[i];
      g_autofree char *mem = g_format_size_full (d->global_mem_bytes, G_FORMAT_SIZE_IEC_UNITS);
      g_autofree char *alloc = g_format_size_full (d->max_alloc_bytes, G_FORMAT_SIZE_IEC_UNITS);

      g_print ("%-10s %s%s\n", d->spec, d->name, g_strcmp0 (d->spec, default_spec) == 0 ? "  (default)" : "");
      if (d->kind == FTC_DEVICE_OPENCL)
        g_print ("           %s, %s, driver %s, vendor %s\n", kind_name (d), d->platform, d->driver_version,
                 d->vendor);
      g_print ("           %d compute units, memory %s, largest buffer %s\n", d->compute_units, mem, alloc);
    }
  return FTC_EXIT_OK;
}
