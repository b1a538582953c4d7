/**
 * Real process namespaces and users for tests: root may use them directly; anyone else gets them inside a user
 * namespace of their own (where they are root), so the tests run the same for a newcomer and in CI.
 */
export const isRoot = process.getuid?.() === 0;

/** `unshare` with these namespaces (e.g. "--pid", "--fork"; "--mount"). */
export const unshare = (...namespaces: string[]): string[] => ["unshare", ...(isRoot ? [] : ["--user", "--map-root-user"]), ...namespaces];
