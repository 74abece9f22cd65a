#include "core/tasks/ftc-synthetic-steps.h"

#include <string.h>

#include "core/ftc-error.h"

static gboolean
invalid (GError **error, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

static gboolean
invalid (GError **error, const char *fmt, ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, fmt);
  message = g_strdup_vprintf (fmt, args);
  va_end (args);
  g_set_error_literal (error, FTC_ERROR, FTC_ERROR_INVALID, message);
  return FALSE;
}

static gboolean
holds (JsonNode *node, GType type)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == type;
}

static const char *
string_member (JsonObject *o, const char *name)
{
  JsonNode *n = json_object_get_member (o, name);

  return holds (n, G_TYPE_STRING) ? json_node_get_string (n) : NULL;
}

/* An integer member within +-FTC_SYNTHETIC_MAX_VALUE. */
static gboolean
value_member (JsonObject *o, const char *name, const char *where, gint64 *out, GError **error)
{
  JsonNode *n = json_object_get_member (o, name);
  gint64 v;

  if (!holds (n, G_TYPE_INT64))
    return invalid (error, "%s.%s must be an integer", where, name);
  v = json_node_get_int (n);
  if (v < -FTC_SYNTHETIC_MAX_VALUE || v > FTC_SYNTHETIC_MAX_VALUE)
    return invalid (error, "%s.%s: %" G_GINT64_FORMAT " is beyond +-%lld, the largest value of a step", where, name,
                    v, FTC_SYNTHETIC_MAX_VALUE);
  *out = v;
  return TRUE;
}

static gboolean
check_coin_flip (JsonArray *steps, GError **error)
{
  for (guint i = 0; i < json_array_get_length (steps); i++)
    {
      JsonObject *st = json_array_get_object_element (steps, i);
      if (string_member (st, "person") == NULL)
        return invalid (error, "steps[%u].person must be a string", i);
      if (!holds (json_object_get_member (st, "flips"), G_TYPE_BOOLEAN))
        return invalid (error, "steps[%u].flips must be true or false", i);
    }
  return TRUE;
}

static gboolean
check_last_letters (JsonArray *steps, GError **error)
{
  for (guint i = 0; i < json_array_get_length (steps); i++)
    {
      const char *word = string_member (json_array_get_object_element (steps, i), "word");
      if (word == NULL || *word == '\0')
        return invalid (error, "steps[%u].word must be a non-empty string", i);
    }
  return TRUE;
}

static gboolean
check_shuffled_objects (JsonObject *root, JsonArray *steps, GError **error)
{
  JsonNode *initial_node = json_object_get_member (root, "initial");
  JsonObject *initial;
  const char *target = string_member (root, "target");
  guint n;

  if (initial_node == NULL || !JSON_NODE_HOLDS_OBJECT (initial_node))
    return invalid (error, "initial must be an object of who holds what");
  initial = json_node_get_object (initial_node);
  n = json_object_get_size (initial);
  if (n < 2 || n > 26)
    return invalid (error, "initial must name 2 to 26 people (got %u)", n);
  {
    g_autoptr (GList) names = json_object_get_members (initial);
    for (GList *l = names; l != NULL; l = l->next)
      if (string_member (initial, l->data) == NULL)
        return invalid (error, "initial.%s must be a string", (const char *) l->data);
  }
  if (target == NULL || !json_object_has_member (initial, target))
    return invalid (error, "target must be one of the people of initial");
  for (guint i = 0; i < json_array_get_length (steps); i++)
    {
      JsonObject *st = json_array_get_object_element (steps, i);
      JsonNode *swap = json_object_get_member (st, "swap");
      JsonArray *pair;

      if (swap == NULL || !JSON_NODE_HOLDS_ARRAY (swap) || json_array_get_length (json_node_get_array (swap)) != 2)
        return invalid (error, "steps[%u].swap must be an array of two people", i);
      pair = json_node_get_array (swap);
      for (guint k = 0; k < 2; k++)
        {
          JsonNode *who = json_array_get_element (pair, k);
          if (!holds (who, G_TYPE_STRING) || !json_object_has_member (initial, json_node_get_string (who)))
            return invalid (error, "steps[%u].swap[%u] must be one of the people of initial", i, k);
        }
      if (strcmp (json_array_get_string_element (pair, 0), json_array_get_string_element (pair, 1)) == 0)
        return invalid (error, "steps[%u].swap: a person cannot swap with themselves", i);
    }
  return TRUE;
}

/* before op operand, exactly and within the value range */
static gboolean
apply (const char *op, gint64 before, gint64 operand, guint i, gint64 *out, GError **error)
{
  gint64 v;

  if (strcmp (op, "+") == 0)
    v = before + operand;
  else if (strcmp (op, "-") == 0)
    v = before - operand;
  else if (strcmp (op, "*") == 0)
    {
      /* both are within 1e12, their product may not be within 64 bits: bounded before it is made */
      if (before != 0 && (operand > FTC_SYNTHETIC_MAX_VALUE / ABS (before)
                          || operand < -FTC_SYNTHETIC_MAX_VALUE / ABS (before)))
        return invalid (error, "steps[%u]: %" G_GINT64_FORMAT " * %" G_GINT64_FORMAT " is beyond +-%lld", i, before,
                        operand, FTC_SYNTHETIC_MAX_VALUE);
      v = before * operand;
    }
  else if (strcmp (op, "/") == 0)
    {
      if (operand == 0)
        return invalid (error, "steps[%u]: division by zero", i);
      if (before % operand != 0)
        return invalid (error, "steps[%u]: %" G_GINT64_FORMAT " / %" G_GINT64_FORMAT " is not a whole number", i,
                        before, operand);
      v = before / operand;
    }
  else
    return invalid (error, "steps[%u].op: '%s' is not an operation (+, -, * or /)", i, op);
  if (v < -FTC_SYNTHETIC_MAX_VALUE || v > FTC_SYNTHETIC_MAX_VALUE)
    return invalid (error, "steps[%u]: the result %" G_GINT64_FORMAT " is beyond +-%lld", i, v,
                    FTC_SYNTHETIC_MAX_VALUE);
  *out = v;
  return TRUE;
}

static gboolean
check_arithmetic (JsonObject *root, JsonArray *steps, const char *answer, GError **error)
{
  gint64 value;

  if (!value_member (root, "start", "steps", &value, error))
    return FALSE;
  for (guint i = 0; i < json_array_get_length (steps); i++)
    {
      JsonObject *st = json_array_get_object_element (steps, i);
      g_autofree char *where = g_strdup_printf ("steps[%u]", i);
      const char *op = string_member (st, "op");
      gint64 operand;

      if (op == NULL)
        return invalid (error, "%s.op must be a string (+, -, * or /)", where);
      if (!value_member (st, "operand", where, &operand, error) || !apply (op, value, operand, i, &value, error))
        return FALSE;
    }
  if (answer != NULL)
    {
      g_autofree char *result = g_strdup_printf ("%" G_GINT64_FORMAT, value);
      if (strcmp (result, answer) != 0)
        return invalid (error, "the steps end in %s, not in the answer %s", result, answer);
    }
  return TRUE;
}

gboolean
ftc_synthetic_steps_check (JsonObject *root, const char *answer, GError **error)
{
  const char *family = string_member (root, "family");
  JsonNode *steps_node = json_object_get_member (root, "steps");
  JsonArray *steps;
  guint n;

  if (family == NULL)
    return invalid (error, "family must be a string (coin_flip, last_letters, shuffled_objects or arithmetic)");
  if (steps_node == NULL || !JSON_NODE_HOLDS_ARRAY (steps_node))
    return invalid (error, "steps must be an array");
  steps = json_node_get_array (steps_node);
  n = json_array_get_length (steps);
  if (n == 0 || n > FTC_SYNTHETIC_MAX_STEPS)
    return invalid (error, "steps must hold 1 to %d steps (got %u)", FTC_SYNTHETIC_MAX_STEPS, n);
  for (guint i = 0; i < n; i++)
    if (!JSON_NODE_HOLDS_OBJECT (json_array_get_element (steps, i)))
      return invalid (error, "steps[%u] must be an object", i);
  if (strcmp (family, "coin_flip") == 0)
    return check_coin_flip (steps, error);
  if (strcmp (family, "last_letters") == 0)
    return check_last_letters (steps, error);
  if (strcmp (family, "shuffled_objects") == 0)
    return check_shuffled_objects (root, steps, error);
  if (strcmp (family, "arithmetic") == 0)
    return check_arithmetic (root, steps, answer, error);
  return invalid (error, "family: unknown family '%s' (coin_flip, last_letters, shuffled_objects or arithmetic)",
                  family);
}
