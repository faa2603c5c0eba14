/** Wire format for timestamps: ISO 8601 in UTC, or null. */
export const iso = (value: Date | null | undefined): string | null => (value ? value.toISOString() : null);

export const isoRequired = (value: Date): string => value.toISOString();
