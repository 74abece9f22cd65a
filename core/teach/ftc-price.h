/* ftc-price.h: what a model's tokens cost, for the cost estimate, the live meter and the budget cap.
 *
 * Built-in prices (US dollars per million tokens, list prices of the provider at the time of writing) for a
 * few well-known models; a JSON file adds or overrides entries:
 *   {"models": {"my-model": {"prompt": 0.5, "completion": 1.5}, ...}}
 * A model name matches its entry exactly, else the longest entry that is a prefix of it ("gpt-4o-mini-2024-07-18"
 * -> "gpt-4o-mini"), after dropping a provider prefix ("openai/gpt-4o" -> "gpt-4o"). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  double prompt_per_mtok;       /* USD per million prompt tokens */
  double completion_per_mtok;   /* USD per million completion tokens */
} FtcPrice;

typedef struct _FtcPriceTable FtcPriceTable;

/* A table with the built-in prices. */
FtcPriceTable *ftc_price_table_new (void);
void ftc_price_table_free (FtcPriceTable *table);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FtcPriceTable, ftc_price_table_free)

void ftc_price_table_set (FtcPriceTable *table, const char *model, const FtcPrice *price);
/* Adds the entries of a price file (format above); errors name the file and the entry at fault. */
gboolean ftc_price_table_load (FtcPriceTable *table, const char *path, GError **error);
/* FALSE when no entry matches model. */
gboolean ftc_price_table_lookup (FtcPriceTable *table, const char *model, FtcPrice *out);

double ftc_price_cost (const FtcPrice *price, guint64 prompt_tokens, guint64 completion_tokens);

G_END_DECLS
