/* fuzz-bpe: libFuzzer target for the byte-level BPE tokenizer. The first byte picks what the rest is:
 *   even: text for a fixed small vocabulary; invalid UTF-8 must be an error, anything else must encode
 *         and decode back to the very same bytes;
 *   odd:  vocab.json and merges.txt separated by a NUL byte; they must load or give an error, and a
 *         loaded tokenizer must round-trip a fixed text. */
#include <stdint.h>
#include <string.h>

#include "core/students/ftc-bpe.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static FtcBpe *
small_bpe (void)
{
  static FtcBpe *bpe;
  if (bpe == NULL)
    {
      /* the 256 byte tokens of GPT-2's alphabet, plus merges over common letters and spaces */
      GString *v = g_string_new ("{");
      const char *merges = "#version: 0.2\nĠ t\nh e\nĠt he\ni n\nĠ a\nĠ Ġ\nĠĠ Ġ\ne r\n1 2\n12 3\n' s\no n\n";
      const char *extra[] = { "Ġt", "he", "Ġthe", "in", "Ġa", "ĠĠ", "ĠĠĠ", "er", "12", "123", "'s", "on" };
      int id = 0, n = 0;
      for (int b = 0; b < 256; b++)
        {
          gunichar c = ((b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF)) ? b : 256 + n++;
          char buf[8];
          buf[g_unichar_to_utf8 (c, buf)] = '\0';
          g_string_append_printf (v, "%s\"%s%s\": %d", id ? ", " : "", b == '"' || b == '\\' ? "\\" : "", buf, id);
          id++;
        }
      for (gsize i = 0; i < G_N_ELEMENTS (extra); i++)
        g_string_append_printf (v, ", \"%s\": %d", extra[i], id++);
      g_string_append_printf (v, ", \"<|endoftext|>\": %d}", id);
      bpe = ftc_bpe_new_from_data (v->str, v->len, merges, strlen (merges), "fuzz", NULL);
      if (bpe == NULL)
        __builtin_trap ();
      g_string_free (v, TRUE);
    }
  return bpe;
}

static void
round_trip (FtcBpe *bpe, const char *text, gsize len)
{
  GError *error = NULL;
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint32));
  gboolean valid = TRUE;
  const char *p = text, *end = text + len;

  while (p < end)
    {
      gunichar c = *p == '\0' ? 0 : g_utf8_get_char_validated (p, end - p);
      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          valid = FALSE;
          break;
        }
      p = c == 0 ? p + 1 : g_utf8_next_char (p);
    }
  if (ftc_bpe_encode (bpe, text, len, ids, &error) != valid || (error != NULL) == valid)
    __builtin_trap ();
  if (valid)
    {
      gsize out_len;
      char *out = ftc_bpe_decode (bpe, (gint32 *) ids->data, ids->len, &out_len, &error);
      if (out == NULL || out_len != len || memcmp (out, text, len) != 0)
        __builtin_trap ();
      g_free (out);
    }
  g_clear_error (&error);
  g_array_unref (ids);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (size == 0)
    return 0;
  if (data[0] % 2 == 0)
    round_trip (small_bpe (), (const char *) data + 1, size - 1);
  else
    {
      const char *rest = (const char *) data + 1, *nul = memchr (rest, '\0', size - 1);
      GError *error = NULL;
      FtcBpe *bpe;
      if (nul == NULL)
        return 0;
      bpe = ftc_bpe_new_from_data (rest, nul - rest, nul + 1, (const char *) data + size - nul - 1, "fuzz", &error);
      if ((bpe == NULL) == (error == NULL))
        __builtin_trap ();
      if (bpe != NULL)
        {
          const char *text = "Hello  the 123's\n\n naïve 😀";
          round_trip (bpe, text, strlen (text));
          ftc_bpe_free (bpe);
        }
      g_clear_error (&error);
    }
  return 0;
}
