/** "1 record", "2 records"; irregular plurals passed in ("retry", "retries"). */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}
