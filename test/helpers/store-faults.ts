import type { DocumentCollection, DocumentPut } from '../../shared/ports/store.js';

/**
 * `collection` with every write passed to `put` first, which decides whether and when it lands (by calling `write`):
 * how tests make a store write fail, land without an answer, or race another writer. Reads and deletes go through.
 */
export function interceptPuts(
  collection: DocumentCollection<unknown>,
  put: (
    items: readonly DocumentPut<unknown>[],
    write: (items: readonly DocumentPut<unknown>[]) => Promise<void>,
  ) => Promise<void>,
): DocumentCollection<unknown> {
  return {
    get: (ids) => collection.get(ids),
    list: (query) => collection.list(query),
    delete: (ids) => collection.delete(ids),
    put: (items) => put(items, (toWrite) => collection.put(toWrite)),
  };
}
