/**
 * A post's length for Facebook and Instagram limits. Meta states its limits in "characters" without saying
 * which; UTF-16 code units never count fewer than code points or graphemes, so a post within this count is
 * within the limit whichever unit Meta means.
 */
export function graphTextLength(text: string): number {
  return text.length;
}

/**
 * Whether a message or caption read back from Graph is the text Herald sent, ignoring what Graph may
 * normalise: surrounding whitespace, `\r\n` line breaks, Unicode composition.
 */
export function isSameGraphText(stored: string | undefined, sent: string): boolean {
  return normalize(stored ?? '') === normalize(sent);
}

const normalize = (text: string) => text.replace(/\r\n?/g, '\n').trim().normalize('NFC');

/** A message or caption parameter, left out when there is no text (a post of images alone). */
export function textParam(name: string, text: string): Record<string, string> {
  return text.trim() === '' ? {} : { [name]: text };
}
