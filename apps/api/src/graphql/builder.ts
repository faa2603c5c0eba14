import SchemaBuilder from '@pothos/core';
import type { AuthContext, Services } from '@rungate/governance';

export interface GraphQLContext {
  services: Services;
  auth: AuthContext;
}

/** One Pothos builder for the whole schema; types live one per file under ./types. */
export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  Scalars: {
    DateTime: { Input: string; Output: string };
    JSON: { Input: unknown; Output: unknown };
  };
  DefaultFieldNullability: false;
}>({ defaultFieldNullability: false });

builder.scalarType('DateTime', {
  description: 'ISO 8601 timestamp in UTC',
  serialize: (value) => value,
  parseValue: (value) => {
    if (typeof value !== 'string' || Number.isNaN(Date.parse(value)))
      throw new TypeError('DateTime must be an ISO 8601 string');
    return value;
  },
});

builder.scalarType('JSON', {
  description: 'Arbitrary JSON value',
  serialize: (value) => value,
  parseValue: (value) => value,
});

builder.queryType({});
