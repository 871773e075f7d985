/**
 * String helpers for untrusted text, linear in its length. A regex such as `/\/+$/` backtracks
 * from every run it meets in V8: on a 200 000-slash path that is not at the end it took 37 s.
 */

/** `text` without the repeats of `suffix` at its end: ("a///", "/") → "a". */
export function trimTrailing(text: string, suffix: string): string {
	if (suffix.length === 0) return text;
	let end = text.length;
	while (end >= suffix.length && text.startsWith(suffix, end - suffix.length)) end -= suffix.length;
	return end === text.length ? text : text.slice(0, end);
}

/** At most `maxChars` of `text`, with the number of characters left out said at the end. */
export function clip(text: string, maxChars: number): string {
	if (text.length <= maxChars) return text;
	return `${text.slice(0, maxChars)}… (${text.length - maxChars} more characters)`;
}
