/** `text` (a path, a name) as the source of a regular expression that matches it as it is. */
export const literal = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
