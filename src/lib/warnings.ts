/**
 * Recoverable anomalies: what a reader noticed but could work around. They belong in the
 * result (a security scanner's anomalies are findings), never in a console.
 */
export interface Warning {
	/** Stable, machine-readable code, e.g. `HIVE_DIRTY`, `TAR_PAX_UNKNOWN`. */
	code: string;
	message: string;
	offset?: number;
}
