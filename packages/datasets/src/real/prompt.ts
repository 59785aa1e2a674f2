/** CLIP-VG's `--prompt` option: every `{pseudo_query}` in the template is replaced by the expression. */
export const DEFAULT_PROMPT = '{pseudo_query}';

/**
 * The text the model sees for `text` under `template`, as `TransVGDataset.prompt` builds it
 * (Python `str.replace`, so every occurrence). An empty template means no prompt, as in the original.
 * Lower-casing happens later, in the model input, not here.
 */
export function applyPrompt(text: string, template: string = DEFAULT_PROMPT): string {
  if (!template) return text;
  return template.split(DEFAULT_PROMPT).join(text);
}
