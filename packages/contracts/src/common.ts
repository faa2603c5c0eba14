import { z } from 'zod';

/** Any 8-4-4-4-12 hex id (Postgres `uuid` accepts them all, so we do too). */
export const Uuid = z.guid();

/**
 * ISO 8601 date-time; `Z` or a numeric offset. Year 0000 matches the format but PostgreSQL has no
 * year 0, so it would fail in the database instead of answering 400.
 */
export const Timestamp = z.iso
  .datetime({ offset: true })
  .refine((value) => new Date(value).getUTCFullYear() >= 1, 'must be on or after 0001-01-01T00:00:00Z');

export const NullableString = z.string().nullable();

/** Free-form JSON object (metadata, snapshots, provider payloads). */
export const JsonObject = z.record(z.string(), z.unknown());

export const Outcome = z.enum(['success', 'partial', 'failed']);
export type Outcome = z.infer<typeof Outcome>;

/** Who can see a resource: the whole org or only its owner. */
export const Visibility = z.enum(['org', 'personal']);
export type Visibility = z.infer<typeof Visibility>;

export const SortOrder = z.enum(['asc', 'desc']);

/** Tenant columns present on most resources. */
export const tenantFields = {
  org_id: NullableString.optional(),
  workspace_id: NullableString.optional(),
};

/** Tenant columns a caller may send; the server derives them from the credential. */
export const tenantInputFields = {
  org_id: z.string().nullable().optional(),
  workspace_id: z.string().nullable().optional(),
};

/** Who created and last changed a resource. */
export const auditFields = {
  member_id: NullableString.optional().describe('Member who owns the resource'),
  created_by: NullableString.optional(),
  updated_by: NullableString.optional(),
  created_by_token_id: NullableString.optional().describe('Admin token used to create it; null for sessions'),
  updated_by_token_id: NullableString.optional().describe('Admin token used for the last change; null for sessions'),
};

export const TokenCounts = z.object({
  input: z.number().int(),
  output: z.number().int(),
  cache_read: z.number().int(),
  cache_creation: z.number().int(),
});

export const TokenTotals = TokenCounts.extend({
  total: z.number().int().describe('input + output + cache_read + cache_creation'),
});

/** `{ data }` response body. */
export const dataEnvelope = <T extends z.ZodType>(schema: T) => z.object({ data: schema });

/** `{ data, total }` list response body. */
export const listEnvelope = <T extends z.ZodType>(schema: T) =>
  z.object({ data: z.array(schema), total: z.number().int() });

export const MessageResult = dataEnvelope(z.object({ message: z.string() }));

// ---- request pieces -------------------------------------------------------

/** Largest PostgreSQL `integer`: a bigger number in a path or query cannot match a row. */
export const MAX_INT4 = 2_147_483_647;

function* nulPaths(value: unknown, path: PropertyKey[] = []): Generator<PropertyKey[]> {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) yield path;
  } else if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) yield* nulPaths(item, [...path, index]);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key.includes('\u0000')) yield [...path, key];
      yield* nulPaths(item, [...path, key]);
    }
  }
}

/**
 * PostgreSQL `text` and `jsonb` cannot hold U+0000. Routes wrap their input schemas in this so a
 * NUL anywhere (value or key) is a 400 naming the field, not a driver error mid-transaction.
 */
export const rejectNulCharacters = <S extends z.ZodType>(schema: S) =>
  schema.superRefine((value, ctx) => {
    for (const path of nulPaths(value))
      ctx.addIssue({ code: 'custom', message: 'must not contain NUL (\\u0000) characters', path });
  });

export const IdParams = z.object({ id: Uuid });
/**
 * Name of a resource that is unique per org. The spec sets no length; the bound keeps a name
 * inside what a PostgreSQL unique index can hold (a longer one fails there, as a 500).
 */
export const ResourceName = z.string().min(1).max(255);

export const NameParams = z.object({ name: ResourceName });

/** Page size from a query string: defaults, lower bound 1, optional cap. */
export const limitQuery = (defaultValue: number, max?: number) => {
  const base = z.coerce.number().int().min(1);
  return (max === undefined ? base : base.max(max)).default(defaultValue);
};

export const OffsetQuery = z.coerce.number().int().min(0).default(0);

/** A `true`/`false` query flag, parsed to a boolean. */
export const BooleanQuery = z.enum(['true', 'false']).transform((value) => value === 'true');

export const PaginationQuery = z.object({
  limit: limitQuery(50, 200),
  offset: OffsetQuery,
});
export type PaginationQuery = z.infer<typeof PaginationQuery>;

export const dateRangeQuery = {
  since: Timestamp.optional().describe('Start of the time range'),
  until: Timestamp.optional().describe('End of the time range'),
};
