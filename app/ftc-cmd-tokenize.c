/* ftcot tokenize: text on standard input to token ids, or ids back to text with --decode. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/ftc-cli.h"
#include "core/ftc-error.h"
#include "core/ftc-tokenizer.h"

static char *
read_stdin (gsize *len_out)
{
  GString *in = g_string_new (NULL);
  char buf[65536];
  size_t n;

  while ((n = fread (buf, 1, sizeof buf, stdin)) > 0)
    g_string_append_len (in, buf, n);
  *len_out = in->len;
  return g_string_free (in, FALSE);
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
      g_autoptr (JsonParser) parser = json_parser_new ();
      JsonNode *root;
      JsonArray *array;

      if (!json_parser_load_from_data (parser, p, -1, error))
        return NULL;
      root = json_parser_get_root (parser);
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

int
ftc_cmd_tokenize (int argc, char **argv)
{
  g_autofree char *dir = NULL;
  gboolean json = FALSE, decode = FALSE;
  GOptionEntry entries[] = {
    { "tokenizer", 't', 0, G_OPTION_ARG_FILENAME, &dir, "Folder with the tokenizer files (a model folder)", "DIR" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print the ids as a JSON array", NULL },
    { "decode", 'd', 0, G_OPTION_ARG_NONE, &decode, "Read ids (numbers or a JSON array), write their text", NULL },
    { NULL }
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (FtcTokenizer) tok = NULL;
  g_autofree char *input = NULL;
  gsize len;

  if (!ftc_cli_parse ("tokenize", "", "Encode standard input to token ids, or decode ids to text.", entries,
                      &argc, &argv))
    return FTC_EXIT_USAGE;
  if (dir == NULL)
    return ftc_cli_usage_error ("tokenize", "--tokenizer DIR is required");
  if ((tok = ftc_tokenizer_load (dir, &error)) == NULL)
    return ftc_cli_error ("tokenize", error);
  input = read_stdin (&len);

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

      if (!ftc_tokenizer_encode (tok, input, len, ids, &error))
        return ftc_cli_error ("tokenize", error);
      for (guint i = 0; i < ids->len; i++)
        g_string_append_printf (out, i == 0 ? "%d" : json ? ", %d" : " %d", g_array_index (ids, gint32, i));
      g_string_append (out, json ? "]\n" : "\n");
      fputs (out->str, stdout);
      fflush (stdout);
      return FTC_EXIT_OK;
    }
}
