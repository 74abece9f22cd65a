/* test-safetensors: round trips, a file written by PyTorch (F32, F16, BF16), and every kind of bad header. */
#include <math.h>
#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "core/ftc-error.h"
#include "core/students/ftc-safetensors.h"
#include "tests/ftc-test-util.h"

static char *
data_path (const char *name)
{
  const char *root = g_getenv ("FTCOT_SOURCE_ROOT");
  return g_build_filename (root != NULL ? root : ".", "tests", "data", name, NULL);
}

/* A file made of a header (as given) and data_len bytes of data. */
static GBytes *
make_file (const char *header, gsize data_len)
{
  gsize hl = strlen (header);
  guint8 *buf = g_malloc0 (8 + hl + data_len);
  guint64 le = GUINT64_TO_LE ((guint64) hl);

  memcpy (buf, &le, 8);
  memcpy (buf + 8, header, hl);
  for (gsize i = 0; i < data_len; i++)
    buf[8 + hl + i] = (guint8) (i * 7 + 1);
  return g_bytes_new_take (buf, 8 + hl + data_len);
}

static void
assert_rejects (GBytes *file, const char *needle)
{
  g_autoptr (GError) error = NULL;
  gsize len;
  const guint8 *data = g_bytes_get_data (file, &len);
  g_autoptr (FtcSafetensors) st = ftc_safetensors_open_data (data, len, "bad.safetensors", &error);

  g_assert_null (st);
  g_assert_nonnull (error);
  g_assert_true (error->domain == FTC_ERROR);
  if (strstr (error->message, needle) == NULL || strstr (error->message, "bad.safetensors") == NULL)
    g_error ("error \"%s\" should name the file and say \"%s\"", error->message, needle);
}

static void
test_round_trip (void)
{
  g_autofree char *dir = ftc_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "model.safetensors", NULL);
  g_autoptr (FtcSafetensorsWriter) w = ftc_safetensors_writer_new ();
  g_autoptr (FtcSafetensors) st = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GRand) rand = g_rand_new_with_seed (42);
  float a[6], b[7 * 3 * 2], c[1];
  gint64 sa[] = { 2, 3 }, sb[] = { 7, 3, 2 };
  g_autofree char *contents = NULL;
  gsize len;
  guint64 header_len;

  for (gsize i = 0; i < G_N_ELEMENTS (a); i++)
    a[i] = g_rand_double_range (rand, -2, 2);
  for (gsize i = 0; i < G_N_ELEMENTS (b); i++)
    b[i] = g_rand_double_range (rand, -1e3, 1e3);
  c[0] = -0.125f;
  ftc_safetensors_writer_add (w, "z.weight", a, 2, sa);
  ftc_safetensors_writer_add (w, "a.bias", b, 3, sb);
  ftc_safetensors_writer_add (w, "scalar", c, 0, NULL);
  ftc_safetensors_writer_set_metadata (w, "format", "pt");
  /* an older file is replaced whole */
  g_assert_true (g_file_set_contents (path, "old", 3, NULL));
  g_assert_true (ftc_safetensors_writer_write (w, path, &error));
  g_assert_no_error (error);

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  memcpy (&header_len, contents, 8);
  header_len = GUINT64_FROM_LE (header_len);
  g_assert_cmpuint (header_len % 8, ==, 0);
  g_assert_cmpuint (len, ==, 8 + header_len + 4 * (6 + 42 + 1));
  {
    /* nothing else left in the folder (no temporary file) */
    g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
    const char *name;
    int n = 0;
    while ((name = g_dir_read_name (d)) != NULL)
      n++;
    g_assert_cmpint (n, ==, 1);
  }

  st = ftc_safetensors_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ftc_safetensors_n_tensors (st), ==, 3);
  g_assert_cmpstr (ftc_safetensors_metadata (st, "format"), ==, "pt");
  g_assert_null (ftc_safetensors_metadata (st, "other"));
  g_assert_null (ftc_safetensors_lookup (st, "missing"));
  {
    const FtcSafetensorsTensor *t = ftc_safetensors_lookup (st, "a.bias");
    float back[42];
    g_assert_nonnull (t);
    g_assert_cmpint (t->ndim, ==, 3);
    g_assert_cmpint (t->shape[0], ==, 7);
    g_assert_cmpint (t->shape[2], ==, 2);
    g_assert_true (ftc_safetensors_read_f32 (st, t, back, 42, &error));
    g_assert_cmpmem (back, sizeof back, b, sizeof b);
    /* wrong element count */
    g_assert_false (ftc_safetensors_read_f32 (st, t, back, 41, &error));
    g_assert_nonnull (strstr (error->message, "a.bias"));
    g_clear_error (&error);
  }
  {
    const FtcSafetensorsTensor *t = ftc_safetensors_lookup (st, "z.weight");
    float back[6];
    g_assert_true (ftc_safetensors_read_f32 (st, t, back, 6, &error));
    g_assert_cmpmem (back, sizeof back, a, sizeof a);
    t = ftc_safetensors_lookup (st, "scalar");
    g_assert_cmpint (t->ndim, ==, 0);
    g_assert_cmpuint (t->numel, ==, 1);
    g_assert_true (ftc_safetensors_read_f32 (st, t, back, 1, &error));
    g_assert_cmpfloat (back[0], ==, -0.125f);
  }
  /* data order: tensors sorted by offset, the writer lays them out in name order */
  g_assert_cmpstr (ftc_safetensors_tensor (st, 0)->name, ==, "a.bias");

  /* a folder that does not exist: an error, no file */
  {
    g_autofree char *bad = g_build_filename (dir, "no", "such", "x.safetensors", NULL);
    g_assert_false (ftc_safetensors_writer_write (w, bad, &error));
    g_assert_error (error, FTC_ERROR, FTC_ERROR_FAILED);
    g_assert_nonnull (strstr (error->message, "x.safetensors"));
  }
}

/* The file PyTorch wrote (tests/make-safetensors-data.py): F16 and BF16 convert exactly as torch does. */
static void
test_python_file (void)
{
  g_autofree char *path = data_path ("st-python.safetensors");
  g_autofree char *expected_path = data_path ("st-python.json");
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcSafetensors) st = ftc_safetensors_open (path, &error);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GList) names = NULL;
  JsonObject *expected;
  guint n_half = 0;

  g_assert_no_error (error);
  g_assert_true (json_parser_load_from_file (parser, expected_path, &error));
  expected = json_node_get_object (json_parser_get_root (parser));
  names = json_object_get_members (expected);
  g_assert_cmpuint (ftc_safetensors_n_tensors (st), ==, g_list_length (names));
  g_assert_cmpstr (ftc_safetensors_metadata (st, "format"), ==, "pt");
  for (GList *l = names; l != NULL; l = l->next)
    {
      JsonObject *e = json_object_get_object_member (expected, l->data);
      JsonArray *shape = json_object_get_array_member (e, "shape");
      JsonArray *bits = json_object_get_array_member (e, "bits");
      const FtcSafetensorsTensor *t = ftc_safetensors_lookup (st, l->data);
      g_autofree float *values = NULL;

      g_assert_nonnull (t);
      g_assert_cmpint (t->ndim, ==, json_array_get_length (shape));
      for (int d = 0; d < t->ndim; d++)
        g_assert_cmpint (t->shape[d], ==, json_array_get_int_element (shape, d));
      if (t->dtype != FTC_DTYPE_F32)
        n_half++;
      g_assert_cmpuint (t->numel, ==, json_array_get_length (bits));
      values = g_new (float, t->numel);
      g_assert_true (ftc_safetensors_read_f32 (st, t, values, t->numel, &error));
      for (guint i = 0; i < t->numel; i++)
        {
          guint32 got;
          memcpy (&got, &values[i], 4);
          if (got != (guint32) json_array_get_int_element (bits, i))
            g_error ("%s[%u]: %g (0x%08x), torch says 0x%08x", (char *) l->data, i, values[i], got,
                     (guint32) json_array_get_int_element (bits, i));
        }
    }
  g_assert_cmpuint (n_half, ==, 4);
}

static void
test_half_conversion (void)
{
  g_assert_cmpfloat (ftc_f16_to_f32 (0x3c00), ==, 1.0f);
  g_assert_cmpfloat (ftc_f16_to_f32 (0xc000), ==, -2.0f);
  g_assert_cmpfloat (ftc_f16_to_f32 (0x7bff), ==, 65504.0f);
  g_assert_cmpfloat (ftc_f16_to_f32 (0x0001), ==, 5.9604644775390625e-8f);
  g_assert_cmpfloat (ftc_f16_to_f32 (0x03ff), ==, 6.09755516052246094e-5f);
  g_assert_true (isinf (ftc_f16_to_f32 (0xfc00)) && ftc_f16_to_f32 (0xfc00) < 0);
  g_assert_true (isnan (ftc_f16_to_f32 (0x7e00)));
  g_assert_cmpfloat (ftc_bf16_to_f32 (0x3f80), ==, 1.0f);
  g_assert_cmpfloat (ftc_bf16_to_f32 (0xc049), ==, -3.140625f);
}

static void
test_truncated (void)
{
  g_autofree char *path = data_path ("st-python.safetensors");
  g_autofree char *contents = NULL;
  gsize len;
  guint64 header_len;

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  memcpy (&header_len, contents, 8);
  header_len = GUINT64_FROM_LE (header_len);
  /* every cut: inside the length, inside the header, inside the data */
  for (gsize cut = 0; cut < len; cut++)
    {
      g_autoptr (GBytes) b = g_bytes_new (contents, cut);
      const char *needle = cut < 8 ? "too short" : cut < 8 + header_len ? "header length" : "past the";
      assert_rejects (b, needle);
    }
}

static void
test_bad_headers (void)
{
  struct { const char *header; gsize data; const char *needle; } cases[] = {
    { "{\"w\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}}", 4, "past the 4 bytes" },
    { "{\"w\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]},"
      " \"v\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [4, 12]}}", 12, "overlap" },
    { "{\"w\": {\"dtype\": \"I64\", \"shape\": [2], \"data_offsets\": [0, 8]}}", 8, "make 16 bytes" },
    { "{\"w\": {\"dtype\": \"Q4_K\", \"shape\": [1], \"data_offsets\": [0, 8]}}", 8, "unknown dtype" },
    { "{\"w\": {\"dtype\": \"F32\", \"shape\": [3], \"data_offsets\": [0, 8]}}", 8, "make 12 bytes" },
    { "{\"w\": {\"dtype\": \"F16\", \"shape\": [2, 2], \"data_offsets\": [0, 4]}}", 8, "make 8 bytes" },
    { "{\"w\": {\"dtype\": \"F32\", \"shape\": [-1], \"data_offsets\": [0, 4]}}", 8, "shape[0]" },
    { "{\"w\": {\"dtype\": \"F32\", \"shape\": [4294967296, 4294967296], \"data_offsets\": [0, 0]}}", 8,
      "more elements" },
    { "{\"w\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [8, 4]}}", 8, "end before" },
    { "{\"w\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0]}}", 8, "data_offsets" },
    { "{\"w\": {\"dtype\": \"F32\", \"shape\": [1,1,1,1,1,1,1,1,1], \"data_offsets\": [0, 4]}}", 8, "dimensions" },
    { "{\"w\": {\"shape\": [1], \"data_offsets\": [0, 4]}}", 8, "dtype" },
    { "{\"w\": 3}", 0, "not an object" },
    { "{\"__metadata__\": {\"format\": 1}}", 0, "__metadata__.format" },
    { "[1, 2]", 0, "not a JSON object" },
    { "{\"w\": ", 0, "header" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GBytes) b = make_file (cases[i].header, cases[i].data);
      assert_rejects (b, cases[i].needle);
    }
  /* a header length far beyond the file, and one just past it */
  {
    guint8 buf[16] = { 0 };
    guint64 le = GUINT64_TO_LE (G_GUINT64_CONSTANT (1) << 62);
    g_autoptr (GBytes) huge = NULL, over = NULL;
    memcpy (buf, &le, 8);
    huge = g_bytes_new (buf, sizeof buf);
    assert_rejects (huge, "header length");
    le = GUINT64_TO_LE (9);
    memcpy (buf, &le, 8);
    memcpy (buf + 8, "{}      ", 8);
    over = g_bytes_new (buf, sizeof buf);
    assert_rejects (over, "header length 9");
  }
  /* invalid UTF-8 in the header */
  {
    g_autoptr (GBytes) b = make_file ("{\"w\xff\": 1}", 0);
    assert_rejects (b, "UTF-8");
  }
  /* valid corner cases: empty tensors at the same offset, an empty header object, holes */
  {
    g_autoptr (GBytes) b = make_file ("{\"e\": {\"dtype\": \"F32\", \"shape\": [0, 5], \"data_offsets\": [4, 4]},"
                                      " \"w\": {\"dtype\": \"BF16\", \"shape\": [2], \"data_offsets\": [0, 4]},"
                                      " \"f\": {\"dtype\": \"F32\", \"shape\": [], \"data_offsets\": [8, 12]}}", 12);
    g_autoptr (GBytes) empty = make_file ("{}", 0);
    g_autoptr (GError) error = NULL;
    gsize len;
    const guint8 *data = g_bytes_get_data (b, &len);
    g_autoptr (FtcSafetensors) st = ftc_safetensors_open_data (data, len, "ok", &error);
    g_autoptr (FtcSafetensors) st2 = NULL;
    g_assert_no_error (error);
    g_assert_cmpuint (ftc_safetensors_n_tensors (st), ==, 3);
    g_assert_cmpuint (ftc_safetensors_lookup (st, "e")->numel, ==, 0);
    data = g_bytes_get_data (empty, &len);
    st2 = ftc_safetensors_open_data (data, len, "empty", &error);
    g_assert_no_error (error);
    g_assert_cmpuint (ftc_safetensors_n_tensors (st2), ==, 0);
  }
  /* other dtypes of the format open (to be skipped) but do not read */
  {
    g_autoptr (GBytes) b = make_file ("{\"w\": {\"dtype\": \"I64\", \"shape\": [1], \"data_offsets\": [0, 8]}}", 8);
    g_autoptr (GError) error = NULL;
    gsize len;
    const guint8 *data = g_bytes_get_data (b, &len);
    g_autoptr (FtcSafetensors) st = ftc_safetensors_open_data (data, len, "int.safetensors", &error);
    float out[1];
    g_assert_no_error (error);
    g_assert_cmpint (ftc_safetensors_lookup (st, "w")->dtype, ==, FTC_DTYPE_UNSUPPORTED);
    g_assert_false (ftc_safetensors_read_f32 (st, ftc_safetensors_lookup (st, "w"), out, 1, &error));
    g_assert_nonnull (strstr (error->message, "I64 is not supported"));
    g_assert_nonnull (strstr (error->message, "int.safetensors"));
  }
  /* a missing file */
  {
    g_autoptr (GError) error = NULL;
    g_assert_null (ftc_safetensors_open ("/nonexistent/model.safetensors", &error));
    g_assert_error (error, FTC_ERROR, FTC_ERROR_NOT_FOUND);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/safetensors/round-trip", test_round_trip);
  g_test_add_func ("/safetensors/python-file", test_python_file);
  g_test_add_func ("/safetensors/half-conversion", test_half_conversion);
  g_test_add_func ("/safetensors/truncated", test_truncated);
  g_test_add_func ("/safetensors/bad-headers", test_bad_headers);
  return g_test_run ();
}
