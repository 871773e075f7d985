/** Helpers that keep fact records plain and JSON-stable. */

/**
 * A copy of `record` without the keys whose value is undefined, so that JSON and structured
 * clone give the same shape.
 */
export function withoutUndefined<T extends object>(record: T): T {
	return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as T;
}
