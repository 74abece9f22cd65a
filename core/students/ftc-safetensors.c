#include "core/students/ftc-safetensors.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include <glib/gstdio.h>
#ifdef G_OS_UNIX
#include <unistd.h>
#else
#include <io.h>
#endif
#include <json-glib/json-glib.h>

#include "core/ftc-error.h"
#include "core/ftc-json-in.h"
#include "core/ftc-json-out.h"
#include "core/ftc-read.h"

struct FtcSafetensors {
  char *what;
  GMappedFile *mapped;         /* NULL for borrowed data */
  const guint8 *data;          /* the data section */
  guint64 data_len;
  GArray *tensors;             /* FtcSafetensorsTensor, by begin offset */
  GHashTable *by_name;         /* name -> index + 1 */
  GHashTable *metadata;
  GStringChunk *names;
};

static const struct {
  const char *name;
  int size;
  int supported;
  FtcDtype dtype;
} dtypes[] = {
  { "F32", 4, 1, FTC_DTYPE_F32 }, { "F16", 2, 1, FTC_DTYPE_F16 }, { "BF16", 2, 1, FTC_DTYPE_BF16 },
#define OTHER FTC_DTYPE_UNSUPPORTED
  { "F64", 8, 0, OTHER }, { "I64", 8, 0, OTHER }, { "U64", 8, 0, OTHER }, { "I32", 4, 0, OTHER },
  { "U32", 4, 0, OTHER }, { "I16", 2, 0, OTHER }, { "U16", 2, 0, OTHER }, { "I8", 1, 0, OTHER },
  { "U8", 1, 0, OTHER }, { "BOOL", 1, 0, OTHER }, { "F8_E4M3", 1, 0, OTHER }, { "F8_E5M2", 1, 0, OTHER },
#undef OTHER
};


void
ftc_safetensors_free (FtcSafetensors *st)
{
  if (st == NULL)
    return;
  g_free (st->what);
  g_clear_pointer (&st->mapped, g_mapped_file_unref);
  g_clear_pointer (&st->tensors, g_array_unref);
  g_clear_pointer (&st->by_name, g_hash_table_unref);
  g_clear_pointer (&st->metadata, g_hash_table_unref);
  if (st->names != NULL)
    g_string_chunk_free (st->names);
  g_free (st);
}

static gboolean
fail (GError **error, const char *what, const char *tensor, const char *fmt, ...) G_GNUC_PRINTF (4, 5);

static gboolean
fail (GError **error, const char *what, const char *tensor, const char *fmt, ...)
{
  va_list args;
  g_autofree char *msg = NULL;

  va_start (args, fmt);
  msg = g_strdup_vprintf (fmt, args);
  va_end (args);
  if (tensor != NULL)
    g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: tensor \"%s\": %s", what, tensor, msg);
  else
    g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: %s", what, msg);
  return FALSE;
}

/* An exact non-negative integer JSON value. */
static gboolean
get_uint (JsonNode *node, guint64 *out)
{
  gint64 v;
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  v = json_node_get_int (node);
  if (v < 0)
    return FALSE;
  *out = v;
  return TRUE;
}

static gboolean
parse_tensor (FtcSafetensors *st, const char *name, JsonNode *node, GError **error)
{
  FtcSafetensorsTensor t = { 0 };
  JsonObject *o;
  JsonNode *dn, *sn, *on;
  JsonArray *shape, *offsets;
  const char *dtype;
  gsize d;
  guint64 bytes;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return fail (error, st->what, name, "not an object");
  o = json_node_get_object (node);
  dn = json_object_get_member (o, "dtype");
  sn = json_object_get_member (o, "shape");
  on = json_object_get_member (o, "data_offsets");
  if (dn == NULL || !JSON_NODE_HOLDS_VALUE (dn) || json_node_get_value_type (dn) != G_TYPE_STRING)
    return fail (error, st->what, name, "no dtype string");
  if (sn == NULL || !JSON_NODE_HOLDS_ARRAY (sn))
    return fail (error, st->what, name, "no shape array");
  if (on == NULL || !JSON_NODE_HOLDS_ARRAY (on))
    return fail (error, st->what, name, "no data_offsets array");
  dtype = json_node_get_string (dn);
  for (d = 0; d < G_N_ELEMENTS (dtypes); d++)
    if (strcmp (dtype, dtypes[d].name) == 0)
      break;
  if (d == G_N_ELEMENTS (dtypes))
    return fail (error, st->what, name, "unknown dtype \"%s\"", dtype);
  t.dtype = dtypes[d].dtype;
  t.dtype_name = dtypes[d].name;

  shape = json_node_get_array (sn);
  if (json_array_get_length (shape) > FTC_SAFETENSORS_MAX_DIMS)
    return fail (error, st->what, name, "%u dimensions (at most %d)", json_array_get_length (shape),
                 FTC_SAFETENSORS_MAX_DIMS);
  t.ndim = json_array_get_length (shape);
  t.numel = 1;
  for (int i = 0; i < t.ndim; i++)
    {
      guint64 dim;
      if (!get_uint (json_array_get_element (shape, i), &dim))
        return fail (error, st->what, name, "shape[%d] is not a non-negative integer", i);
      t.shape[i] = dim;
      /* 2^60 elements is past any file; the bound keeps numel * 8 from overflowing */
      if (dim != 0 && t.numel > (G_GUINT64_CONSTANT (1) << 60) / dim)
        return fail (error, st->what, name, "the shape holds more elements than any file");
      t.numel *= dim;
    }

  offsets = json_node_get_array (on);
  if (json_array_get_length (offsets) != 2 || !get_uint (json_array_get_element (offsets, 0), &t.begin)
      || !get_uint (json_array_get_element (offsets, 1), &t.end))
    return fail (error, st->what, name, "data_offsets is not [begin, end]");
  if (t.begin > t.end)
    return fail (error, st->what, name, "data_offsets [%" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT "] end before "
                 "they begin", t.begin, t.end);
  if (t.end > st->data_len)
    return fail (error, st->what, name, "data_offsets end at byte %" G_GUINT64_FORMAT ", past the %"
                 G_GUINT64_FORMAT " bytes of data in the file", t.end, st->data_len);
  bytes = t.numel * dtypes[d].size;
  if (bytes != t.end - t.begin)
    return fail (error, st->what, name, "shape and dtype %s make %" G_GUINT64_FORMAT " bytes, data_offsets "
                 "span %" G_GUINT64_FORMAT, dtype, bytes, t.end - t.begin);
  t.name = g_string_chunk_insert (st->names, name);
  g_array_append_val (st->tensors, t);
  return TRUE;
}

static int
compare_begin (gconstpointer a, gconstpointer b)
{
  const FtcSafetensorsTensor *x = a, *y = b;
  if (x->begin != y->begin)
    return x->begin < y->begin ? -1 : 1;
  return x->end < y->end ? -1 : x->end > y->end;
}

FtcSafetensors *
ftc_safetensors_open_data (const guint8 *data, gsize len, const char *what, GError **error)
{
  g_autoptr (FtcSafetensors) st = g_new0 (FtcSafetensors, 1);
  g_autoptr (GList) members = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *header_name = NULL;
  guint64 header_len;
  JsonObject *header;

  st->what = g_strdup (what);
  st->tensors = g_array_new (FALSE, FALSE, sizeof (FtcSafetensorsTensor));
  st->by_name = g_hash_table_new (g_str_hash, g_str_equal);
  st->metadata = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  st->names = g_string_chunk_new (1024);

  if (len < 8)
    {
      fail (error, what, NULL, "%" G_GSIZE_FORMAT " bytes: too short for a safetensors file", len);
      return NULL;
    }
  memcpy (&header_len, data, 8);
  header_len = GUINT64_FROM_LE (header_len);
  if (header_len > len - 8 || header_len > FTC_SAFETENSORS_MAX_HEADER)
    {
      fail (error, what, NULL, "header length %" G_GUINT64_FORMAT " does not fit the %" G_GSIZE_FORMAT
            "-byte file (truncated or not safetensors)", header_len, len);
      return NULL;
    }
  if (header_len < 2 || data[8] != '{')
    {
      fail (error, what, NULL, "the header is not a JSON object");
      return NULL;
    }
  st->data = data + 8 + header_len;
  st->data_len = len - 8 - header_len;
  if (!g_utf8_validate_len ((const char *) data + 8, header_len, NULL))
    {
      fail (error, what, NULL, "the header is not valid UTF-8");
      return NULL;
    }
  header_name = g_strconcat (what, ": header", NULL);
  root = ftc_json_parse ((const char *) data + 8, header_len, header_name, error);
  if (root == NULL)
    return NULL;
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      fail (error, what, NULL, "the header is not a JSON object");
      return NULL;
    }
  header = json_node_get_object (root);
  members = json_object_get_members (header);
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;
      JsonNode *node = json_object_get_member (header, name);
      if (strcmp (name, "__metadata__") == 0)
        {
          JsonObject *meta;
          g_autoptr (GList) keys = NULL;
          if (!JSON_NODE_HOLDS_OBJECT (node))
            {
              fail (error, what, NULL, "__metadata__ is not an object");
              return NULL;
            }
          meta = json_node_get_object (node);
          keys = json_object_get_members (meta);
          for (GList *k = keys; k != NULL; k = k->next)
            {
              JsonNode *v = json_object_get_member (meta, k->data);
              if (!JSON_NODE_HOLDS_VALUE (v) || json_node_get_value_type (v) != G_TYPE_STRING)
                {
                  fail (error, what, NULL, "__metadata__.%s is not a string", (const char *) k->data);
                  return NULL;
                }
              g_hash_table_insert (st->metadata, g_strdup (k->data), g_strdup (json_node_get_string (v)));
            }
          continue;
        }
      if (!parse_tensor (st, name, node, error))
        return NULL;
    }

  g_array_sort (st->tensors, compare_begin);
  for (guint i = 0; i < st->tensors->len; i++)
    {
      FtcSafetensorsTensor *t = &g_array_index (st->tensors, FtcSafetensorsTensor, i);
      if (i > 0)
        {
          FtcSafetensorsTensor *p = &g_array_index (st->tensors, FtcSafetensorsTensor, i - 1);
          /* empty tensors occupy no bytes and overlap nothing */
          if (t->begin < p->end && t->begin != t->end)
            {
              fail (error, what, t->name, "bytes [%" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT ") overlap tensor "
                    "\"%s\" [%" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT ")", t->begin, t->end, p->name, p->begin,
                    p->end);
              return NULL;
            }
        }
      g_hash_table_insert (st->by_name, (gpointer) t->name, GUINT_TO_POINTER (i + 1));
    }
  return g_steal_pointer (&st);
}

FtcSafetensors *
ftc_safetensors_open (const char *path, GError **error)
{
  GMappedFile *mapped = ftc_file_map (path, FTC_INPUT_WEIGHTS, error);
  FtcSafetensors *st;

  if (mapped == NULL)
    return NULL;
  st = ftc_safetensors_open_data ((const guint8 *) g_mapped_file_get_contents (mapped),
                                  g_mapped_file_get_length (mapped), path, error);
  if (st == NULL)
    {
      g_mapped_file_unref (mapped);
      return NULL;
    }
  st->mapped = mapped;
  return st;
}

const char *
ftc_safetensors_path (FtcSafetensors *st)
{
  return st->what;
}

guint
ftc_safetensors_n_tensors (FtcSafetensors *st)
{
  return st->tensors->len;
}

const FtcSafetensorsTensor *
ftc_safetensors_tensor (FtcSafetensors *st, guint i)
{
  g_return_val_if_fail (i < st->tensors->len, NULL);
  return &g_array_index (st->tensors, FtcSafetensorsTensor, i);
}

const FtcSafetensorsTensor *
ftc_safetensors_lookup (FtcSafetensors *st, const char *name)
{
  guint i = GPOINTER_TO_UINT (g_hash_table_lookup (st->by_name, name));
  return i == 0 ? NULL : &g_array_index (st->tensors, FtcSafetensorsTensor, i - 1);
}

const char *
ftc_safetensors_metadata (FtcSafetensors *st, const char *key)
{
  return g_hash_table_lookup (st->metadata, key);
}

float
ftc_f16_to_f32 (guint16 h)
{
  guint32 sign = (guint32) (h & 0x8000) << 16, exp = (h >> 10) & 0x1f, man = h & 0x3ff, bits;
  float f;

  if (exp == 0x1f)
    bits = sign | 0x7f800000 | (man << 13);           /* inf, nan */
  else if (exp != 0)
    bits = sign | ((exp + 112) << 23) | (man << 13);  /* normal: rebias 15 -> 127 */
  else if (man == 0)
    bits = sign;
  else
    {
      /* subnormal: man * 2^-24 */
      f = (float) man * (1.0f / 16777216.0f);
      return sign ? -f : f;
    }
  memcpy (&f, &bits, 4);
  return f;
}

float
ftc_bf16_to_f32 (guint16 h)
{
  guint32 bits = (guint32) h << 16;
  float f;
  memcpy (&f, &bits, 4);
  return f;
}

gboolean
ftc_safetensors_read_f32 (FtcSafetensors *st, const FtcSafetensorsTensor *t, float *out, gsize n,
                          GError **error)
{
  const guint8 *src = st->data + t->begin;

  if (n != t->numel)
    return fail (error, st->what, t->name, "has %" G_GUINT64_FORMAT " elements, %" G_GSIZE_FORMAT " expected",
                 t->numel, n);
  switch (t->dtype)
    {
    case FTC_DTYPE_UNSUPPORTED:
      return fail (error, st->what, t->name, "dtype %s is not supported (F32, F16 or BF16 only)", t->dtype_name);
    case FTC_DTYPE_F32:
#if G_BYTE_ORDER == G_LITTLE_ENDIAN
      memcpy (out, src, n * 4);
#else
      for (gsize i = 0; i < n; i++)
        {
          guint32 v;
          memcpy (&v, src + 4 * i, 4);
          v = GUINT32_FROM_LE (v);
          memcpy (out + i, &v, 4);
        }
#endif
      break;
    case FTC_DTYPE_F16:
    case FTC_DTYPE_BF16:
      for (gsize i = 0; i < n; i++)
        {
          guint16 v = (guint16) (src[2 * i] | (src[2 * i + 1] << 8));
          out[i] = t->dtype == FTC_DTYPE_F16 ? ftc_f16_to_f32 (v) : ftc_bf16_to_f32 (v);
        }
      break;
    }
  return TRUE;
}

/* ---- writing ---- */

typedef struct {
  char *name;
  const float *data;
  int ndim;
  gint64 shape[FTC_SAFETENSORS_MAX_DIMS];
  guint64 numel;
  gboolean transposed;    /* data is (shape[1], shape[0]) and is transposed on the way out */
} WriterTensor;

struct FtcSafetensorsWriter {
  GPtrArray *tensors;
  GHashTable *metadata;
};

static void
writer_tensor_free (gpointer p)
{
  WriterTensor *t = p;
  g_free (t->name);
  g_free (t);
}

FtcSafetensorsWriter *
ftc_safetensors_writer_new (void)
{
  FtcSafetensorsWriter *w = g_new0 (FtcSafetensorsWriter, 1);
  w->tensors = g_ptr_array_new_with_free_func (writer_tensor_free);
  w->metadata = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return w;
}

void
ftc_safetensors_writer_free (FtcSafetensorsWriter *w)
{
  if (w == NULL)
    return;
  g_ptr_array_unref (w->tensors);
  g_hash_table_unref (w->metadata);
  g_free (w);
}

void
ftc_safetensors_writer_add (FtcSafetensorsWriter *w, const char *name, const float *data, int ndim,
                            const gint64 *shape)
{
  WriterTensor *t = g_new0 (WriterTensor, 1);

  g_return_if_fail (ndim >= 0 && ndim <= FTC_SAFETENSORS_MAX_DIMS);
  t->name = g_strdup (name);
  t->data = data;
  t->ndim = ndim;
  t->numel = 1;
  for (int i = 0; i < ndim; i++)
    {
      t->shape[i] = shape[i];
      t->numel *= shape[i];
    }
  g_ptr_array_add (w->tensors, t);
}

void
ftc_safetensors_writer_add_transposed (FtcSafetensorsWriter *w, const char *name, const float *data,
                                       gint64 rows, gint64 cols)
{
  gint64 shape[2] = { cols, rows };
  ftc_safetensors_writer_add (w, name, data, 2, shape);
  ((WriterTensor *) g_ptr_array_index (w->tensors, w->tensors->len - 1))->transposed = TRUE;
}

void
ftc_safetensors_writer_set_metadata (FtcSafetensorsWriter *w, const char *key, const char *value)
{
  g_hash_table_replace (w->metadata, g_strdup (key), g_strdup (value));
}

static int
compare_writer_tensor (gconstpointer a, gconstpointer b)
{
  return strcmp ((*(WriterTensor **) a)->name, (*(WriterTensor **) b)->name);
}

static gboolean
write_all (int fd, const void *data, gsize len, const char *path, GError **error)
{
  const guint8 *p = data;
  while (len > 0)
    {
      gssize n = write (fd, p, MIN (len, (gsize) 1 << 30));
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          int saved = errno;
          g_set_error (error, FTC_ERROR, FTC_ERROR_FAILED, "%s: write failed: %s", path, g_strerror (saved));
          return FALSE;
        }
      p += n;
      len -= n;
    }
  return TRUE;
}

gboolean
ftc_safetensors_writer_write (FtcSafetensorsWriter *w, const char *path, GError **error)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GString) header = NULL;
  g_autofree char *tmp = g_strconcat (path, ".tmp-XXXXXX", NULL);
  g_autofree char *text = NULL;
  guint64 offset = 0, len_le;
  int fd;
  gboolean ok;

  g_ptr_array_sort (w->tensors, compare_writer_tensor);
  json_builder_begin_object (b);
  if (g_hash_table_size (w->metadata) > 0)
    {
      GHashTableIter it;
      gpointer k, v;
      json_builder_set_member_name (b, "__metadata__");
      json_builder_begin_object (b);
      g_hash_table_iter_init (&it, w->metadata);
      while (g_hash_table_iter_next (&it, &k, &v))
        {
          json_builder_set_member_name (b, k);
          json_builder_add_string_value (b, v);
        }
      json_builder_end_object (b);
    }
  for (guint i = 0; i < w->tensors->len; i++)
    {
      WriterTensor *t = g_ptr_array_index (w->tensors, i);
      json_builder_set_member_name (b, t->name);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "dtype");
      json_builder_add_string_value (b, "F32");
      json_builder_set_member_name (b, "shape");
      json_builder_begin_array (b);
      for (int d = 0; d < t->ndim; d++)
        json_builder_add_int_value (b, t->shape[d]);
      json_builder_end_array (b);
      json_builder_set_member_name (b, "data_offsets");
      json_builder_begin_array (b);
      json_builder_add_int_value (b, offset);
      json_builder_add_int_value (b, offset + t->numel * 4);
      json_builder_end_array (b);
      json_builder_end_object (b);
      offset += t->numel * 4;
    }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  text = ftc_json_to_compact (root);
  header = g_string_new (text);
  while (header->len % 8 != 0)
    g_string_append_c (header, ' ');
  len_le = GUINT64_TO_LE ((guint64) header->len);

  fd = g_mkstemp_full (tmp, O_WRONLY | O_CREAT | O_EXCL, 0644);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, FTC_ERROR, FTC_ERROR_FAILED, "%s: cannot create a temporary file: %s", path,
                   g_strerror (saved));
      return FALSE;
    }
  ok = write_all (fd, &len_le, 8, path, error) && write_all (fd, header->str, header->len, path, error);
  for (guint i = 0; ok && i < w->tensors->len; i++)
    {
      WriterTensor *t = g_ptr_array_index (w->tensors, i);
      if (t->transposed)
        {
          /* one output row (a column of data) at a time */
          gint64 out_rows = t->shape[0], out_cols = t->shape[1];
          g_autofree guint32 *row = g_new (guint32, MAX (out_cols, 1));
          for (gint64 r = 0; ok && r < out_rows; r++)
            {
              for (gint64 c = 0; c < out_cols; c++)
                {
                  memcpy (&row[c], t->data + c * out_rows + r, 4);
                  row[c] = GUINT32_TO_LE (row[c]);
                }
              ok = write_all (fd, row, out_cols * 4, path, error);
            }
          continue;
        }
#if G_BYTE_ORDER == G_LITTLE_ENDIAN
      ok = write_all (fd, t->data, t->numel * 4, path, error);
#else
      for (guint64 j = 0; ok && j < t->numel; j++)
        {
          guint32 v;
          memcpy (&v, t->data + j, 4);
          v = GUINT32_TO_LE (v);
          ok = write_all (fd, &v, 4, path, error);
        }
#endif
    }
  if (ok && g_fsync (fd) != 0)
    {
      int saved = errno;
      g_set_error (error, FTC_ERROR, FTC_ERROR_FAILED, "%s: fsync failed: %s", path, g_strerror (saved));
      ok = FALSE;
    }
  if (!g_close (fd, NULL) && ok)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_FAILED, "%s: close failed", path);
      ok = FALSE;
    }
  if (ok && g_rename (tmp, path) != 0)
    {
      int saved = errno;
      g_set_error (error, FTC_ERROR, FTC_ERROR_FAILED, "%s: rename failed: %s", path, g_strerror (saved));
      ok = FALSE;
    }
  if (!ok)
    g_unlink (tmp);
  return ok;
}
