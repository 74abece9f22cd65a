/* ftcot tokenize: text on standard input to token ids, or ids back to text with --decode; with --train,
 * learns a byte-level BPE from files of text and writes it to a folder. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glib/gstdio.h>

#include "app/ftc-cli.h"
#include "core/students/ftc-bpe-train.h"
#include "core/ftc-error.h"
#include "core/ftc-json-in.h"
#include "core/ftc-json-out.h"
#include "core/ftc-jsonl.h"
#include "core/ftc-read.h"
#include "core/students/ftc-tokenizer.h"

/* the string fields of a JSONL line that become training texts: task files, fine-tuning samples */
static const char *const jsonl_fields[] = { "question", "prompt", "completion", "rationale" };

/* Appends the texts of path to texts: each non-empty line of a text file, or for .jsonl files the string
 * fields above of each line's object. */
static gboolean
read_training_texts (const char *path, GPtrArray *texts, GError **error)
{
  g_autofree char *data = NULL;
  gsize len;
  const char *p, *end;
  guint line_no = 0;

  if (!ftc_file_read (path, FTC_INPUT_DATA, &data, &len, error))
    return FALSE;
  if (g_str_has_suffix (path, ".jsonl"))
    {
      g_autoptr (FtcJsonlReader) reader = ftc_jsonl_reader_new_for_data (data, len, path);
      g_autoptr (GError) local = NULL;
      JsonObject *obj;

      ftc_jsonl_reader_set_ignore_torn (reader, FALSE);
      while ((obj = ftc_jsonl_reader_next (reader, &local)) != NULL)
        {
          for (guint i = 0; i < G_N_ELEMENTS (jsonl_fields); i++)
            {
              JsonNode *field = json_object_get_member (obj, jsonl_fields[i]);
              if (field != NULL && JSON_NODE_HOLDS_VALUE (field) && json_node_get_value_type (field) == G_TYPE_STRING
                  && *json_node_get_string (field) != '\0')
                g_ptr_array_add (texts, g_strdup (json_node_get_string (field)));
            }
          json_object_unref (obj);
        }
      if (local != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      return TRUE;
    }
  for (p = data, end = data + len; p < end;)
    {
      const char *nl = memchr (p, '\n', end - p);
      const char *line_end = nl != NULL ? nl : end;
      gsize n = line_end - p;

      line_no++;
      if (n > 0 && p[n - 1] == '\r')
        n--;
      if (!g_utf8_validate_len (p, n, NULL))
        {
          g_set_error (error, FTC_ERROR, FTC_ERROR_PARSE, "%s:%u: invalid UTF-8 (or a NUL byte)", path, line_no);
          return FALSE;
        }
      if (n > 0)
        g_ptr_array_add (texts, g_strndup (p, n));
      p = nl != NULL ? nl + 1 : end;
    }
  return TRUE;
}

static int
train (char **files, int vocab_size, int min_frequency, const char *out_dir, gboolean json)
{
  g_autoptr (GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcBpe) bpe = NULL;
  g_autoptr (FtcTokenizer) tok = NULL;
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint32));
  FtcBpeTrainOptions opts = { .min_frequency = min_frequency };
  gsize n_bytes = 0, n_chars = 0;
  gint64 t0;
  clock_t c0;
  double seconds, cpu_seconds;

  if (vocab_size <= 0)
    return ftc_cli_usage_error ("tokenize", "--train needs --vocab-size N (at least %d)", FTC_BPE_TRAIN_MIN_VOCAB);
  if (out_dir == NULL)
    return ftc_cli_usage_error ("tokenize", "--train needs --out DIR");
  if (min_frequency < 1)
    return ftc_cli_usage_error ("tokenize", "--min-frequency must be at least 1");
  for (guint i = 0; files[i] != NULL; i++)
    if (!read_training_texts (files[i], texts, &error))
      return ftc_cli_error ("tokenize", error);
  if (texts->len == 0)
    return ftc_cli_usage_error ("tokenize", "the training files hold no text");

  t0 = g_get_monotonic_time ();
  c0 = clock ();
  bpe = ftc_bpe_train ((const char *const *) texts->pdata, texts->len, vocab_size, &opts, &error);
  cpu_seconds = (double) (clock () - c0) / CLOCKS_PER_SEC;
  seconds = (g_get_monotonic_time () - t0) / 1e6;
  if (bpe == NULL)
    return ftc_cli_error ("tokenize", error);
  tok = ftc_tokenizer_new_bpe (g_steal_pointer (&bpe));
  if (g_mkdir_with_parents (out_dir, 0755) != 0)
    {
      g_set_error (&error, FTC_ERROR, FTC_ERROR_FAILED, "%s: %s", out_dir, g_strerror (errno));
      return ftc_cli_error ("tokenize", error);
    }
  if (!ftc_tokenizer_save (tok, out_dir, &error))
    return ftc_cli_error ("tokenize", error);

  /* how well it compresses its own training text */
  for (guint i = 0; i < texts->len; i++)
    {
      const char *text = texts->pdata[i];
      n_bytes += strlen (text);
      n_chars += g_utf8_strlen (text, -1);
      if (!ftc_tokenizer_encode (tok, text, -1, ids, &error))
        return ftc_cli_error ("tokenize", error);
    }
  if (json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      g_autoptr (JsonNode) root = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "out");
      json_builder_add_string_value (b, out_dir);
      json_builder_set_member_name (b, "vocab_size");
      json_builder_add_int_value (b, ftc_tokenizer_vocab_size (tok));
      json_builder_set_member_name (b, "texts");
      json_builder_add_int_value (b, texts->len);
      json_builder_set_member_name (b, "bytes");
      json_builder_add_int_value (b, n_bytes);
      json_builder_set_member_name (b, "characters");
      json_builder_add_int_value (b, n_chars);
      json_builder_set_member_name (b, "tokens");
      json_builder_add_int_value (b, ids->len);
      json_builder_set_member_name (b, "tokens_per_character");
      json_builder_add_double_value (b, n_chars > 0 ? (double) ids->len / n_chars : 0.0);
      json_builder_set_member_name (b, "train_seconds");
      json_builder_add_double_value (b, seconds);
      json_builder_set_member_name (b, "train_cpu_seconds");
      json_builder_add_double_value (b, cpu_seconds);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      ftc_cli_print_json (root);
    }
  else
    g_print ("%s: %u tokens learned from %u texts (%" G_GSIZE_FORMAT " characters) in %.2f s (%.2f s of CPU); "
             "they encode to %u tokens (%.3f tokens per character)\n", out_dir, ftc_tokenizer_vocab_size (tok),
             texts->len, n_chars, seconds, cpu_seconds, ids->len, n_chars > 0 ? (double) ids->len / n_chars : 0.0);
  return FTC_EXIT_OK;
}

static char *
read_stdin (gsize *len_out, GError **error)
{
  char *contents = NULL;

  /* bounded: `ftcot tokenize < /dev/zero` ends with an error, not with all memory */
  if (!ftc_fd_read (0, "standard input", FTC_INPUT_DATA, 0, &contents, len_out, error))
    return NULL;
  return contents;
}

/* ids as whitespace-separated integers or as one JSON array */
static GArray *
parse_ids (const char *text, GError **error)
{
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint32));
  const char *p = text;

  while (g_ascii_isspace (*p))
    p++;
  if (*p == '[')
    {
      g_autoptr (JsonNode) root = ftc_json_parse (p, strlen (p), "standard input", error);
      JsonArray *array;

      if (root == NULL)
        return NULL;
      array = JSON_NODE_HOLDS_ARRAY (root) ? json_node_get_array (root) : NULL;
      for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
        {
          JsonNode *e = json_array_get_element (array, i);
          if (!JSON_NODE_HOLDS_VALUE (e) || json_node_get_value_type (e) != G_TYPE_INT64
              || json_node_get_int (e) < G_MININT32 || json_node_get_int (e) > G_MAXINT32)
            {
              g_set_error (error, FTC_ERROR, FTC_ERROR_PARSE, "standard input: element %u is not a token id", i);
              return NULL;
            }
          gint32 id = json_node_get_int (e);
          g_array_append_val (ids, id);
        }
      return g_steal_pointer (&ids);
    }
  while (*p != '\0')
    {
      char *end;
      gint64 v = g_ascii_strtoll (p, &end, 10);
      if (end == p || v < G_MININT32 || v > G_MAXINT32 || (*end != '\0' && !g_ascii_isspace (*end)))
        {
          g_set_error (error, FTC_ERROR, FTC_ERROR_PARSE, "standard input: byte %" G_GSIZE_FORMAT
                       ": expected a token id", (gsize) (p - text));
          return NULL;
        }
      gint32 id = v;
      g_array_append_val (ids, id);
      p = end;
      while (g_ascii_isspace (*p))
        p++;
    }
  return g_steal_pointer (&ids);
}

/* One JSON string per line in, one JSON array of ids per line out (the tests' batch mode). */
static int
encode_jsonl (FtcTokenizer *tok, const char *input)
{
  g_auto (GStrv) lines = g_strsplit (input, "\n", -1);
  g_autoptr (GString) out = g_string_new (NULL);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint32));
      g_autoptr (GError) error = NULL;
      g_autoptr (JsonNode) root = NULL;

      if (lines[i][0] == '\0')
        continue;
      root = ftc_json_parse_line (lines[i], strlen (lines[i]), "standard input", i + 1, &error);
      if (root == NULL)
        return ftc_cli_error ("tokenize", error);
      if (!JSON_NODE_HOLDS_VALUE (root) || json_node_get_value_type (root) != G_TYPE_STRING)
        {
          g_printerr ("ftcot tokenize: standard input:%u: expected a JSON string\n", i + 1);
          return FTC_EXIT_FAILURE;
        }
      if (!ftc_tokenizer_encode_special (tok, json_node_get_string (root), -1, ids, &error))
        {
          g_prefix_error (&error, "standard input line %u: ", i + 1);
          return ftc_cli_error ("tokenize", error);
        }
      g_string_append_c (out, '[');
      for (guint j = 0; j < ids->len; j++)
        g_string_append_printf (out, j == 0 ? "%d" : ",%d", g_array_index (ids, gint32, j));
      g_string_append (out, "]\n");
    }
  fputs (out->str, stdout);
  fflush (stdout);
  return FTC_EXIT_OK;
}

/* One JSON array of ids per line in, one JSON string of their text per line out (valid UTF-8: a cut
 * character becomes U+FFFD). */
static int
decode_jsonl (FtcTokenizer *tok, const char *input)
{
  g_auto (GStrv) lines = g_strsplit (input, "\n", -1);
  g_autoptr (GString) out = g_string_new (NULL);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GArray) ids = NULL;
      g_autofree char *text = NULL, *quoted = NULL;
      g_autoptr (JsonNode) node = NULL;

      if (lines[i][0] == '\0')
        continue;
      if ((ids = parse_ids (lines[i], &error)) == NULL
          || (text = ftc_tokenizer_decode_text (tok, (gint32 *) ids->data, ids->len, &error)) == NULL)
        {
          g_prefix_error (&error, "standard input line %u: ", i + 1);
          return ftc_cli_error ("tokenize", error);
        }
      node = json_node_init_string (json_node_alloc (), text);
      quoted = ftc_json_to_compact (node);
      g_string_append (out, quoted);
      g_string_append_c (out, '\n');
    }
  fputs (out->str, stdout);
  fflush (stdout);
  return FTC_EXIT_OK;
}

int
ftc_cmd_tokenize (int argc, char **argv)
{
  g_autofree char *dir = NULL;
  g_auto (GStrv) train_files = NULL;
  g_autofree char *out_dir = NULL;
  gboolean json = FALSE, decode = FALSE, jsonl = FALSE;
  int vocab_size = 0, min_frequency = FTC_BPE_TRAIN_DEFAULT_MIN_FREQUENCY;
  GOptionEntry entries[] = {
    { "tokenizer", 't', 0, G_OPTION_ARG_FILENAME, &dir, "Folder with the tokenizer files (a model folder)", "DIR" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print the ids as a JSON array (with --train: a JSON summary)", NULL },
    { "decode", 'd', 0, G_OPTION_ARG_NONE, &decode, "Read ids (numbers or a JSON array), write their text", NULL },
    { "jsonl", 0, 0, G_OPTION_ARG_NONE, &jsonl, "Read one JSON string per line, print one JSON array of ids per line (with --decode: "
      "the other way round)",
      NULL },
    { "train", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &train_files,
      "Learn a byte-level BPE from FILE (lines of text, or the question/prompt/completion/rationale fields "
      "of a .jsonl file); more files may follow", "FILE" },
    { "vocab-size", 0, 0, G_OPTION_ARG_INT, &vocab_size, "With --train: tokens in the vocabulary (at least 257)", "N" },
    { "min-frequency", 0, 0, G_OPTION_ARG_INT, &min_frequency,
      "With --train: stop when the best pair occurs fewer times (default 2)", "N" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out_dir, "With --train: folder to write vocab.json and merges.txt into", "DIR" },
    { NULL }
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcTokenizer) tok = NULL;
  g_autofree char *input = NULL;
  gsize len;

  if (!ftc_cli_parse ("tokenize", "[FILE...]", "Encode standard input to token ids, or decode ids to text; "
                      "with --train, learn a byte-level BPE from files.", entries, &argc, &argv))
    return FTC_EXIT_USAGE;
  if (train_files != NULL)
    {
      g_autoptr (GStrvBuilder) all = g_strv_builder_new ();
      g_auto (GStrv) files = NULL;

      if (dir != NULL || decode)
        return ftc_cli_usage_error ("tokenize", "--train cannot be combined with --tokenizer or --decode");
      g_strv_builder_addv (all, (const char **) train_files);
      for (int i = 1; i < argc; i++)
        g_strv_builder_add (all, argv[i]);
      files = g_strv_builder_end (all);
      return train (files, vocab_size, min_frequency, out_dir, json);
    }
  if (argc > 1)
    return ftc_cli_usage_error ("tokenize", "unexpected argument '%s' (files are read only with --train)", argv[1]);
  if (dir == NULL)
    return ftc_cli_usage_error ("tokenize", "--tokenizer DIR is required");
  if ((tok = ftc_tokenizer_load (dir, &error)) == NULL)
    return ftc_cli_error ("tokenize", error);
  input = read_stdin (&len, &error);
  if (input == NULL)
    return ftc_cli_error ("tokenize", error);

  if (jsonl)
    return decode ? decode_jsonl (tok, input) : encode_jsonl (tok, input);
  if (decode)
    {
      g_autoptr (GArray) ids = parse_ids (input, &error);
      g_autofree char *text = NULL;
      gsize text_len;

      if (ids == NULL
          || (text = ftc_tokenizer_decode (tok, (gint32 *) ids->data, ids->len, &text_len, &error)) == NULL)
        return ftc_cli_error ("tokenize", error);
      fwrite (text, 1, text_len, stdout);
      fflush (stdout);
      return FTC_EXIT_OK;
    }
  else
    {
      g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint32));
      g_autoptr (GString) out = g_string_new (json ? "[" : "");

      /* as tokenizer(text)["input_ids"]: with the special tokens a tokenizer.json's post-processor adds */
      if (!ftc_tokenizer_encode_special (tok, input, len, ids, &error))
        return ftc_cli_error ("tokenize", error);
      for (guint i = 0; i < ids->len; i++)
        g_string_append_printf (out, i == 0 ? "%d" : json ? ", %d" : " %d", g_array_index (ids, gint32, i));
      g_string_append (out, json ? "]\n" : "\n");
      fputs (out->str, stdout);
      fflush (stdout);
      return FTC_EXIT_OK;
    }
}
