/**
 * Notes the matcher adds to a result, in a module of their own so that the page can recognise
 * one without loading the matcher.
 */

/** The note a stale index adds (a page that shows `staleSince` up front can leave it out). */
export function staleIndexNote(staleSince: string): string {
	return `The MSRC index ends at ${staleSince.slice(0, 10)}; CVEs published since then are not included.`;
}
