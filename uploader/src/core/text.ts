/**
 * A count with its noun, singular or plural: `plural(1, "record")` is
 * "1 record", `plural(3, "retry", "retries")` is "3 retries". Every message
 * that counts something says it through this.
 */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}
