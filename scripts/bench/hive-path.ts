/** Where a base layer keeps its SOFTWARE hive (layers-and-hives.md §1.1). */
export const HIVE_PATH = 'Files/Windows/System32/config/SOFTWARE';
