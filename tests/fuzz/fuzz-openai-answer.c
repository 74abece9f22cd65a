/* fuzz-openai-answer: the body of a teacher server's 200 answer to ftc_openai_response_parse, as a chat or
 * a completions answer to a request for 1..8 samples (the first byte picks). Any body gives a response or an
 * error, never both, never a crash; a response has choices inside the request's samples, in order, each
 * once, with text, and token counts a budget can use (not negative, within a C int). */
#include <stdint.h>
#include <string.h>

#include "core/teach/ftc-openai-client.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  FtcOpenaiRequest *req;
  FtcOpenaiResponse *resp;
  GError *error = NULL;
  guint n, offset;

  if (size == 0)
    return 0;
  req = ftc_openai_request_new (data[0] & 1 ? FTC_OPENAI_CHAT : FTC_OPENAI_COMPLETIONS, "m");
  req->prompt = g_strdup ("Q: 1 + 1?\nA: Let's think step by step.");
  n = 1 + ((data[0] >> 1) & 7);
  offset = (data[0] >> 4) & 3;
  req->n = n + offset;
  resp = ftc_openai_response_parse ((const char *) data + 1, size - 1, req, n, offset, &error);
  if ((resp == NULL) == (error == NULL))
    __builtin_trap ();
  if (resp != NULL)
    {
      if (resp->choices->len == 0 || resp->choices->len > n)
        __builtin_trap ();
      for (guint i = 0; i < resp->choices->len; i++)
        {
          const FtcOpenaiChoice *c = resp->choices->pdata[i];
          if (c->index < offset || c->index >= offset + n || c->text == NULL || c->finish_reason == NULL)
            __builtin_trap ();
          if (i > 0 && ((const FtcOpenaiChoice *) resp->choices->pdata[i - 1])->index >= c->index)
            __builtin_trap ();
          if (!g_utf8_validate (c->text, -1, NULL))
            __builtin_trap ();
        }
      if (resp->prompt_tokens < 0 || resp->completion_tokens < 0 || resp->prompt_tokens > G_MAXINT32
          || resp->completion_tokens > (gint64) G_MAXINT32 * 8)
        __builtin_trap ();
      ftc_openai_response_free (resp);
    }
  g_clear_error (&error);
  ftc_openai_request_free (req);
  return 0;
}
