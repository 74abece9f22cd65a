#include "core/teach/ftc-price.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "core/ftc-error.h"
#include "core/ftc-json-in.h"

struct _FtcPriceTable {
  GHashTable *prices;   /* model -> FtcPrice* */
};

static const struct {
  const char *model;
  FtcPrice price;
} builtin[] = {
  /* the paper's teacher and its successors on the completions API */
  { "text-davinci-002", { 20.0, 20.0 } },
  { "text-davinci-003", { 20.0, 20.0 } },
  { "davinci-002", { 2.0, 2.0 } },
  { "babbage-002", { 0.4, 0.4 } },
  { "gpt-3.5-turbo-instruct", { 1.5, 2.0 } },
  /* chat models */
  { "gpt-3.5-turbo", { 0.5, 1.5 } },
  { "gpt-4", { 30.0, 60.0 } },
  { "gpt-4-turbo", { 10.0, 30.0 } },
  { "gpt-4o", { 2.5, 10.0 } },
  { "gpt-4o-mini", { 0.15, 0.6 } },
  { "gpt-4.1", { 2.0, 8.0 } },
  { "gpt-4.1-mini", { 0.4, 1.6 } },
  { "gpt-4.1-nano", { 0.1, 0.4 } },
};

FtcPriceTable *
ftc_price_table_new (void)
{
  FtcPriceTable *table = g_new0 (FtcPriceTable, 1);

  table->prices = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (gsize i = 0; i < G_N_ELEMENTS (builtin); i++)
    ftc_price_table_set (table, builtin[i].model, &builtin[i].price);
  return table;
}

void
ftc_price_table_free (FtcPriceTable *table)
{
  if (table == NULL)
    return;
  g_hash_table_unref (table->prices);
  g_free (table);
}

void
ftc_price_table_set (FtcPriceTable *table, const char *model, const FtcPrice *price)
{
  g_hash_table_replace (table->prices, g_strdup (model), g_memdup2 (price, sizeof *price));
}

static gboolean
read_rate (JsonObject *entry, const char *member, const char *path, const char *model, double *out,
           GError **error)
{
  JsonNode *n = json_object_get_member (entry, member);
  GType t = n != NULL && JSON_NODE_HOLDS_VALUE (n) ? json_node_get_value_type (n) : G_TYPE_INVALID;

  if (t != G_TYPE_INT64 && t != G_TYPE_DOUBLE)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: models.%s.%s must be a number (USD per million "
                   "tokens)", path, model, member);
      return FALSE;
    }
  *out = json_node_get_double (n);
  if (!isfinite (*out) || *out < 0)
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: models.%s.%s must be >= 0", path, model, member);
      return FALSE;
    }
  return TRUE;
}

gboolean
ftc_price_table_load (FtcPriceTable *table, const char *path, GError **error)
{
  g_autoptr (JsonNode) root = ftc_json_read_file (path, FTC_INPUT_CONFIG, error);
  JsonNode *models;
  JsonObjectIter iter;
  const char *name;
  JsonNode *value;

  if (root == NULL)
    return FALSE;
  models = JSON_NODE_HOLDS_OBJECT (root) ? json_object_get_member (json_node_get_object (root), "models") : NULL;
  if (models == NULL || !JSON_NODE_HOLDS_OBJECT (models))
    {
      g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: expected {\"models\": {NAME: {\"prompt\": USD, "
                   "\"completion\": USD}}}", path);
      return FALSE;
    }
  json_object_iter_init (&iter, json_node_get_object (models));
  while (json_object_iter_next (&iter, &name, &value))
    {
      FtcPrice price;

      if (!JSON_NODE_HOLDS_OBJECT (value))
        {
          g_set_error (error, FTC_ERROR, FTC_ERROR_INVALID, "%s: models.%s must be an object", path, name);
          return FALSE;
        }
      if (!read_rate (json_node_get_object (value), "prompt", path, name, &price.prompt_per_mtok, error) ||
          !read_rate (json_node_get_object (value), "completion", path, name, &price.completion_per_mtok, error))
        return FALSE;
      ftc_price_table_set (table, name, &price);
    }
  return TRUE;
}

gboolean
ftc_price_table_lookup (FtcPriceTable *table, const char *model, FtcPrice *out)
{
  const char *slash;
  const FtcPrice *best = NULL;
  gsize best_len = 0;
  GHashTableIter iter;
  gpointer k, v;

  if (model == NULL)
    return FALSE;
  if ((best = g_hash_table_lookup (table->prices, model)) != NULL)
    {
      *out = *best;
      return TRUE;
    }
  /* OpenRouter names models "openai/gpt-4o" */
  if ((slash = strrchr (model, '/')) != NULL)
    model = slash + 1;
  g_hash_table_iter_init (&iter, table->prices);
  while (g_hash_table_iter_next (&iter, &k, &v))
    {
      gsize len = strlen (k);
      /* a prefix counts only up to a boundary: "gpt-4o" names "gpt-4o-2024-08-06", not "gpt-4omega" */
      if (len > best_len && strncmp (model, k, len) == 0 && (model[len] == '\0' || model[len] == '-' ||
                                                             model[len] == ':' || model[len] == '@'))
        {
          best = v;
          best_len = len;
        }
    }
  if (best == NULL)
    return FALSE;
  *out = *best;
  return TRUE;
}

double
ftc_price_cost (const FtcPrice *price, guint64 prompt_tokens, guint64 completion_tokens)
{
  return (prompt_tokens * price->prompt_per_mtok + completion_tokens * price->completion_per_mtok) / 1e6;
}
